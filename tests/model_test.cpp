// Tests for src/models/model.cpp: the ideal run time every model is measured against, and the
// latencies every model's RunReport carries.
#include "models/model.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "models/registry.hpp"
#include "timing.hpp"
#include "workloads/io_sleep.hpp"

namespace cvp {
namespace {

using std::chrono::duration;

TEST(IdealRunTime, SerialRunsEveryTaskBackToBack) {
  EXPECT_DOUBLE_EQ(
      ideal_run_time({1, 1}, 10, duration<double>(0.001), duration<double>(0.01)).count(),
      10 * 0.011);
}

TEST(IdealRunTime, EventLoopOverlapsWaitsButNotCompute) {
  // 100 pure waits: one wait. 100 pure computes on one CPU: all of them.
  EXPECT_DOUBLE_EQ(
      ideal_run_time({100, 1}, 100, duration<double>(0), duration<double>(0.01)).count(), 0.01);
  EXPECT_DOUBLE_EQ(
      ideal_run_time({100, 1}, 100, duration<double>(0.001), duration<double>(0)).count(), 0.1);
}

TEST(IdealRunTime, TheLastComputeIsFollowedByItsWait) {
  // 16 tasks of 1 ms compute and 9 ms wait on one thread: 16 ms of compute,
  // then the last task's 9 ms wait.
  EXPECT_DOUBLE_EQ(
      ideal_run_time({16, 1}, 16, duration<double>(0.001), duration<double>(0.009)).count(),
      0.016 + 0.009);
  // 16 threads on 2 CPUs: 8 turns of compute, then the wait.
  EXPECT_DOUBLE_EQ(
      ideal_run_time({16, 2}, 16, duration<double>(0.001), duration<double>(0.009)).count(),
      0.008 + 0.009);
}

TEST(IdealRunTime, WorkersTakeTasksInRoundsOfW) {
  // ceil(10 / 4) = 3 rounds of waits; compute limited to 2 CPUs.
  EXPECT_DOUBLE_EQ(ideal_run_time({4, 2}, 10, duration<double>(0), duration<double>(0.01)).count(),
                   0.03);
  EXPECT_DOUBLE_EQ(ideal_run_time({4, 2}, 10, duration<double>(0.001), duration<double>(0)).count(),
                   0.005);
  // More workers than tasks: one round.
  EXPECT_DOUBLE_EQ(ideal_run_time({8, 2}, 3, duration<double>(0), duration<double>(0.01)).count(),
                   0.01);
}

// Every model started in this process (mpi's ranks start under mpiexec:
// tests/test_mpi.py), one run of 6 tasks waiting T = 20 ms: one latency per
// task, none shorter than T (a wait never ends early, however loaded the
// machine) and none longer than the run.
TEST(RunReport, EveryModelReportsEachTasksLatencyAndNoneIsShorterThanItsWait) {
  constexpr int kTasks = 6;
  constexpr std::int64_t kWaitNs = 20'000'000;
  const IoSleep w(kTasks, kWaitNs / 1000);
  for (const ModelInfo& info : registry()) {
    if (info.launch != Launch::kInProcess) continue;
    const auto m = make_model(info.name, info.fixed_workers().value_or(2));
    m->prepare(w);
    std::vector<Digest> out(kTasks);
    const std::int64_t t0 = monotonic_ns();
    const RunReport r = m->run(w, out);
    const std::int64_t run_ns = monotonic_ns() - t0;
    ASSERT_EQ(r.task_ns.size(), static_cast<std::size_t>(kTasks)) << info.name;
    for (std::size_t i = 0; i < r.task_ns.size(); ++i) {
      EXPECT_GE(r.task_ns[i], kWaitNs) << info.name << ", task " << i;
      EXPECT_LE(r.task_ns[i], run_ns) << info.name << ", task " << i;
    }
  }
}

}  // namespace
}  // namespace cvp
