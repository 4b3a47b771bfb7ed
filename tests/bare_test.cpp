// Tests for bench/bare.cpp: every bare primitive runs, ends, and leaves no child behind.
#include "bare.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace cvp::bench {
namespace {

using cvp::testing::no_children_left;

TEST(BarePrimitives, EachModelsPrimitiveRunsTheWork) {
  const WorkloadParams hashing{64, 0, 64, 4};
  const WorkloadParams waiting{8, 2'000, 0, 0};
  for (const Primitive p :
       {Primitive::kLoop, Primitive::kUvTimers, Primitive::kOsThreads, Primitive::kForked}) {
    EXPECT_GT(bare_run_seconds(p, CapacityRule::kWorkers, hashing, 2), 0.0);
    EXPECT_GT(bare_run_seconds(p, CapacityRule::kWorkers, waiting, 2), 0.0);
  }
  EXPECT_TRUE(no_children_left());
}

TEST(BarePrimitives, WaitsAreNeverShorterThanAsked) {
  const WorkloadParams waiting{4, 5'000, 0, 0};
  // Four waits of 5 ms: one after another on a loop, all at once on timers.
  EXPECT_GE(bare_run_seconds(Primitive::kLoop, CapacityRule::kOne, waiting, 1), 0.020);
  EXPECT_GE(bare_run_seconds(Primitive::kUvTimers, CapacityRule::kTasks, waiting, 1), 0.005);
  EXPECT_GE(bare_run_seconds(Primitive::kUvTimers, CapacityRule::kOne, waiting, 1), 0.020);
}

TEST(BarePrimitives, FixedCostRoundsEndAndLeaveNoChild) {
  EXPECT_GT(fork_exit_wait_seconds(2, 2), 0.0);
  EXPECT_GT(thread_spawn_seconds(2, 2), 0.0);
  EXPECT_GT(tbb_round_seconds(2, 2), 0.0);
  EXPECT_GT(uv_queue_work_seconds(2), 0.0);
  EXPECT_GT(pipe_round_trip_seconds(10), 0.0);  // ends: the child sees the pipe close
  EXPECT_TRUE(no_children_left());
}

}  // namespace
}  // namespace cvp::bench
