// Tests for src/models/task_latency.cpp: nearest-rank percentiles of a known set of latencies.
#include "models/task_latency.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <stdexcept>
#include <vector>

namespace cvp {
namespace {

// 1 to n, shuffled: the percentile must not depend on the order tasks ended in.
std::vector<std::int64_t> shuffled_one_to(int n) {
  std::vector<std::int64_t> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 1);
  std::shuffle(v.begin(), v.end(), std::mt19937(42));
  return v;
}

TEST(NearestRank, OfOneToAHundredIsThePercentItself) {
  for (const int p : {1, 50, 99, 100}) {
    std::vector<std::int64_t> v = shuffled_one_to(100);
    EXPECT_EQ(nearest_rank(v, p), p);
  }
}

TEST(NearestRank, RoundsTheRankUpSoTheTailIsNeverUnderstated) {
  // Ten tasks: p50 is the 5th (ceil 5.0), p99 the 10th (ceil 9.9), p95 the 10th too.
  std::vector<std::int64_t> v = shuffled_one_to(10);
  EXPECT_EQ(nearest_rank(v, 50), 5);
  EXPECT_EQ(nearest_rank(v, 99), 10);
  EXPECT_EQ(nearest_rank(v, 95), 10);
  // 1000 tasks: p99 is the 990th, exactly (a rank of 0.99 * 1000 in doubles is not).
  std::vector<std::int64_t> w = shuffled_one_to(1000);
  EXPECT_EQ(nearest_rank(w, 99), 990);
}

TEST(NearestRank, IsAlwaysOneOfTheValues) {
  // One slow task of 100: p99 is a fast one, p100 the slow one; no blend of the two.
  std::vector<std::int64_t> v(100, 20'000'000);
  v[37] = 90'000'000;
  EXPECT_EQ(nearest_rank(v, 99), 20'000'000);
  EXPECT_EQ(nearest_rank(v, 100), 90'000'000);
  std::vector<std::int64_t> one{7};
  EXPECT_EQ(nearest_rank(one, 1), 7);
  EXPECT_EQ(nearest_rank(one, 99), 7);
}

TEST(NearestRank, NoValuesGiveZeroAndABadPercentIsRefused) {
  std::vector<std::int64_t> none;
  EXPECT_EQ(nearest_rank(none, 50), 0);
  std::vector<std::int64_t> v{1, 2, 3};
  EXPECT_THROW(nearest_rank(v, 0), std::invalid_argument);
  EXPECT_THROW(nearest_rank(v, 101), std::invalid_argument);
}

TEST(LatencyPercentiles, AreInMilliseconds) {
  // 200 tasks of 1 to 200 ms: p50 the 100th, p99 the 198th.
  std::vector<std::int64_t> v = shuffled_one_to(200);
  for (std::int64_t& ns : v) ns *= 1'000'000;
  const LatencyPercentiles l = latency_percentiles(v);
  EXPECT_DOUBLE_EQ(l.p50_ms, 100);
  EXPECT_DOUBLE_EQ(l.p99_ms, 198);
}

}  // namespace
}  // namespace cvp
