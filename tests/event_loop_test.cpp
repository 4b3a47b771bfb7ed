// Tests for src/models/event_loop.cpp: waits overlap on one thread, computes take turns.
#include "models/event_loop.hpp"

#include <gtest/gtest.h>

#include <thread>

#include "test_support.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;
using testing::HookedWorkload;
using testing::seconds_since;

TEST(EventLoopModel, ReturnsTheSerialDigestsForCpuHash) {
  EventLoopModel m;
  expect_serial_digests(m, CpuHash(1, 64, 2));
  expect_serial_digests(m, CpuHash(33, 4096, 2));
}

TEST(EventLoopModel, OverlapsSleeps) {
  EventLoopModel m;
  const IoSleep w(100, 20'000);
  m.prepare(w);
  const auto t0 = Clock::now();
  const RunReport r = expect_serial_digests(m, w);
  const double wall = seconds_since(t0);
  EXPECT_EQ(r.peak_inflight, 100);
  // Back to back the sleeps take 2 s; overlapped, about 20 ms. A factor of
  // 5 leaves room for any amount of machine load.
  EXPECT_LT(wall, 100 * 0.020 / 5);
  EXPECT_GE(wall, 0.020);
}

TEST(EventLoopModel, RunsComputePhasesOneAtATimeOnTheLoopThread) {
  EventLoopModel m;
  std::vector<std::thread::id> threads(20);
  const HookedWorkload w(
      20, 0, [&](int i) { threads[static_cast<std::size_t>(i)] = std::this_thread::get_id(); });
  const RunReport r = expect_serial_digests(m, w);
  EXPECT_EQ(r.peak_inflight, 1);
  for (const auto& id : threads) EXPECT_EQ(id, std::this_thread::get_id());
}

TEST(EventLoopModel, NeverWaitsLessThanAsked) {
  // Timers count whole milliseconds; a 1.5 ms wait must still last 1.5 ms.
  EventLoopModel m;
  const IoSleep w(50, 1'500);
  for (int run = 0; run < 5; ++run) {
    const auto t0 = Clock::now();
    expect_serial_digests(m, w);
    EXPECT_GE(Clock::now() - t0, std::chrono::microseconds(1'500));
  }
}

TEST(EventLoopModel, ReusesItsTimersAcrossRunsOfDifferentSizes) {
  EventLoopModel m;
  expect_serial_digests(m, IoSleep(10, 1000));
  expect_serial_digests(m, IoSleep(3, 1000));
  expect_serial_digests(m, IoSleep(25, 0));
}

TEST(EventLoopModel, AThrowingTaskFailsTheRunAndTheLoopStaysUsable) {
  EventLoopModel m;
  const HookedWorkload bad(10, 1000, [](int i) {
    if (i == 4) throw std::runtime_error("task 4 failed");
  });
  std::vector<Digest> out(10);
  EXPECT_THROW(m.run(bad, out), std::runtime_error);
  expect_serial_digests(m, IoSleep(10, 1000));
}

TEST(EventLoopModel, RunsEveryStepOfATaskThatWaitsTwice) {
  EventLoopModel m;
  const testing::ThreeStepWorkload w(50, 2'000);
  m.prepare(w);
  const RunReport r = expect_serial_digests(m, w);
  // Every task is in flight across both of its waits at once.
  EXPECT_EQ(r.peak_inflight, 50);
}

}  // namespace
}  // namespace cvp
