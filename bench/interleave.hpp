// Interleaved repetitions: the benchmarks that answer one question run together, their
// repetitions shuffled, so that a slow stretch of the machine lands on every model alike.
#pragma once

#include <benchmark/benchmark.h>

#include <string>
#include <vector>

namespace cvp::bench {

// The question a benchmark answers: its name without the model and the
// worker count (io_sleep/serial/tasks:10/workers:1/sleep_us:10000 ->
// io_sleep/tasks:10/sleep_us:10000). Every model at one workload point.
std::string question_of(const std::string& name);

// One Google Benchmark filter per question, in the order the questions were
// first registered, matching exactly the benchmarks of `names` (registration
// order) that `filter` selects (Google Benchmark's own syntax: an extended
// regex searched in the full name, which ends in /manual_time; a leading '-'
// negates). Throws std::invalid_argument for a filter that is not a regex.
std::vector<std::string> question_filters(const std::vector<std::string>& names,
                                          const std::string& filter);

// Lets several RunSpecifiedBenchmarks calls write one report: the context
// once, the runs of every call, and the end only when finish() is called.
class SessionReporter final : public benchmark::BenchmarkReporter {
 public:
  explicit SessionReporter(benchmark::BenchmarkReporter& inner) : inner_(inner) {}
  bool ReportContext(const Context& context) override;
  void ReportRuns(const std::vector<Run>& runs) override { inner_.ReportRuns(runs); }
  void Finalize() override {}
  void finish() { inner_.Finalize(); }

 private:
  benchmark::BenchmarkReporter& inner_;
  bool context_reported_ = false;
  bool context_ok_ = true;
};

}  // namespace cvp::bench
