// Tests for src/models/event_loop_sequential.hpp: awaited one after another, tasks never overlap.
#include "models/event_loop_sequential.hpp"

#include <gtest/gtest.h>

#include "models/event_loop.hpp"
#include "test_support.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;
using testing::seconds_since;

TEST(EventLoopSequentialModel, ReturnsTheSerialDigests) {
  EventLoopSequentialModel m;
  expect_serial_digests(m, CpuHash(9, 64, 2));
  expect_serial_digests(m, IoSleep(5, 1'000));
  expect_serial_digests(m, IoSleep(5000, 0));  // no waits: a long loop, not deep recursion
}

TEST(EventLoopSequentialModel, TaskIntervalsNeverOverlap) {
  EventLoopSequentialModel m;
  m.set_tracing(true);
  const RunReport r = expect_serial_digests(m, IoSleep(6, 5'000));
  ASSERT_EQ(r.spans.size(), 6u);
  EXPECT_EQ(r.peak_inflight, 1);
  for (std::size_t i = 1; i < r.spans.size(); ++i) {
    EXPECT_GE(r.spans[i].start_ns, r.spans[i - 1].end_ns) << "task " << i;
  }
}

TEST(EventLoopSequentialModel, GatheredTaskIntervalsDoOverlap) {
  EventLoopModel m;
  m.set_tracing(true);
  const RunReport r = expect_serial_digests(m, IoSleep(6, 5'000));
  ASSERT_EQ(r.spans.size(), 6u);
  EXPECT_EQ(r.peak_inflight, 6);
  std::int64_t last_start = 0, first_end = INT64_MAX;
  for (const TaskSpan& s : r.spans) {
    last_start = std::max(last_start, s.start_ns);
    first_end = std::min(first_end, s.end_ns);
  }
  EXPECT_LT(last_start, first_end);  // one instant at which all six were in flight
}

TEST(EventLoopSequentialModel, TwoSleepersTakeTheSumNotTheMax) {
  // The example in circulation: sleeps of 100 and 200 ms awaited in turn
  // take 300 ms; gathered, 200 ms. Checked as a ratio with a wide margin.
  const IoSleep w(std::vector<std::int64_t>{100'000, 200'000});
  EventLoopSequentialModel sequential;
  EventLoopModel gathered;
  auto t0 = Clock::now();
  expect_serial_digests(sequential, w);
  const double sequential_s = seconds_since(t0);
  t0 = Clock::now();
  expect_serial_digests(gathered, w);
  const double gathered_s = seconds_since(t0);
  EXPECT_GE(sequential_s, 0.300);
  EXPECT_GE(gathered_s, 0.200);
  EXPECT_GT(sequential_s / gathered_s, 1.2);  // ideal 1.5
}

}  // namespace
}  // namespace cvp
