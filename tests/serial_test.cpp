// Tests for src/models/serial.cpp: one task at a time, the reference digests.
#include "models/serial.hpp"

#include <gtest/gtest.h>

#include "models/registry.hpp"
#include "test_support.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;

TEST(SerialModel, ReturnsTheReferenceDigests) {
  SerialModel m;
  expect_serial_digests(m, CpuHash(37, 64, 3));
  expect_serial_digests(m, IoSleep(5, 100));
}

TEST(SerialModel, RunsOneTaskAtATime) {
  SerialModel m;
  const IoSleep w(5, 20'000);
  const auto t0 = Clock::now();
  const RunReport r = expect_serial_digests(m, w);
  EXPECT_EQ(r.peak_inflight, 1);
  // Five 20 ms sleeps one after another cannot take less than 100 ms.
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(100));
}

TEST(SerialModel, LimitsAreOneAndOne) {
  const Limits l = limits_of(model_info("serial"), 100, 1, 8);
  EXPECT_EQ(l.concurrency, 1);
  EXPECT_EQ(l.parallelism, 1);
}

}  // namespace
}  // namespace cvp
