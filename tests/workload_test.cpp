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

TEST(Workload, DefaultTaskComputesThenSleepsThenEnds) {
  const IoSleep w(2, 1'500);
  TaskState s;
  s.restart(1);
  const Wait first = w.resume(s);
  ASSERT_TRUE(std::holds_alternative<SleepFor>(first));
  EXPECT_EQ(std::get<SleepFor>(first).duration, std::chrono::microseconds(1'500));
  EXPECT_EQ(s.digest, w.compute(1));
  EXPECT_TRUE(finished(w.resume(s)));
  EXPECT_EQ(s.digest, w.compute(1));
}

TEST(Workload, DefaultTaskWithoutWaitEndsAfterItsCompute) {
  const CpuHash w(1, 64, 2);
  TaskState s;
  s.restart(0);
  EXPECT_TRUE(finished(w.resume(s)));
  EXPECT_EQ(s.digest, w.compute(0));
}

TEST(TaskState, RestartForgetsTheLastTask) {
  TaskState s;
  s.restart(3);
  s.step = 2;
  s.digest[0] = 7;
  s.received = {1, 2, 3};
  s.restart(4);
  EXPECT_EQ(s.index, 4);
  EXPECT_EQ(s.step, 0);
  EXPECT_EQ(s.digest, Digest{});
  EXPECT_TRUE(s.received.empty());
}

}  // namespace
}  // namespace cvp
