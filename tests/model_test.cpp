// Tests for src/models/model.cpp: the ideal run time every model is measured against.
#include "models/model.hpp"

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace cvp
