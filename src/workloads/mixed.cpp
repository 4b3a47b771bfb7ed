// mixed: each task hashes for a share of its time, then waits for the rest.
#include "workloads/mixed.hpp"

#include "params.hpp"
#include "workloads/cpu_hash.hpp"
#include "workloads/io_sleep.hpp"

namespace cvp {
namespace {

WorkloadParams checked(std::int64_t tasks, std::int64_t bytes, std::int64_t rounds,
                       std::int64_t sleep_us) {
  const auto r = static_cast<int>(check_range("rounds", rounds, 0, kMaxRounds));
  return {check_tasks(tasks), check_sleep_us(sleep_us), r > 0 ? check_bytes(bytes) : 0, r};
}

}  // namespace

Mixed::Mixed(std::int64_t tasks, std::int64_t bytes, std::int64_t rounds, std::int64_t sleep_us)
    : Workload(checked(tasks, bytes, rounds, sleep_us)) {}

Digest Mixed::compute(int index) const {
  if (params().rounds == 0) return IoSleep::token(index);
  return CpuHash::digest(index, params().bytes, params().rounds);
}

}  // namespace cvp
