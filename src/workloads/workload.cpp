// The workload interface: what one task computes and what it waits on.
#include "workloads/workload.hpp"

#include "params.hpp"

namespace cvp {

Workload::Workload(WorkloadParams params) : params_(params) {
  check_tasks(params_.tasks);
  check_sleep_us(params_.sleep_us);
}

Wait Workload::resume(TaskState& s) const {
  if (s.step == 0) {
    s.digest = compute(s.index);
    s.step = 1;
    if (const auto d = wait(s.index); d.count() > 0) return SleepFor{d};
  }
  if (s.step == 1) {
    after_wait(s.index);
    s.step = 2;
  }
  return TaskDone{};
}

std::chrono::nanoseconds Workload::wait(int) const { return longest_wait(); }

void Workload::after_wait(int) const {}

std::vector<Digest> reference_digests(const Workload& w) {
  std::vector<Digest> out(static_cast<std::size_t>(w.tasks()));
  for (int i = 0; i < w.tasks(); ++i) out[static_cast<std::size_t>(i)] = w.compute(i);
  return out;
}

int first_mismatch(std::span<const Digest> got, std::span<const Digest> want) {
  if (got.size() != want.size()) return 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    if (got[i] != want[i]) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace cvp
