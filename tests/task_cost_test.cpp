// Tests for src/task_cost.cpp: /proc text parsed from fixed samples, snapshots and their
// difference, and this process's own switches and memory moving as they should.
#include "task_cost.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>
#include <vector>

#include "models/event_loop.hpp"
#include "models/thread_per_task.hpp"
#include "peak_probe.hpp"
#include "timing.hpp"
#include "workloads/io_sleep.hpp"

namespace cvp {
namespace {

// Keeps the compiler from dropping a buffer it sees written and never read.
void benchmark_keep(void* p) { asm volatile("" : : "g"(p) : "memory"); }

constexpr std::string_view kRollup =
    "5624691a7000-7ffe5101f000 ---p 00000000 00:00 0      [rollup]\n"
    "Rss:                1724 kB\n"
    "Pss:                 217 kB\n"
    "Pss_Dirty:           112 kB\n"
    "Pss_Anon:            112 kB\n"
    "Private_Clean:        40 kB\n"
    "Private_Dirty:       100 kB\n";
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

TEST(TaskCost, PrivateBytesAreCleanAndDirty) {
  EXPECT_EQ(private_bytes_in(kRollup), (40 + 100) * 1024);
  EXPECT_EQ(private_bytes_in("Private_Dirty: 3 kB\n"), 3 * 1024);
}

TEST(TaskCost, AMissingFieldIsNullopt) {
  EXPECT_EQ(pss_bytes_in("Rss: 10 kB\n"), std::nullopt);
  EXPECT_EQ(private_bytes_in("Rss: 10 kB\n"), std::nullopt);
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

// The files of a process (tid 7) with two children: 42, a forked worker
// (the same cmdline), and 50, an exec'd server.
ReadText levels_files(std::string_view meminfo) {
  const std::map<std::string, std::string> files{
      {"/proc/meminfo", std::string(meminfo)},
      {"/proc/net/sockstat", std::string(kSockstat)},
      {"/proc/self/cmdline", std::string("harness\0--profile\0", 18)},
      {"/proc/self/task/7/children", "42 50 "},
      {"/proc/42/cmdline", std::string("harness\0--profile\0", 18)},
      {"/proc/42/smaps_rollup", std::string(kRollup)},
      {"/proc/50/cmdline", std::string("net_rpc_server\0", 15)},
      {"/proc/50/smaps_rollup", std::string(kRollup)}};
  return [files](const std::string& path) -> std::optional<std::string> {
    const auto it = files.find(path);
    return it == files.end() ? std::nullopt : std::optional(it->second);
  };
}

TEST(Levels, AreTheKernelsAndTheWorkersPrivatePagesNotTheServers) {
  const Levels l = read_levels(levels_files(kMeminfo), 7, 4096);
  EXPECT_EQ(l.kernel_stack_bytes, 1960 * 1024);
  EXPECT_EQ(l.socket_bytes, 7 * 4096);
  ASSERT_EQ(l.worker_private_bytes.size(), 1u);
  EXPECT_EQ(l.worker_private_bytes.at(42), 140 * 1024);
}

TEST(Levels, WithoutAChildrenFileThereAreNoWorkers) {
  const Levels l = read_levels(levels_files(kMeminfo), 8, 4096);  // no task 8
  EXPECT_EQ(l.kernel_stack_bytes, 1960 * 1024);
  EXPECT_TRUE(l.worker_private_bytes.empty());
}

TEST(Levels, KernelBytesPerTaskAreTheRiseOverTheTasksInFlight) {
  Levels idle, peak;
  idle.kernel_stack_bytes = 1000 << 10;
  idle.socket_bytes = 8 << 10;
  peak.kernel_stack_bytes = idle.kernel_stack_bytes + 100 * (16 << 10);  // 100 stacks
  peak.socket_bytes = idle.socket_bytes + (400 << 10);
  EXPECT_DOUBLE_EQ(kernel_bytes_per_task(idle, peak, 100), (16 << 10) + (4 << 10));
  EXPECT_DOUBLE_EQ(kernel_bytes_per_task(peak, idle, 100), 0);  // fell: nothing added
  EXPECT_DOUBLE_EQ(kernel_bytes_per_task(idle, peak, 0), 100 * (16 << 10) + (400 << 10));
}

TEST(Levels, WorkersGrowthCountsAWorkerForkedInTheRunWhole) {
  Levels idle, peak;
  idle.worker_private_bytes = {{10, 1000}, {11, 500}};
  peak.worker_private_bytes = {{10, 3000}, {11, 400}, {12, 700}};  // 12 forked in the run
  EXPECT_EQ(workers_growth_bytes(idle, peak), 2000 - 100 + 700);
  EXPECT_EQ(workers_growth_bytes(peak, idle), 0);  // released more than added
}

TEST(RunCost, UserBytesPerTaskAddTheWorkersAndDivideByTheHolders) {
  RunCost c;
  EXPECT_EQ(user_bytes_per_task(c, 4), std::nullopt);  // no high-water mark reset
  c.peak_rss_above_start = 3000;
  c.workers_growth_bytes = 1000;
  EXPECT_DOUBLE_EQ(*user_bytes_per_task(c, 4), 1000);
  EXPECT_DOUBLE_EQ(*user_bytes_per_task(c, 0), 4000);
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

// The property the counter exists for: a thread per task holds a kernel
// stack (16 KiB on x86-64) per task in flight, a gathered loop next to none.
double kernel_kib_per_task(Model& m, const Workload& w) {
  std::vector<Digest> out(static_cast<std::size_t>(w.tasks()));
  m.prepare(w);
  const RunStart start = run_start(peak_probe_target(w.tasks(), w.tasks()));
  m.run(w, out);
  const RunCost cost = run_end(start);
  EXPECT_TRUE(cost.kernel_bytes_per_task.has_value()) << m.name() << ": the peak was not caught";
  return cost.kernel_bytes_per_task.value_or(0) / 1024;
}

TEST(RunCost, AThreadPerTaskHoldsFarMoreKernelMemoryPerTaskThanALoop) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer runs a thread of its own and starts threads many times slower";
#endif
  if (!kernel_stack_bytes_in(read_text_file("/proc/meminfo").value_or(""))) {
    GTEST_SKIP() << "/proc/meminfo has no KernelStack";
  }
  // 1 s waits: 200 thread starts on a busy or sanitized machine take
  // hundreds of ms, and the probe fires at 100 in flight.
  ThreadPerTaskModel threads;
  const double per_thread = kernel_kib_per_task(threads, IoSleep(200, 1'000'000));
  EventLoopModel loop;
  const double per_callback = kernel_kib_per_task(loop, IoSleep(200, 200'000));
  // 16 KiB expected; a quarter of it leaves room for the machine's other
  // processes freeing stacks while the run holds its own.
  EXPECT_GE(per_thread, 4.0);
  EXPECT_LT(per_callback, per_thread / 4) << "thread " << per_thread << " KiB, loop "
                                          << per_callback << " KiB";
}

TEST(RunCost, NoPeakWithoutAReset) {
  RunStart start;
  start.peak_reset = false;
  EXPECT_FALSE(run_end(start).peak_rss_above_start.has_value());
}

}  // namespace
}  // namespace cvp
