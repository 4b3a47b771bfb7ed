// Tests for src/workloads/mixed.cpp: a task is a cpu_hash task, then an io_sleep wait.
#include "workloads/mixed.hpp"

#include <gtest/gtest.h>

#include "workloads/cpu_hash.hpp"
#include "workloads/io_sleep.hpp"

namespace cvp {
namespace {

TEST(Mixed, HashesLikeCpuHashThenWaits) {
  const Mixed w(5, 4096, 3, 2'000);
  const CpuHash h(5, 4096, 3);
  for (int i = 0; i < 5; ++i) EXPECT_EQ(w.compute(i), h.compute(i));
  EXPECT_EQ(w.wait(4), std::chrono::milliseconds(2));
}

TEST(Mixed, WithoutRoundsItIsAnIoSleepTask) {
  const Mixed w(3, 0, 0, 10'000);
  EXPECT_EQ(w.compute(2), IoSleep(3, 10'000).compute(2));
  EXPECT_EQ(w.params().bytes, 0);
}

TEST(Mixed, RejectsBadParameters) {
  EXPECT_THROW(Mixed(0, 64, 1, 0), std::invalid_argument);
  EXPECT_THROW(Mixed(4, 0, 1, 0), std::invalid_argument);  // rounds need bytes
  EXPECT_THROW(Mixed(4, 64, -1, 0), std::invalid_argument);
  EXPECT_THROW(Mixed(4, 64, 1, -5), std::invalid_argument);
}

}  // namespace
}  // namespace cvp
