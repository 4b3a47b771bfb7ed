// Tests for bench/noise_reporter.cpp: cv_pct and noisy on every row of a benchmark.
#include "noise_reporter.hpp"

#include <gtest/gtest.h>

#include "result_file.hpp"

namespace cvp::bench {
namespace {

using Run = benchmark::BenchmarkReporter::Run;

std::vector<Run> repetitions(std::vector<double> ms) {
  std::vector<Run> runs;
  for (std::size_t i = 0; i < ms.size(); ++i) {
    Run r;
    r.run_name.function_name = "io_sleep/serial/tasks:1/workers:1/sleep_us:1";
    r.iterations = 1;
    r.time_unit = benchmark::kMillisecond;
    r.real_accumulated_time = ms[i] / 1e3;
    r.repetitions = static_cast<std::int64_t>(ms.size());
    r.repetition_index = static_cast<std::int64_t>(i);
    runs.push_back(r);
  }
  return runs;
}

TEST(NoiseReporter, MarksABenchmarkWhoseRepetitionsSpreadOverFivePercent) {
  NoiseReporter steady, noisy;
  steady.ReportRuns(repetitions({10.0, 10.1, 9.9}));
  noisy.ReportRuns(repetitions({10.0, 14.0, 9.0}));
  EXPECT_EQ(steady.noisy_benchmarks(), 0);
  EXPECT_EQ(noisy.noisy_benchmarks(), 1);
  EXPECT_NE(noisy.json().find("\"noisy\": 1"), std::string::npos) << noisy.json();
  EXPECT_NE(steady.json().find("\"noisy\": 0"), std::string::npos) << steady.json();
}

}  // namespace
}  // namespace cvp::bench
