// How a benchmark fails: a digest mismatch is an error row, never a number, and a failed
// repetition ends the benchmark.
#include "failure_policy.hpp"

#include "workloads/workload.hpp"

namespace cvp::bench {

std::string digest_error(std::span<const Digest> got, std::span<const Digest> want) {
  const int bad = first_mismatch(got, want);
  if (bad < 0) return "";
  return "task " + std::to_string(bad) + ": digest differs from the serial model's";
}

bool FailurePolicy::failed_before() {
  if (error_.empty()) return false;
  state_.SkipWithError(("an earlier repetition failed: " + error_).c_str());
  return true;
}

void FailurePolicy::fail(const std::string& message) {
  if (!error_.empty()) return;
  error_ = message;
  if (failures_ != nullptr) failures_->fetch_add(1);
  state_.SkipWithError(message.c_str());
}

void FailurePolicy::skip_loop() {
  if (!state_.error_occurred()) return;  // only a failed repetition may skip its runs
  for (auto _ : state_) {
  }
}

}  // namespace cvp::bench
