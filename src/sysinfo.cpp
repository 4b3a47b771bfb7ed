// What the machine lets this process use: CPUs by affinity and by cgroup quota.
#include "sysinfo.hpp"

#include <sched.h>
#include <unistd.h>

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

MachineCpu machine_cpu() {
  std::ifstream in("/proc/stat");
  std::string label;
  double user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0;
  MachineCpu m;
  if (!(in >> label >> user >> nice >> system >> idle >> iowait >> irq >> softirq >> steal) ||
      label != "cpu") {
    return m;
  }
  const double tick = static_cast<double>(sysconf(_SC_CLK_TCK));
  m.busy_s = (user + nice + system + irq + softirq + steal) / tick;
  m.steal_s = steal / tick;
  m.total_s = (user + nice + system + idle + iowait + irq + softirq + steal) / tick;
  return m;
}

std::optional<long long> mem_available_bytes() {
  std::ifstream in("/proc/meminfo");
  std::string key, unit;
  long long kib = 0;
  while (in >> key >> kib) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return kib * 1024;
  }
  return std::nullopt;
}

double loadavg_1m() {
  std::ifstream in("/proc/loadavg");
  double one = -1;
  in >> one;
  return in ? one : -1;
}

int usable_cpus() {
  static const int cpus = cpu_budget().usable;
  return cpus;
}

}  // namespace cvp
