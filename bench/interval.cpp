// 95% intervals over a benchmark's repetitions, written as the aggregates ci95_low and ci95_high.
#include "interval.hpp"

#include <array>
#include <cmath>
#include <limits>
#include <numeric>

namespace cvp::bench {
namespace {

// Student's t, two-sided 95%, df = 1..30.
constexpr std::array<double, 30> kT95{12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                                      2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                                      2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                                      2.060,  2.056, 2.052, 2.048, 2.045, 2.042};

double half_width(const std::vector<double>& v) {
  const double n = static_cast<double>(v.size());
  const double mean = std::accumulate(v.begin(), v.end(), 0.0) / n;
  double ss = 0;
  for (const double x : v) ss += (x - mean) * (x - mean);
  return t95(static_cast<int>(v.size()) - 1) * std::sqrt(ss / (n - 1)) / std::sqrt(n);
}

double mean_of(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

}  // namespace

double t95(int df) {
  if (df < 1) return std::numeric_limits<double>::quiet_NaN();
  if (df <= static_cast<int>(kT95.size())) return kT95[static_cast<std::size_t>(df - 1)];
  // Within 0.005 of the exact quantile beyond df = 30.
  constexpr double z = 1.959964;
  return z + (z * z * z + z) / (4.0 * df);
}

double ci95_low(const std::vector<double>& values) {
  if (values.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  return mean_of(values) - half_width(values);
}

double ci95_high(const std::vector<double>& values) {
  if (values.size() < 2) return std::numeric_limits<double>::quiet_NaN();
  return mean_of(values) + half_width(values);
}

void add_interval_statistics(benchmark::internal::Benchmark* b) {
  b->ComputeStatistics("ci95_low", ci95_low)->ComputeStatistics("ci95_high", ci95_high);
}

}  // namespace cvp::bench
