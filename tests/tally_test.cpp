// Tests for bench/tally.cpp: the counters every row reports, from the runs recorded.
#include "tally.hpp"

#include <gtest/gtest.h>

#include "workloads/cpu_hash.hpp"
#include "workloads/io_sleep.hpp"

namespace cvp::bench {
namespace {

Point point_of(const Workload& w, std::int64_t workers) {
  return {.model = "m",
          .tasks = w.tasks(),
          .workers = workers,
          .sleep_us = w.params().sleep_us,
          .bytes = w.params().bytes,
          .rounds = w.params().rounds};
}

TEST(Tally, PairedRunsGiveSpeedupEfficiencyAndTaskTimeFromTheirSerialTwin) {
  const CpuHash w(10, 64, 1);
  Tally t(w, {2, 2}, /*calibrated_task_cpu_s=*/99);  // a paired run never uses the calibration
  // Serial twin 1 s: 0.1 s a task, so the ideal on 2 CPUs is 5 turns of 0.1 s.
  for (const double s : {0.5, 1.0, 0.625}) {
    t.record({.seconds = s, .cpu_s = 2 * s, .peak_inflight = 2, .baseline_s = 1.0});
  }
  benchmark::UserCounters c;
  t.add_counters(c, point_of(w, 2), {});
  EXPECT_EQ(t.runs(), 3);
  EXPECT_DOUBLE_EQ(c["speedup"], 1.6);     // median of 2, 1, 1.6
  EXPECT_DOUBLE_EQ(c["efficiency"], 0.8);  // median of 1, 0.5, 0.8
  EXPECT_DOUBLE_EQ(c["task_cpu_us"], 1e5);
  EXPECT_DOUBLE_EQ(c["ideal_ms"], 500);
  EXPECT_DOUBLE_EQ(c["parallelism"], 2);
  EXPECT_DOUBLE_EQ(c["cpu_share"], 1);
  EXPECT_DOUBLE_EQ(c["peak_inflight"], 2);
  EXPECT_DOUBLE_EQ(t.median_run_s(), 0.625);
  EXPECT_DOUBLE_EQ(t.median_overhead_per_task_s(), 0.0125);  // (0.625 - 0.5) / 10
  EXPECT_DOUBLE_EQ(c["tasks"], 10);
  EXPECT_DOUBLE_EQ(c["bytes"], 64);
  EXPECT_EQ(c.count("lost_updates"), 0u);
}

TEST(Tally, UnpairedRunsTakeTheCalibratedTaskTimeAndReportNoSpeedup) {
  const IoSleep w(4, 1000);
  Tally t(w, {1, 1}, 0.001);
  t.record({.seconds = 0.008, .cpu_s = 0.004});
  benchmark::UserCounters c;
  t.add_counters(c, point_of(w, 1), {});
  EXPECT_EQ(c.count("speedup"), 0u);
  EXPECT_DOUBLE_EQ(c["task_cpu_us"], 1000);
  EXPECT_DOUBLE_EQ(c["cpu_share"], 0.5);  // 1 ms of CPU, then a 1 ms wait
  EXPECT_DOUBLE_EQ(c["ideal_ms"], 8);     // four tasks of 2 ms, one at a time
  EXPECT_DOUBLE_EQ(c["efficiency"], 1);
  EXPECT_DOUBLE_EQ(c["parallelism"], 0.5);
}

TEST(Tally, UserMemoryIsTheLargestRunAndKernelMemoryTheMedianOfRunsThatCaughtThePeak) {
  const IoSleep w(4, 1000);
  Tally t(w, {4, 1}, 0);
  t.record({.seconds = 0.01, .mem_bytes_per_task = 2048, .kmem_bytes_per_task = 16384});
  t.record({.seconds = 0.01, .mem_bytes_per_task = 8192, .kmem_bytes_per_task = 4096});
  t.record({.seconds = 0.01, .mem_bytes_per_task = 1024});  // the peak was not caught
  t.record({.seconds = 0.01, .kmem_bytes_per_task = 8192});
  benchmark::UserCounters c;
  t.add_counters(c, point_of(w, 1), {});
  EXPECT_DOUBLE_EQ(c["mem_kib_per_task"], 8);
  EXPECT_DOUBLE_EQ(c["kmem_kib_per_task"], 8);  // median of 16, 4 and 8 KiB

  Tally none(w, {4, 1}, 0);
  none.record({.seconds = 0.01});
  benchmark::UserCounters d;
  none.add_counters(d, point_of(w, 1), {});
  EXPECT_EQ(d.count("mem_kib_per_task"), 0u);
  EXPECT_EQ(d.count("kmem_kib_per_task"), 0u);
}

TEST(Tally, LockAndWaitAreCountersOnlyWhereTheHarnessNamesThemOrEveryAxisIsAsked) {
  const IoSleep w(4, 1000);
  Tally t(w, {1, 1}, 0.001);
  t.record({.seconds = 0.008, .lost_updates = 3});
  t.record({.seconds = 0.008, .lost_updates = 1});
  for (const AxisCounters which : {AxisCounters{}, AxisCounters{.names_lock_and_wait = true},
                                   AxisCounters{.every_named_axis = true}}) {
    benchmark::UserCounters c;
    t.add_counters(c, point_of(w, 1), which);
    const bool named = which.names_lock_and_wait || which.every_named_axis;
    EXPECT_EQ(c.count("lock"), named ? 1u : 0u);
    EXPECT_EQ(c.count("wait"), named ? 1u : 0u);
    EXPECT_EQ(c.count("cpu_share_pct"), 0u);  // never a counter: it shows as sleep_us and bytes
    EXPECT_DOUBLE_EQ(c["lost_updates"], 2);   // the median of 3 and 1
  }
}

TEST(Tally, LatencyPercentilesAreOverEveryTaskOfEveryRun) {
  const IoSleep w(4, 1000);
  Tally t(w, {4, 1}, 0.001);
  // Two runs of 4 tasks, 1 to 8 ms: of the 8, p50 is the 4th and p99 the 8th.
  t.record({.seconds = 0.01, .task_ns = {3'000'000, 1'000'000, 4'000'000, 2'000'000}});
  t.record({.seconds = 0.01, .task_ns = {8'000'000, 6'000'000, 5'000'000, 7'000'000}});
  benchmark::UserCounters c;
  t.add_counters(c, point_of(w, 1), {});
  EXPECT_DOUBLE_EQ(c["latency_p50_ms"], 4);
  EXPECT_DOUBLE_EQ(c["latency_p99_ms"], 8);
}

TEST(Tally, RunsThatMeasuredNoLatencyGiveNoLatencyCounter) {
  const IoSleep w(4, 1000);
  Tally t(w, {1, 1}, 0.001);
  t.record({.seconds = 0.008});
  benchmark::UserCounters c;
  t.add_counters(c, point_of(w, 1), {});
  EXPECT_EQ(c.count("latency_p50_ms"), 0u);
  EXPECT_EQ(c.count("latency_p99_ms"), 0u);
}

}  // namespace
}  // namespace cvp::bench
