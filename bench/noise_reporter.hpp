// A file reporter that writes Google Benchmark JSON into memory and marks noisy benchmarks.
#pragma once

#include <benchmark/benchmark.h>

#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

namespace cvp::bench {

// Wraps a JSONReporter writing into a string. Each benchmark's repetitions
// arrive together; the wrapper adds to every row of a benchmark `cv_pct`
// (the coefficient of variation of its repetitions' times, in percent) and
// `noisy` (1 when cv_pct exceeds kNoisyCvPct or the paired speedups spread
// over more than kNoisySpreadPct of their median).
class NoiseReporter final : public benchmark::BenchmarkReporter {
 public:
  static constexpr double kNoisyCvPct = 5.0;
  static constexpr double kNoisySpreadPct = 10.0;

  struct Noise {
    double cv_pct = 0;
    bool noisy = false;
  };
  // The rule above over one benchmark's runs (its error-free repetitions);
  // nothing when fewer than two repetitions succeeded.
  static std::optional<Noise> noise_of(const std::vector<Run>& runs);

  NoiseReporter();
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override;
  void Finalize() override;

  // The JSON written so far (whole after Finalize).
  std::string json() const { return out_.str(); }
  int noisy_benchmarks() const { return noisy_; }

 private:
  std::ostringstream out_;
  benchmark::JSONReporter inner_;
  std::map<std::string, Noise> noise_;  // by run name, for the aggregates that follow
  int noisy_ = 0;
};

}  // namespace cvp::bench
