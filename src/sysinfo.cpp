// What the machine lets this process use: CPUs by affinity and by cgroup quota.
#include "sysinfo.hpp"

#include <sched.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

namespace cvp {
namespace {

// cgroup v2 "cpu.max" holds "<quota> <period>" or "max <period>".
std::optional<double> read_cgroup_quota() {
  std::ifstream in("/sys/fs/cgroup/cpu.max");
  std::string quota;
  double period = 0;
  if (!(in >> quota >> period) || quota == "max" || period <= 0) return std::nullopt;
  try {
    return std::stod(quota) / period;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

}  // namespace

CpuBudget cpu_budget() {
  CpuBudget b;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) b.affinity = std::max(1, CPU_COUNT(&set));
  b.cgroup_quota = read_cgroup_quota();
  b.usable = b.affinity;
  if (b.cgroup_quota) {
    b.usable = std::clamp(static_cast<int>(std::ceil(*b.cgroup_quota)), 1, b.affinity);
  }
  return b;
}

int usable_cpus() {
  static const int cpus = cpu_budget().usable;
  return cpus;
}

}  // namespace cvp
