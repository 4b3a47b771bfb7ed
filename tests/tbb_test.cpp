// Tests for src/models/tbb.cpp: W threads, W above the core count included.
#include "models/tbb.hpp"

#include <gtest/gtest.h>

#include "models/registry.hpp"
#include "sysinfo.hpp"
#include "test_support.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;
using testing::HookedWorkload;
using testing::seconds_since;

TEST(TbbModel, ReturnsTheSerialDigestsForCpuHash) {
  for (int workers : {1, 2, 4}) {
    TbbModel m(workers);
    expect_serial_digests(m, CpuHash(3, 64, 2));     // fewer tasks than workers
    expect_serial_digests(m, CpuHash(10, 4096, 2));  // not divisible by 4
    expect_serial_digests(m, CpuHash(257, 64, 1));
  }
}

TEST(TbbModel, RunsWSleepsAtOnceEvenAboveTheCoreCount) {
  const int workers = 2 * usable_cpus() + 2;
  TbbModel m(workers);
  const IoSleep w(4 * workers, 30'000);
  m.prepare(w);
  const auto t0 = Clock::now();
  const RunReport r = expect_serial_digests(m, w);
  const double wall = seconds_since(t0);
  EXPECT_EQ(r.peak_inflight, workers);
  // Ideal: 4 rounds of 30 ms. Serial: 4 * W rounds. Half of serial is a wide margin.
  EXPECT_LT(wall, 4.0 * workers * 0.030 / 2);
}

TEST(TbbModel, LimitsFollowWorkersAndCpus) {
  const Limits l = limits_of(model_info("tbb"), 100, 8, 2);
  EXPECT_EQ(l.concurrency, 8);
  EXPECT_EQ(l.parallelism, 2);
}

TEST(TbbModel, AThrowingTaskFailsTheRun) {
  TbbModel m(2);
  const HookedWorkload bad(16, 0, [](int i) {
    if (i == 9) throw std::runtime_error("task 9 failed");
  });
  std::vector<Digest> out(16);
  EXPECT_THROW(m.run(bad, out), std::runtime_error);
}

}  // namespace
}  // namespace cvp
