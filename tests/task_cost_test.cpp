// Tests for src/task_cost.cpp: /proc text parsed from fixed samples, snapshots and their
// difference, and this process's own switches and memory moving as they should.
#include "task_cost.hpp"

#include <gtest/gtest.h>
#include "timing.hpp"

#include <chrono>
#include <map>
#include <thread>
#include <vector>

namespace cvp {
namespace {

// Keeps the compiler from dropping a buffer it sees written and never read.
void benchmark_keep(void* p) { asm volatile("" : : "g"(p) : "memory"); }

constexpr std::string_view kRollup =
    "5624691a7000-7ffe5101f000 ---p 00000000 00:00 0      [rollup]\n"
    "Rss:                1724 kB\n"
    "Pss:                 217 kB\n"
    "Pss_Dirty:           112 kB\n"
    "Pss_Anon:            112 kB\n";
constexpr std::string_view kMeminfo =
    "MemTotal:       24683620 kB\n"
    "KernelStack:        1960 kB\n"
    "PageTables:         3000 kB\n";
constexpr std::string_view kSockstat =
    "sockets: used 13\n"
    "TCP: inuse 1 orphan 0 tw 0 alloc 1 mem 5\n"
    "UDP: inuse 0 mem 2\n"
    "UDPLITE: inuse 0\n"
    "FRAG: inuse 0 memory 0\n";
constexpr std::string_view kStatus =
    "Name:\tworker\n"
    "Threads:\t1\n"
    "voluntary_ctxt_switches:\t150\n"
    "nonvoluntary_ctxt_switches:\t7\n";

TEST(TaskCost, ParsesPssKernelStackAndSocketPages) {
  EXPECT_EQ(pss_bytes_in(kRollup), 217 * 1024);  // Pss:, not Pss_Dirty: or Pss_Anon:
  EXPECT_EQ(kernel_stack_bytes_in(kMeminfo), 1960 * 1024);
  EXPECT_EQ(socket_bytes_in(kSockstat, 4096), (5 + 2) * 4096);
  const Switches s = switches_in_status(kStatus);
  EXPECT_EQ(s.voluntary, 150);
  EXPECT_EQ(s.involuntary, 7);
}

TEST(TaskCost, AMissingFieldIsNullopt) {
  EXPECT_EQ(pss_bytes_in("Rss: 10 kB\n"), std::nullopt);
  EXPECT_EQ(kernel_stack_bytes_in("MemTotal: 1 kB\n"), std::nullopt);
  EXPECT_EQ(socket_bytes_in("sockets: used 3\n", 4096), std::nullopt);
}

TEST(TaskCost, ASnapshotAddsTheNamedChildrenAndSkipsOnesThatEnded) {
  const std::map<std::string, std::string_view> files{
      {"/proc/self/smaps_rollup", kRollup}, {"/proc/42/smaps_rollup", kRollup},
      {"/proc/42/status", kStatus},         {"/proc/meminfo", kMeminfo},
      {"/proc/net/sockstat", kSockstat}};
  const ReadText read = [&](const std::string& path) -> std::optional<std::string> {
    const auto it = files.find(path);
    return it == files.end() ? std::nullopt : std::optional(std::string(it->second));
  };
  const std::vector<pid_t> children{42, 43};  // 43 has ended: no files
  const TaskCost c = read_task_cost(read, {1000, 20}, children, 4096);
  EXPECT_EQ(c.switches.voluntary, 1150);
  EXPECT_EQ(c.switches.involuntary, 27);
  EXPECT_EQ(c.pss_bytes, 2 * 217 * 1024);
  EXPECT_EQ(c.kernel_stack_bytes, 1960 * 1024);
  EXPECT_EQ(c.socket_bytes, 7 * 4096);
}

TEST(TaskCost, DifferenceAndPeakAreFieldByField) {
  const TaskCost before{{10, 1}, 1000, 200, 0};
  const TaskCost mid{{15, 2}, 5000, 900, 4096};
  const TaskCost after{{30, 4}, 3000, 300, 0};
  const TaskCost d = after - before;
  EXPECT_EQ(d.switches.voluntary, 20);
  EXPECT_EQ(d.switches.involuntary, 3);
  EXPECT_EQ(d.pss_bytes, 2000);
  EXPECT_EQ(d.kernel_stack_bytes, 100);
  const TaskCost peak = peak_levels(peak_levels(before, mid), after);
  EXPECT_EQ(peak.pss_bytes, 5000);
  EXPECT_EQ(peak.kernel_stack_bytes, 900);
  EXPECT_EQ(peak.socket_bytes, 4096);
  EXPECT_EQ(peak.switches.voluntary, 30);  // the later snapshot's
}

TEST(TaskCost, SleepingThreadsAddVoluntarySwitchesToThisProcess) {
  const TaskCost before = read_task_cost();
  std::vector<std::thread> threads;
  for (int k = 0; k < 4; ++k) {
    threads.emplace_back([] {
      for (int i = 0; i < 10; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    });
  }
  for (std::thread& t : threads) t.join();
  const TaskCost d = read_task_cost() - before;
  // Each sleep gives the CPU up: 40 at least, counted for threads that ended.
  EXPECT_GE(d.switches.voluntary, 40);
}

TEST(TaskCost, TouchedMemoryRaisesThisProcessPss) {
  const TaskCost before = read_task_cost();
  std::vector<char> block(32 << 20, 1);  // 32 MiB, every page written
  const TaskCost d = read_task_cost() - before;
  EXPECT_GE(d.pss_bytes, 24 << 20) << "block at " << static_cast<void*>(block.data());
}

TEST(RunCost, SeesARunsPeakMemoryAndItsSleeps) {
  const RunStart start = run_start();
  {
    std::vector<char> touched(16 << 20);
    for (std::size_t i = 0; i < touched.size(); i += 4096) touched[i] = 1;
    benchmark_keep(touched.data());
  }  // freed before the end: only the high-water mark remembers it
  sleep_blocking(std::chrono::milliseconds(2));
  const RunCost cost = run_end(start);
  if (start.peak_reset) {
    ASSERT_TRUE(cost.peak_rss_above_start.has_value());
    EXPECT_GE(*cost.peak_rss_above_start, 15 << 20);
  } else {
    EXPECT_FALSE(cost.peak_rss_above_start.has_value());
  }
  EXPECT_GE(cost.switches.voluntary, 1);  // the sleep gave the CPU away
}

TEST(RunCost, NoPeakWithoutAReset) {
  RunStart start;
  start.peak_reset = false;
  EXPECT_FALSE(run_end(start).peak_rss_above_start.has_value());
}

}  // namespace
}  // namespace cvp
