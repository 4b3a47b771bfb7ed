// What the machine lets this process use: CPUs by affinity and by cgroup quota.
#pragma once

#include <optional>

namespace cvp {

struct CpuBudget {
  int affinity = 1;                    // CPUs in this process's affinity mask
  std::optional<double> cgroup_quota;  // cpu.max quota / period, if limited
  int usable = 1;                      // min(affinity, ceil(quota)): the parallelism ceiling
};

CpuBudget cpu_budget();

// cpu_budget().usable, computed once per process.
int usable_cpus();

}  // namespace cvp
