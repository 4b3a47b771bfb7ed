// The axis table: every benchmark parameter once, driving its flag, help, name, counter and check.
#include "axes.hpp"

#include <charconv>
#include <stdexcept>

#include "params.hpp"

namespace cvp::bench {
namespace {

constexpr Axis kAxes[] = {
    {AxisId::kTasks, "tasks", "tasks per run", 1, kMaxTasks, &Point::tasks, InName::kAlways},
    {AxisId::kWorkers, "workers", "workers (threads or processes) for the models that take W", 1,
     kMaxWorkers, &Point::workers, InName::kAlways},
    {AxisId::kSleepUs, "sleep_us", "microseconds each task waits", 0, kMaxSleepUs, &Point::sleep_us,
     InName::kIfWorkloadWaits},
    {AxisId::kBytes, "bytes", "message bytes each task hashes", 1, kMaxBytes, &Point::bytes,
     InName::kIfPositive},
    {AxisId::kRounds, "rounds", "chained SHA-256 rounds per task", 1, kMaxRounds, &Point::rounds,
     InName::kIfNotDefault},
    {AxisId::kCpuSharePct, "cpu_share_pct", "percent of each 10 ms task spent hashing", 0, 100,
     &Point::cpu_share_pct, InName::kNever},
    {AxisId::kLock, "lock", "1: each task holds a lock across read, wait and write", 0, 1,
     &Point::lock, InName::kIfHarnessNames},
    {AxisId::kWait, "wait", "1: the wait sits between the read and the write", 0, 1, &Point::wait,
     InName::kIfHarnessNames},
    {AxisId::kConnPerTask, "conn_per_task",
     "1: each task connects, asks and closes; 0: it asks on a connection opened before timing", 0,
     1, &Point::conn_per_task, InName::kIfConnections},
    {AxisId::kCold, "cold",
     "1: the file's pages are dropped from the page cache before each run; 0: all resident", 0, 1,
     &Point::cold, InName::kIfCache},
};

}  // namespace

std::span<const Axis> axes() { return kAxes; }

const Axis& axis(AxisId id) { return kAxes[static_cast<int>(id)]; }

const Axis* find_axis(std::string_view name) {
  for (const Axis& a : kAxes) {
    if (a.name == name) return &a;
  }
  return nullptr;
}

std::int64_t check(const Axis& a, std::int64_t v) { return check_range(a.name, v, a.lo, a.hi); }

std::vector<std::int64_t> parse_list(std::string_view flag, std::string_view value) {
  std::vector<std::int64_t> out;
  std::size_t at = 0;
  for (;;) {
    const std::size_t comma = value.find(',', at);
    const std::string_view item =
        value.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at);
    std::int64_t v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (item.empty() || ec != std::errc() || end != item.data() + item.size()) {
      throw std::invalid_argument("--" + std::string(flag) + ": '" + std::string(item) +
                                  "' is not a whole number");
    }
    out.push_back(v);
    if (comma == std::string_view::npos) return out;
    at = comma + 1;
  }
}

std::string benchmark_name(std::string_view workload, const Point& p, const NameRules& rules) {
  std::string name = std::string(workload) + "/" + p.model;
  for (const Axis& a : kAxes) {
    const std::int64_t v = p.*a.field;
    bool show = false;
    switch (a.in_name) {
      case InName::kAlways:
        show = true;
        break;
      case InName::kIfWorkloadWaits:
        show = rules.workload_waits;
        break;
      case InName::kIfPositive:
        show = v > 0;
        break;
      case InName::kIfNotDefault:
        show = v > 0 && rules.default_rounds != nullptr && v != rules.default_rounds(p.bytes);
        break;
      case InName::kNever:
        break;
      case InName::kIfHarnessNames:
        show = rules.names_lock_and_wait;
        break;
      case InName::kIfConnections:
        show = rules.names_connections;
        break;
      case InName::kIfCache:
        show = rules.names_cache;
        break;
    }
    if (show) {
      // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on a
      // chain of temporary strings here.
      name.append("/").append(a.name).append(":").append(std::to_string(v));
    }
  }
  return name;
}

}  // namespace cvp::bench
