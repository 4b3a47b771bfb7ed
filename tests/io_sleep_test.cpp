// Tests for src/workloads/io_sleep.cpp: tokens follow the index alone; bad parameters are refused.
#include "workloads/io_sleep.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

namespace cvp {
namespace {

TEST(IoSleep, TokenDependsOnIndexAlone) {
  const IoSleep a(10, 1000), b(500, 7);
  for (int i = 0; i < 10; ++i) EXPECT_EQ(a.compute(i), b.compute(i));
}

TEST(IoSleep, TokensOfDifferentTasksDiffer) {
  const IoSleep w(1000, 0);
  std::set<Digest> seen;
  for (int i = 0; i < w.tasks(); ++i) seen.insert(w.compute(i));
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(IoSleep, WaitIsTheSleepLength) {
  EXPECT_EQ(IoSleep(1, 10'000).wait(0), std::chrono::milliseconds(10));
  EXPECT_EQ(IoSleep(3, 0).wait(2), std::chrono::nanoseconds(0));
}

TEST(IoSleep, EachTaskCanHaveItsOwnSleep) {
  const IoSleep w(std::vector<std::int64_t>{100'000, 200'000});
  EXPECT_EQ(w.tasks(), 2);
  EXPECT_EQ(w.wait(0), std::chrono::milliseconds(100));
  EXPECT_EQ(w.wait(1), std::chrono::milliseconds(200));
  EXPECT_EQ(w.longest_wait(), std::chrono::milliseconds(200));
  EXPECT_EQ(w.compute(1), IoSleep(2, 5).compute(1));
  EXPECT_THROW(IoSleep(std::vector<std::int64_t>{}), std::invalid_argument);
  EXPECT_THROW(IoSleep(std::vector<std::int64_t>{5, -1}), std::invalid_argument);
}

TEST(IoSleep, RejectsBadParametersNamingThem) {
  EXPECT_THROW(
      {
        try {
          IoSleep(0, 1000);
        } catch (const std::invalid_argument& e) {
          EXPECT_STREQ(e.what(), "tasks is 0; allowed: 1 to 1000000");
          throw;
        }
      },
      std::invalid_argument);
  EXPECT_THROW(IoSleep(10, -1), std::invalid_argument);
  EXPECT_THROW(IoSleep(10, 20'000'000), std::invalid_argument);
}

}  // namespace
}  // namespace cvp
