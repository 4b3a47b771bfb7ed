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

// The whole machine's CPU time from /proc/stat's "cpu" line, in seconds:
// busy (user, nice, system, irq, softirq, steal), steal alone, and all.
struct MachineCpu {
  double busy_s = 0;
  double steal_s = 0;
  double total_s = 0;
};
MachineCpu machine_cpu();

// MemAvailable from /proc/meminfo in bytes, or nothing when unreadable.
std::optional<long long> mem_available_bytes();

// The 1-minute load average (/proc/loadavg), or -1 when unreadable.
double loadavg_1m();

}  // namespace cvp
