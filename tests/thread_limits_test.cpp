// Tests for src/thread_limits.cpp: the limits read from fixed /proc text, and the one line that
// refuses a thread count the machine cannot hold.
#include "thread_limits.hpp"

#include <gtest/gtest.h>

#include <map>

namespace cvp {
namespace {

// /proc as this suite's reference machine shows it: pid_max 32768 binds.
std::map<std::string, std::string> reference_proc() {
  return {{"/proc/sys/kernel/threads-max", "192729\n"},
          {"/proc/sys/kernel/pid_max", "32768\n"},
          {"/proc/sys/vm/max_map_count", "65530\n"},
          {"/proc/loadavg", "0.52 0.31 0.20 2/412 12345\n"},
          {"/proc/self/status", "Name:\tio_sleep\nThreads:\t3\nVmRSS:\t1000 kB\n"},
          {"/proc/self/maps", std::string(200, '\n')},
          {"/proc/meminfo", "MemTotal:       24683620 kB\nMemAvailable:   23689156 kB\n"}};
}

ReadText reader(std::map<std::string, std::string> files) {
  return [files = std::move(files)](const std::string& path) -> std::optional<std::string> {
    const auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
}

constexpr std::int64_t kSmallStack = 256 * 1024;

TEST(ThreadLimits, ReadsEachLimitAndWhatUsesIt) {
  const ThreadRoom r = read_thread_room(reader(reference_proc()), 4096);
  EXPECT_EQ(r.threads_max, 192729);
  EXPECT_EQ(r.pid_max, 32768);
  EXPECT_EQ(r.max_map_count, 65530);
  EXPECT_EQ(r.nproc, 4096);
  EXPECT_EQ(r.mem_available, 23689156LL * 1024);
  EXPECT_EQ(r.machine_threads, 412);
  EXPECT_EQ(r.own_threads, 3);
  EXPECT_EQ(r.own_maps, 200);
}

TEST(ThreadLimits, TenThousandFitAndAHundredThousandDoNot) {
  const ThreadRoom r = read_thread_room(reader(reference_proc()), std::nullopt);
  EXPECT_EQ(thread_refusal(r, 10'000, kSmallStack), std::nullopt);
  const auto line = thread_refusal(r, 100'000, kSmallStack);
  ASSERT_TRUE(line.has_value());
  // pid_max less the reserved pids, the threads that exist and the margin.
  EXPECT_EQ(*line,
            "100000 threads of 256 KiB stack do not fit: kernel.pid_max is 32768 and 412 "
            "threads exist; allowed: up to " +
                std::to_string(32768 - 300 - 412 - 256));
  EXPECT_EQ(line->find('\n'), std::string::npos);
}

TEST(ThreadLimits, NamesTheTightestLimit) {
  auto proc = reference_proc();
  proc["/proc/sys/vm/max_map_count"] = "8000\n";
  const ThreadRoom r = read_thread_room(reader(proc), std::nullopt);
  const ThreadFit fit = threads_that_fit(r, kSmallStack);
  EXPECT_EQ(fit.most, (8000 - 200 - 1024) / 2);
  EXPECT_NE(fit.limit.find("vm.max_map_count is 8000"), std::string::npos) << fit.limit;
  EXPECT_TRUE(thread_refusal(r, 5000, kSmallStack).has_value());
}

TEST(ThreadLimits, RlimitNprocBindsOnlyWhenGiven) {
  const auto proc = reference_proc();
  const auto line = thread_refusal(read_thread_room(reader(proc), 1000), 1000, kSmallStack);
  ASSERT_TRUE(line.has_value());
  EXPECT_NE(line->find("RLIMIT_NPROC is 1000 and this process has 3 threads"), std::string::npos)
      << *line;
  EXPECT_EQ(thread_refusal(read_thread_room(reader(proc), std::nullopt), 1000, kSmallStack),
            std::nullopt);
}

TEST(ThreadLimits, StacksCountAgainstHalfOfMemAvailable) {
  auto proc = reference_proc();
  proc["/proc/meminfo"] = "MemAvailable:    4194304 kB\n";  // 4 GiB
  const ThreadRoom r = read_thread_room(reader(proc), std::nullopt);
  // 2 GiB of 8 MiB stacks is 256; of 256 KiB stacks, 8192.
  EXPECT_EQ(threads_that_fit(r, 8 << 20).most, 256);
  const auto line = thread_refusal(r, 10'000, 8 << 20);
  ASSERT_TRUE(line.has_value());
  EXPECT_NE(line->find("10000 threads of 8 MiB stack do not fit: half of MemAvailable is 2048 MiB"),
            std::string::npos)
      << *line;
}

TEST(ThreadLimits, AnUnreadableProcLimitsNothing) {
  const ThreadRoom r = read_thread_room(reader({}), std::nullopt);
  EXPECT_EQ(r.pid_max, std::nullopt);
  EXPECT_EQ(thread_refusal(r, 1'000'000, kSmallStack), std::nullopt);
}

TEST(ThreadLimits, NoRoomLeftIsZeroNotNegative) {
  auto proc = reference_proc();
  proc["/proc/loadavg"] = "0.52 0.31 0.20 2/40000 12345\n";  // more threads than pid_max
  const ThreadFit fit = threads_that_fit(read_thread_room(reader(proc), std::nullopt), kSmallStack);
  EXPECT_EQ(fit.most, 0);
}

TEST(ThreadLimits, ThisMachineReportsItsOwnProc) {
  const ThreadRoom r = read_thread_room();
  ASSERT_TRUE(r.pid_max.has_value());
  EXPECT_GT(*r.pid_max, 0);
  EXPECT_GE(r.own_threads, 1);
  EXPECT_GT(r.own_maps, 0);
  EXPECT_GE(r.machine_threads, r.own_threads);
}

}  // namespace
}  // namespace cvp
