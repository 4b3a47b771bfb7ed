// Tests for bench/progress_reporter.cpp: the one line per finished benchmark.
#include "progress_reporter.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

namespace cvp::bench {
namespace {

using BRun = benchmark::BenchmarkReporter::Run;

BRun repetition(double ms, double parallelism, double peak, double efficiency) {
  BRun r;
  r.run_name.function_name = "cpu_hash/fork/tasks:64/workers:2/bytes:64";
  r.run_name.time_type = "manual_time";
  r.iterations = 4;
  r.time_unit = benchmark::kMillisecond;
  r.real_accumulated_time = 4 * ms / 1e3;
  r.counters["parallelism"] = parallelism;
  r.counters["peak_inflight"] = peak;
  r.counters["efficiency"] = efficiency;
  return r;
}

TEST(ProgressReporter, OneLineWithMediansTheLargestPeakAndTheNoisyMark) {
  std::vector<BRun> runs = {repetition(10, 1.0, 1, 0.5), repetition(12, 2.0, 3, 0.7),
                            repetition(11, 1.5, 2, 0.6)};
  for (BRun& r : runs) r.counters["speedup"] = 1.1;
  // cv of 10, 12, 11 ms: 1 / 11 = 9.1% > 5%: noisy. 65 s for 2 of 5: 97.5 s left.
  EXPECT_EQ(ProgressReporter::line(2, 5, runs, 65.0),
            "[2/5] cpu_hash/fork/tasks:64/workers:2/bytes:64: 11.000 ms, parallelism 1.50, "
            "peak_inflight 3, efficiency 0.60, speedup 1.10, noisy (cv 9.1%)  "
            "(elapsed 1:05, ~1:38 left)");
}

TEST(ProgressReporter, ASteadyBenchmarkHasNoMarkAndLostUpdatesShow) {
  std::vector<BRun> runs = {repetition(10, 1.0, 64, 0.9), repetition(10.1, 1.0, 64, 0.9)};
  for (BRun& r : runs) r.counters["lost_updates"] = 63;
  EXPECT_EQ(ProgressReporter::line(1, 1, runs, 0.4),
            "[1/1] cpu_hash/fork/tasks:64/workers:2/bytes:64: 10.050 ms, parallelism 1.00, "
            "peak_inflight 64, efficiency 0.90, lost_updates 63.0  (elapsed 0:00, ~0:00 left)");
}

TEST(ProgressReporter, AFailedBenchmarkSaysTheFirstError) {
  std::vector<BRun> runs = {repetition(10, 1, 1, 1), repetition(10, 1, 1, 1)};
  runs[0].error_occurred = true;
  runs[0].error_message = "fork: worker 0 of 2 (pid 7) was killed by signal 9 (Killed)";
  runs[1].error_occurred = true;
  runs[1].error_message = "an earlier repetition failed: ...";
  EXPECT_EQ(ProgressReporter::line(3, 4, runs, 90),
            "[3/4] cpu_hash/fork/tasks:64/workers:2/bytes:64: error: fork: worker 0 of 2 (pid 7) "
            "was killed by signal 9 (Killed)  (elapsed 1:30, ~0:30 left)");
}

TEST(ProgressReporter, PrintsOnceForABenchmarkAndNotForItsAggregates) {
  char* text = nullptr;
  std::size_t size = 0;
  std::FILE* out = open_memstream(&text, &size);
  ASSERT_NE(out, nullptr);
  {
    ProgressReporter reporter(2, out);
    reporter.ReportContext({});
    reporter.ReportRuns({repetition(10, 1, 1, 1), repetition(10, 1, 1, 1)});
    BRun mean = repetition(10, 1, 1, 1);
    mean.run_type = BRun::RT_Aggregate;
    mean.aggregate_name = "mean";
    reporter.ReportRuns({mean});
  }
  std::fclose(out);
  const std::string printed(text, size);
  std::free(text);
  EXPECT_EQ(printed.find("[1/2] "), 0u) << printed;
  EXPECT_EQ(printed.find('\n'), printed.size() - 1) << printed;
}

TEST(ProgressLine, IsTheSharedLineForAnyStep) {
  // timeline prints it too, for each traced model.
  EXPECT_EQ(progress_line(2, 4, "io_sleep/fork: traced, wall 57 ms", 65),
            "[2/4] io_sleep/fork: traced, wall 57 ms  (elapsed 1:05, ~1:05 left)");
}

}  // namespace
}  // namespace cvp::bench
