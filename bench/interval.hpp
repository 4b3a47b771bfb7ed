// 95% intervals over a benchmark's repetitions, written as the aggregates ci95_low and ci95_high.
#pragma once

#include <benchmark/benchmark.h>

#include <vector>

namespace cvp::bench {

// The two-sided 95% quantile of Student's t with `df` degrees of freedom
// (df >= 1): the table to 30, a Cornish-Fisher term beyond it.
double t95(int df);

// The 95% interval of the mean of `values` (Student's t): mean -/+ t95(n-1)
// s / sqrt(n). NaN for fewer than two values: one repetition bounds nothing.
double ci95_low(const std::vector<double>& values);
double ci95_high(const std::vector<double>& values);

// Adds both bounds to the aggregates Google Benchmark computes over the
// repetitions (for the time and for every counter).
void add_interval_statistics(benchmark::internal::Benchmark* b);

}  // namespace cvp::bench
