// Tests for bench/interval.cpp: the 95% interval of the mean over repetitions.
#include "interval.hpp"

#include <gtest/gtest.h>

#include <cmath>

namespace cvp::bench {
namespace {

TEST(Interval, T95MatchesTheTableAndApproachesTheNormalQuantile) {
  EXPECT_DOUBLE_EQ(t95(1), 12.706);
  EXPECT_DOUBLE_EQ(t95(4), 2.776);
  EXPECT_DOUBLE_EQ(t95(30), 2.042);
  EXPECT_NEAR(t95(60), 2.000, 0.005);   // the exact quantile is 2.0003
  EXPECT_NEAR(t95(120), 1.980, 0.005);  // 1.9799
  EXPECT_TRUE(std::isnan(t95(0)));
}

TEST(Interval, BoundsTheMeanByStudentsT) {
  // mean 3, s = sqrt(2.5), n = 5: half width 2.776 * 1.5811 / 2.2361 = 1.9629.
  const std::vector<double> v{1, 2, 3, 4, 5};
  EXPECT_NEAR(ci95_low(v), 3 - 1.9629, 1e-3);
  EXPECT_NEAR(ci95_high(v), 3 + 1.9629, 1e-3);
}

TEST(Interval, IsAPointWhenEveryRepetitionAgrees) {
  const std::vector<double> v{7, 7, 7};
  EXPECT_DOUBLE_EQ(ci95_low(v), 7);
  EXPECT_DOUBLE_EQ(ci95_high(v), 7);
}

TEST(Interval, OneRepetitionBoundsNothing) {
  EXPECT_TRUE(std::isnan(ci95_low({4.0})));
  EXPECT_TRUE(std::isnan(ci95_high({4.0})));
  EXPECT_TRUE(std::isnan(ci95_low({})));
}

}  // namespace
}  // namespace cvp::bench
