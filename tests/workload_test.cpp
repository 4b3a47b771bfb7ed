// Tests for src/workloads/workload.cpp: the reference digests and the mismatch finder.
#include "workloads/workload.hpp"

#include <gtest/gtest.h>

#include "workloads/cpu_hash.hpp"
#include "workloads/io_sleep.hpp"

namespace cvp {
namespace {

TEST(ReferenceDigests, OnePerTaskFromComputeAlone) {
  const CpuHash w(5, 64, 3);
  const auto ref = reference_digests(w);
  ASSERT_EQ(ref.size(), 5u);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(ref[static_cast<std::size_t>(i)], w.compute(i));
}

TEST(ReferenceDigests, SkipTheWaits) {
  const IoSleep w(3, 5'000'000);  // 15 s of waiting if the waits were run
  const auto t0 = std::chrono::steady_clock::now();
  reference_digests(w);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(1));
}

TEST(FirstMismatch, NamesTheFirstDifferingTask) {
  std::vector<Digest> a(4), b(4);
  EXPECT_EQ(first_mismatch(a, b), -1);
  b[2][0] = 1;
  b[3][0] = 1;
  EXPECT_EQ(first_mismatch(a, b), 2);
}

TEST(Workload, DefaultWaitIsSleepUs) {
  const IoSleep w(2, 1'500);
  EXPECT_EQ(w.wait(1), std::chrono::microseconds(1'500));
  EXPECT_EQ(w.longest_wait(), std::chrono::microseconds(1'500));
}

}  // namespace
}  // namespace cvp
