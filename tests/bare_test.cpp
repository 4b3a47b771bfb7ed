// Tests for bench/bare.cpp: every bare primitive runs, ends, and leaves no child behind.
#include "bare.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "bare_share.hpp"
#include "test_support.hpp"

namespace cvp::bench {
namespace {

using cvp::testing::no_children_left;

TEST(BarePrimitives, EachModelsPrimitiveRunsTheWork) {
  const WorkloadParams hashing{64, 0, 64, 4};
  const WorkloadParams waiting{8, 2'000, 0, 0};
  for (const Primitive p : {Primitive::kLoop, Primitive::kUvTimers, Primitive::kOsThreads,
                            Primitive::kOsThreadsMade, Primitive::kForked}) {
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

TEST(BarePrimitives, ThreadsMadeBeforeTimingWaitTogether) {
  // 16 waits of 20 ms on 16 threads released together: one wait long, not 16.
  const WorkloadParams waiting{16, 20'000, 0, 0};
  const double s = bare_run_seconds(Primitive::kOsThreadsMade, CapacityRule::kTasks, waiting, 1);
  EXPECT_GE(s, 0.020);
  EXPECT_LT(s, 16 * 0.020 / 2);  // a wide margin: a loaded machine is far from serial
}

TEST(BareShare, SameWorkOnTheSameCarriersIsOneKey) {
  const WorkloadParams p{100, 10'000, 0, 0};
  // tbb and the offload pool at W = 4: four threads.
  EXPECT_EQ(bare_key(Primitive::kOsThreads, CapacityRule::kWorkers, p, 4),
            bare_key(Primitive::kOsThreads, CapacityRule::kWorkers, p, 4));
  // A thread per task stands on N threads made in the run, threads_n on N made before it.
  EXPECT_NE(bare_key(Primitive::kOsThreads, CapacityRule::kTasks, p, 1),
            bare_key(Primitive::kOsThreadsMade, CapacityRule::kTasks, p, 1));
  EXPECT_EQ(bare_key(Primitive::kOsThreads, CapacityRule::kTasks, p, 1),
            bare_key(Primitive::kOsThreads, CapacityRule::kWorkers, p, 100));
  // More processes than tasks: only as many as there are tasks are forked.
  const WorkloadParams four{4, 10'000, 0, 0};
  EXPECT_EQ(bare_key(Primitive::kForked, CapacityRule::kWorkers, four, 8),
            bare_key(Primitive::kForked, CapacityRule::kWorkers, four, 4));
  EXPECT_NE(bare_key(Primitive::kUvTimers, CapacityRule::kOne, p, 1),
            bare_key(Primitive::kUvTimers, CapacityRule::kTasks, p, 1));
  EXPECT_NE(bare_key(Primitive::kLoop, CapacityRule::kOne, p, 1),
            bare_key(Primitive::kLoop, CapacityRule::kOne, WorkloadParams{100, 5'000, 0, 0}, 1));
}

TEST(BareShare, EachRunServesEachBenchmarkOnce) {
  BareShare share;
  int measured = 0;
  const auto measure = [&] { return static_cast<double>(++measured); };
  const int a = 0, b = 0;                        // two benchmarks, told apart by address
  EXPECT_EQ(share.take("k", &a, measure), 1.0);  // a measures
  EXPECT_EQ(share.take("k", &b, measure), 1.0);  // b takes a's run
  EXPECT_EQ(share.take("k", &b, measure), 2.0);  // b has used it: a new run
  EXPECT_EQ(share.take("k", &a, measure), 2.0);  // a takes b's
  EXPECT_EQ(share.take("k", &a, measure), 3.0);
  EXPECT_EQ(share.take("other", &b, measure), 4.0);  // another key is its own
  EXPECT_EQ(measured, 4);
}

TEST(BareShare, AFailedRunIsNotShared) {
  BareShare share;
  const int a = 0, b = 0;
  EXPECT_THROW(share.take("k", &a, []() -> double { throw std::runtime_error("fork failed"); }),
               std::runtime_error);
  EXPECT_EQ(share.take("k", &b, [] { return 7.0; }), 7.0);
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
