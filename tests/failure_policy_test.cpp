// Tests for bench/failure_policy.cpp: a digest mismatch is an error, and a failed repetition ends
// its benchmark.
#include "failure_policy.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <vector>

namespace cvp::bench {
namespace {

TEST(DigestError, NamesTheFirstTaskWhoseDigestDiffers) {
  std::vector<Digest> want(4), got(4);
  for (std::size_t i = 0; i < want.size(); ++i) want[i][0] = got[i][0] = static_cast<uint8_t>(i);
  EXPECT_EQ(digest_error(got, want), "");
  got[3][5] ^= 1;
  got[2][0] ^= 1;
  EXPECT_EQ(digest_error(got, want), "task 2: digest differs from the serial model's");
}

// Collects every run's error, repetition by repetition.
class Errors final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return true; }
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.run_type == Run::RT_Iteration)
        messages.push_back(r.error_occurred ? r.error_message : "");
    }
  }
  std::vector<std::string> messages;
};

TEST(FailurePolicy, AFailedRepetitionFailsTheLaterOnesAndCountsOnce) {
  std::string error;
  std::atomic<int> failures{0};
  int repetition = 0;
  benchmark::RegisterBenchmark("policy",
                               [&](benchmark::State& state) {
                                 FailurePolicy policy(state, error, &failures);
                                 if (policy.failed_before()) return;
                                 const int mine = repetition++;
                                 for (auto _ : state) {
                                   if (mine == 1)
                                     policy.fail("task 0: digest differs from the serial model's");
                                   if (mine == 1) policy.fail("a second failure is not counted");
                                 }
                               })
      ->Repetitions(4)
      ->Iterations(1);
  Errors errors;
  benchmark::RunSpecifiedBenchmarks(&errors);
  benchmark::ClearRegisteredBenchmarks();
  const std::string first = "task 0: digest differs from the serial model's";
  EXPECT_EQ(errors.messages,
            (std::vector<std::string>{"", first, "an earlier repetition failed: " + first,
                                      "an earlier repetition failed: " + first}));
  EXPECT_EQ(failures.load(), 1);
  EXPECT_EQ(repetition, 2);  // the repetitions after the failure never ran
}

TEST(FailurePolicy, ARepetitionThatFailsBeforeItsLoopAfterTwoMeasuredOnesIsAnErrorRow) {
  // Google Benchmark 1.7.1 aborted here (ComputeStats: the failed
  // repetitions' 0 iterations against the measured ones' 1), taking the
  // whole harness down.
  std::string error;
  std::atomic<int> failures{0};
  int repetition = 0;
  benchmark::RegisterBenchmark("policy_before_loop",
                               [&](benchmark::State& state) {
                                 FailurePolicy policy(state, error, &failures);
                                 bool looped = false;
                                 if (!policy.failed_before() && repetition++ != 2) {
                                   looped = true;
                                   for (auto _ : state) state.SetIterationTime(1e-3);
                                 } else if (!policy.failed()) {
                                   policy.fail("net_rpc server: pid 1 is stopped");  // set-up
                                 }
                                 if (!looped) policy.skip_loop();
                               })
      ->Repetitions(4)
      ->Iterations(1)
      ->UseManualTime();
  Errors errors;
  benchmark::RunSpecifiedBenchmarks(&errors);
  benchmark::ClearRegisteredBenchmarks();
  const std::string stopped = "net_rpc server: pid 1 is stopped";
  EXPECT_EQ(errors.messages, (std::vector<std::string>{
                                 "", "", stopped, "an earlier repetition failed: " + stopped}));
  EXPECT_EQ(failures.load(), 1);
}

}  // namespace
}  // namespace cvp::bench
