// Reporters for the mpi harness: silence on every rank but 0, and names without Google Benchmark's
// iterations suffix.
#pragma once

#include <benchmark/benchmark.h>

#include <ostream>
#include <vector>

namespace cvp::mpi {

// What the ranks other than 0 report: nothing (rank 0 reports for all),
// not even the list that --benchmark_list_tests writes to the reporter's
// stream.
class SilentReporter final : public benchmark::BenchmarkReporter {
 public:
  SilentReporter() {
    SetOutputStream(&null_);
    SetErrorStream(&null_);
  }
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>&) override {}

 private:
  std::ostream null_{nullptr};  // no buffer: every write is dropped
};

// Forwards to `inner` with the "iterations:k" part of every name removed:
// every rank must run the same number of iterations, so each benchmark has
// a fixed count (->Iterations(k)), which Google Benchmark writes into the
// name; the name grammar has no place for it.
class PlainNames final : public benchmark::BenchmarkReporter {
 public:
  explicit PlainNames(benchmark::BenchmarkReporter& inner) : inner_(inner) {}
  bool ReportContext(const Context& context) override { return inner_.ReportContext(context); }
  void ReportRuns(const std::vector<Run>& runs) override {
    std::vector<Run> plain = runs;
    for (Run& r : plain) r.run_name.iterations.clear();
    inner_.ReportRuns(plain);
  }
  void Finalize() override { inner_.Finalize(); }

 private:
  benchmark::BenchmarkReporter& inner_;
};

}  // namespace cvp::mpi
