// cpu_hash harness: SHA-256 hashing (CPU-bound tasks) under every execution model.
#include "workloads/cpu_hash.hpp"

#include "grid_facts.hpp"
#include "harnesses.hpp"
#include "sysinfo.hpp"

namespace cvp::bench {

// Sizes, rounds, task counts and workers per profile are in
// bench/grid_facts.json, with the reasons for them.
Harness cpu_hash_harness() {
  return Harness{
      "cpu_hash",
      "CPU-bound tasks: each hashes a message with SHA-256, chained rounds",
      {AxisId::kBytes, AxisId::kRounds},
      {.workload_waits = false, .default_rounds = default_rounds},
      grid_rows("cpu_hash", cvp::usable_cpus()),
      {.complete =
           [](Point& p) {
             if (p.rounds == 0) p.rounds = default_rounds(p.bytes);
           }},
      {{AxisId::kTasks, {4096}}, {AxisId::kWorkers, {2}}, {AxisId::kBytes, hash_sizes()}},
      [](const Point& p) -> std::unique_ptr<cvp::Workload> {
        return std::make_unique<cvp::CpuHash>(p.tasks, p.bytes, p.rounds);
      }};
}

}  // namespace cvp::bench
