// Tests for src/models/event_loop_blocking.hpp: a blocking call inside the loop stalls every task.
#include "models/event_loop_blocking.hpp"

#include <gtest/gtest.h>

#include "models/event_loop.hpp"
#include "models/registry.hpp"
#include "test_support.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;
using testing::seconds_since;

double wall_of(Model& m, const Workload& w) {
  m.prepare(w);
  const auto t0 = Clock::now();
  expect_serial_digests(m, w);
  return seconds_since(t0);
}

TEST(EventLoopBlockingModel, ReturnsTheSerialDigests) {
  EventLoopBlockingModel m;
  expect_serial_digests(m, CpuHash(7, 4096, 2));
  expect_serial_digests(m, IoSleep(3, 1'000));
}

TEST(EventLoopBlockingModel, WallTimeGrowsWithTasksWhileGatheredDoesNot) {
  EventLoopBlockingModel blocking;
  EventLoopModel gathered;
  const IoSleep two(2, 20'000), eight(8, 20'000);
  // Blocking: 8 tasks take 4x as long as 2 (160 ms against 40 ms).
  EXPECT_GT(wall_of(blocking, eight) / wall_of(blocking, two), 2.5);
  // Gathered: both take one wait, about 20 ms.
  EXPECT_LT(wall_of(gathered, eight) / wall_of(gathered, two), 1.8);
}

TEST(EventLoopBlockingModel, OneTaskInFlightAtATime) {
  EventLoopBlockingModel m;
  m.set_tracing(true);
  const RunReport r = expect_serial_digests(m, IoSleep(4, 2'000));
  EXPECT_EQ(r.peak_inflight, 1);
  EXPECT_EQ(limits_of(model_info(m.name()), 4, 1, 2).concurrency, 1);
}

}  // namespace
}  // namespace cvp
