// The console: one line per finished benchmark on stderr, with where the run is.
#pragma once

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

namespace cvp::bench {

// Google Benchmark's display reporter replaced by one line per benchmark
// (all its repetitions), the same line the Python harness prints:
//   [k/N] NAME: MEDIAN ms, parallelism P.PP, peak_inflight I, efficiency E.EE
//   [, speedup S.SS][, lost_updates L.L][, noisy (cv X.X%)]  (elapsed M:SS, ~M:SS left)
// or "[k/N] NAME: error: MESSAGE  (elapsed ...)". MEDIAN is the median real
// time per run; the counters are medians over the repetitions
// (peak_inflight the largest); noisy is NoiseReporter's rule. The table's
// context block (and its DEBUG-library warning) is not printed.
class ProgressReporter final : public benchmark::BenchmarkReporter {
 public:
  // `total`: the benchmarks that will run (after the filter).
  explicit ProgressReporter(std::size_t total, std::FILE* out = stderr);
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;

  // The line for benchmark `k` of `total` (no newline), `elapsed_s` after the start.
  static std::string line(std::size_t k, std::size_t total, const std::vector<Run>& runs,
                          double elapsed_s);

 private:
  std::size_t total_;
  std::size_t done_ = 0;
  std::FILE* out_;
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// "[k/N] WHAT  (elapsed M:SS, ~M:SS left)": the console line every
// harness (and timeline) prints for a finished step, `elapsed_s` after the
// start; what is left is estimated from the mean step so far.
std::string progress_line(std::size_t k, std::size_t total, const std::string& what,
                          double elapsed_s);

// A reporter whose ReportContext refuses, so that Google Benchmark returns
// the number of benchmarks its filter matched without running any.
class CountingReporter final : public benchmark::BenchmarkReporter {
 public:
  CountingReporter();
  bool ReportContext(const Context&) override { return false; }
  void ReportRuns(const std::vector<Run>&) override {}

 private:
  std::ostream null_{nullptr};  // no buffer: every write is dropped
};

// How many registered benchmarks the command line's filter selects.
std::size_t count_selected_benchmarks();

}  // namespace cvp::bench
