// The execution-model interface, and the ideal run time every model is measured against.
#include "models/model.hpp"

#include <algorithm>

#include "params.hpp"

namespace cvp {

Model::Model(int workers) : workers_(check_workers(workers)) {}

void Model::prepare(const Workload&) {}

std::chrono::duration<double> ideal_run_time(Limits limits, int tasks,
                                             std::chrono::duration<double> cpu,
                                             std::chrono::duration<double> wait) {
  const int slots = std::clamp(limits.concurrency, 1, tasks);
  const int cpus = std::clamp(limits.parallelism, 1, slots);
  const auto rounds = [tasks](int width) { return (tasks + width - 1) / width; };
  // Each slot runs its tasks back to back; and the CPUs cannot finish the
  // computes before ceil(N/P) of them, after which the last task still waits.
  return std::max(rounds(slots) * (cpu + wait), rounds(cpus) * cpu + wait);
}

}  // namespace cvp
