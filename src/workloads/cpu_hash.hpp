// cpu_hash: each task hashes a B-byte message with SHA-256, chained R rounds.
#pragma once

#include <vector>

#include "workloads/workload.hpp"

namespace cvp {

class CpuHash final : public Workload {
 public:
  // Throws std::invalid_argument for tasks, bytes or rounds out of range.
  CpuHash(std::int64_t tasks, std::int64_t bytes, std::int64_t rounds);

  std::string_view name() const override { return "cpu_hash"; }

  // Round 1 hashes message(index); each later round first overwrites the
  // message's leading bytes with the previous digest, so no round can be
  // skipped or reordered. Returns the last digest.
  Digest compute(int index) const override;

  // The B-byte input of task `index`, written into `out` (resized to B).
  static void message(int index, std::int64_t bytes, std::vector<std::uint8_t>& out);

  // What compute returns for task `index` with the given size and rounds.
  static Digest digest(int index, std::int64_t bytes, int rounds);
};

}  // namespace cvp
