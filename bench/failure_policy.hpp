// How a benchmark fails: a digest mismatch is an error row, never a number, and a failed
// repetition ends the benchmark.
#pragma once

#include <benchmark/benchmark.h>

#include <atomic>
#include <span>
#include <string>

#include "sha256.hpp"

namespace cvp::bench {

// "task 3: digest differs from the serial model's" for the first task whose
// digest is not the reference's, or "" when every one matches. Checked
// after the clock stops: the comparison is never part of a run's time.
std::string digest_error(std::span<const Digest> got, std::span<const Digest> want);

// A failure is final for a benchmark: its later repetitions fail at once,
// so Google Benchmark 1.7.1 never sees a failed repetition followed by a
// successful one (its ComputeStats crashes on that) and the error row is
// printed without delay; see skip_loop for the other way it crashes. `error` outlives the repetitions (the benchmark's
// sticky state); `failures`, when given, counts the benchmarks that failed.
class FailurePolicy {
 public:
  FailurePolicy(benchmark::State& state, std::string& error, std::atomic<int>* failures)
      : state_(state), error_(error), failures_(failures) {}

  // True when an earlier repetition failed: this one is skipped with its error.
  bool failed_before();
  // Fails the benchmark with `message`; only its first failure counts.
  void fail(const std::string& message);
  bool failed() const { return !error_.empty(); }
  // For a repetition that failed before its timing loop began (an earlier
  // repetition's failure, or its own set-up's): runs the loop, which with
  // the error set runs no iteration. Google Benchmark 1.7.1 counts a
  // repetition that never entered its loop as 0 iterations, and its
  // ComputeStats aborts when that differs from the other repetitions' count:
  // two measured repetitions, then one whose server had stopped, ended the
  // harness with SIGABRT instead of an error row.
  void skip_loop();

 private:
  benchmark::State& state_;
  std::string& error_;
  std::atomic<int>* failures_;
};

}  // namespace cvp::bench
