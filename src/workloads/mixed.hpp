// mixed: each task hashes for a share of its time, then waits for the rest.
#pragma once

#include "workloads/workload.hpp"

namespace cvp {

// A task with a CPU share between 0 and 1: R chained SHA-256 rounds over a
// B-byte message (as cpu_hash), then a wait of sleep_us (as io_sleep). With
// no rounds it is an io_sleep task; with no sleep, a cpu_hash task.
class Mixed final : public Workload {
 public:
  // Throws std::invalid_argument for a parameter out of range; bytes is
  // checked only when there are rounds to hash.
  Mixed(std::int64_t tasks, std::int64_t bytes, std::int64_t rounds, std::int64_t sleep_us);

  std::string_view name() const override { return "mixed"; }
  Digest compute(int index) const override;
};

}  // namespace cvp
