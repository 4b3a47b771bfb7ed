// The mpi harness's command line and grid: which workloads, which axis values, how many iterations.
#include "plan.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "timing.hpp"
#include "workloads/cpu_hash.hpp"
#include "workloads/io_sleep.hpp"
#include "workloads/mixed.hpp"

namespace cvp::mpi {
namespace {

using bench::AxisId;
using bench::Point;
using List = std::vector<std::int64_t>;

constexpr std::int64_t kSleepUs = 10'000;      // io_sleep: as bench/io_sleep.cpp
constexpr double kMaxIoRunS = 1.5;             // io_sleep: longest run kept in a profile grid
constexpr std::int64_t kMixedTaskUs = 10'000;  // mixed: as bench/mixed.cpp
constexpr std::int64_t kMixedBytes = 4096;
constexpr std::int64_t kMixedTasks = 16;

// cpu_hash's rounds per size, as bench/cpu_hash.cpp: about 40 us per task.
std::int64_t default_rounds(std::int64_t bytes) {
  switch (bytes) {
    case 64:
      return 256;
    case 4096:
      return 16;
    default:
      return 1;
  }
}

// Seconds of one 4 KiB SHA-256 round here (fastest of five batches), as
// bench/mixed.cpp: it turns a CPU share into rounds. Measured on rank 0
// only; the other ranks receive the rounds with the plan.
double mixed_round_seconds() {
  static const double seconds = [] {
    double best = 1;
    for (int batch = 0; batch < 5; ++batch) {
      const auto t0 = Clock::now();
      CpuHash::digest(batch, kMixedBytes, 256);
      best = std::min(best, std::chrono::duration<double>(Clock::now() - t0).count() / 256);
    }
    return best;
  }();
  return seconds;
}

const char* const kWorkloadNames[] = {"io_sleep", "cpu_hash", "mixed"};

Kind kind_named(std::string_view name) {
  for (int k = 0; k < 3; ++k) {
    if (name == kWorkloadNames[k]) return static_cast<Kind>(k);
  }
  throw std::invalid_argument("--workloads: '" + std::string(name) +
                              "' is not a workload; allowed: io_sleep, cpu_hash, mixed");
}

// The axes a user may set for workload k (tasks for every one).
bool takes_axis(Kind k, AxisId a) {
  switch (a) {
    case AxisId::kTasks:
      return true;
    case AxisId::kSleepUs:
      return k == Kind::kIoSleep;
    case AxisId::kBytes:
    case AxisId::kRounds:
      return k == Kind::kCpuHash;
    case AxisId::kCpuSharePct:
      return k == Kind::kMixed;
    case AxisId::kWorkers:  // W is the number of ranks
    case AxisId::kLock:     // shared_counter is not run under MPI
    case AxisId::kWait:
      return false;
  }
  return false;
}

std::string_view flag_value(std::string_view arg, std::string_view flag) {
  if (!arg.starts_with(flag) || arg.size() <= flag.size() || arg[flag.size()] != '=') return {};
  return arg.substr(flag.size() + 1);
}

List pick(const bench::Profile& p, const List& quick, const List& normal, const List& full) {
  if (p.name == "quick") return quick;
  if (p.name == "full") return full;
  return normal;
}

// Every combination of `values`, in order, applied to `base`.
std::vector<Point> cross(const Point& base, const std::vector<std::pair<AxisId, List>>& values) {
  std::vector<Point> out{base};
  for (const auto& [id, list] : values) {
    const bench::Axis& a = bench::axis(id);
    std::vector<Point> next;
    for (const Point& p : out) {
      for (std::int64_t v : list) {
        Point q = p;
        q.*a.field = bench::check(a, v);
        next.push_back(q);
      }
    }
    out = std::move(next);
  }
  return out;
}

}  // namespace

std::string_view workload_name(Kind k) { return kWorkloadNames[static_cast<int>(k)]; }

bench::NameRules name_rules(Kind k) {
  if (k == Kind::kCpuHash) return {.workload_waits = false, .default_rounds = default_rounds};
  return {.workload_waits = true};
}

std::unique_ptr<Workload> make_workload(Kind k, const Point& p) {
  switch (k) {
    case Kind::kIoSleep:
      return std::make_unique<IoSleep>(p.tasks, p.sleep_us);
    case Kind::kCpuHash:
      return std::make_unique<CpuHash>(p.tasks, p.bytes, p.rounds);
    case Kind::kMixed:
      return std::make_unique<Mixed>(p.tasks, p.bytes, p.rounds, p.sleep_us);
  }
  throw std::invalid_argument("unknown workload");
}

Options parse_options(int argc, char** argv) {
  Options o;
  std::set<std::string> seen;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const std::string name(arg.substr(0, arg.find('=')));
    if (arg == "--help" || arg == "-h") {
      o.help = true;
      continue;
    }
    if (arg.starts_with("--benchmark_")) {
      o.passthrough.emplace_back(arg);
      continue;
    }
    if (!seen.insert(name).second) {
      throw std::invalid_argument(name + " is given twice; give each flag once");
    }
    if (const auto v = flag_value(arg, "--profile"); !v.empty()) {
      bench::profile_named(v);  // throws for an unknown profile
      o.profile = v;
    } else if (const auto out = flag_value(arg, "--out"); !out.empty()) {
      o.out = std::filesystem::path(out);
    } else if (arg == "--out" || arg == "--out=") {
      throw std::invalid_argument("--out is ''; allowed: a file path (FILE.json)");
    } else if (const auto w = flag_value(arg, "--workloads"); !w.empty()) {
      o.workloads.clear();
      std::size_t at = 0;
      for (;;) {
        const std::size_t comma = w.find(',', at);
        const Kind k =
            kind_named(w.substr(at, comma == std::string_view::npos ? comma : comma - at));
        if (std::find(o.workloads.begin(), o.workloads.end(), k) != o.workloads.end()) {
          throw std::invalid_argument("--workloads: '" + std::string(workload_name(k)) +
                                      "' is given twice");
        }
        o.workloads.push_back(k);
        if (comma == std::string_view::npos) break;
        at = comma + 1;
      }
    } else if (name == "--workers") {
      throw std::invalid_argument(
          "--workers is not a flag of the mpi harness; W is the number of ranks: mpiexec -n W");
    } else if (const bench::Axis* a = name.size() > 2 ? bench::find_axis(name.substr(2)) : nullptr;
               a != nullptr && arg.size() > name.size() + 1) {
      List values = bench::parse_list(a->name, arg.substr(name.size() + 1));
      for (std::int64_t value : values) bench::check(*a, value);
      o.axes[a->id] = std::move(values);
    } else {
      throw std::invalid_argument("unknown or empty flag '" + std::string(arg) + "'; see --help");
    }
  }
  for (const auto& [id, values] : o.axes) {
    const bool used = std::any_of(o.workloads.begin(), o.workloads.end(),
                                  [id](Kind k) { return takes_axis(k, id); });
    if (!used) {
      throw std::invalid_argument("--" + std::string(bench::axis(id).name) +
                                  " applies to none of the workloads chosen");
    }
  }
  return o;
}

void print_help(const char* argv0) {
  std::printf(
      "usage: mpiexec -n W %s [--profile=quick|default|full] [--out=FILE.json]\n"
      "       [--workloads=io_sleep,cpu_hash,mixed] [--tasks=N,...] [--sleep_us=T,...]\n"
      "       [--bytes=B,...] [--rounds=R,...] [--cpu_share_pct=P,...] [--benchmark_...]\n\n"
      "The mpi model: W ranks (W = mpiexec -n), rank 0 handing out chunks of N/(32W)\n"
      "tasks on demand and running a share itself, every rank returning digests that\n"
      "rank 0 checks against the serial model's. Benchmarks are named as the C++\n"
      "harnesses name theirs (cpu_hash/mpi/tasks:N/workers:W/bytes:B, ...).\n"
      "Across hosts: mpiexec --hostfile FILE -n W %s ...\n\n"
      "  --tasks          tasks per run (every workload)\n"
      "  --sleep_us       io_sleep: microseconds each task waits\n"
      "  --bytes          cpu_hash: message bytes each task hashes\n"
      "  --rounds         cpu_hash: chained SHA-256 rounds per task\n"
      "  --cpu_share_pct  mixed: percent of each 10 ms task spent hashing\n"
      "  --out            write the result JSON there, only when every benchmark succeeded\n\n"
      "Exit status: 0 success, 1 a benchmark failed, 2 bad input.\n",
      argv0, argv0);
}

std::vector<Point> grid(const Options& o, Kind k, const bench::Profile& profile, int ranks,
                        int cpus) {
  Point base;
  base.model = "mpi";
  base.workers = ranks;
  const auto given = [&](AxisId id, const List& fallback) {
    const auto it = o.axes.find(id);
    return std::pair{id, it != o.axes.end() ? it->second : fallback};
  };
  const bool overridden = std::any_of(o.axes.begin(), o.axes.end(),
                                      [k](const auto& a) { return takes_axis(k, a.first); });
  std::vector<Point> points;
  switch (k) {
    case Kind::kIoSleep: {
      const List tasks = pick(profile, {8}, {1, 10, 100, 1000}, {1, 10, 100, 1000});
      points = cross(base, {given(AxisId::kTasks, tasks), given(AxisId::kSleepUs, {kSleepUs})});
      // As bench/io_sleep.cpp: a profile keeps runs of at most 1.5 s.
      if (!overridden) {
        std::erase_if(points, [](const Point& p) {
          const double turns =
              std::ceil(static_cast<double>(p.tasks) / static_cast<double>(p.workers));
          return turns * static_cast<double>(p.sleep_us) * 1e-6 > kMaxIoRunS;
        });
      }
      break;
    }
    case Kind::kCpuHash: {
      const std::int64_t c = cpus;
      const List tasks = pick(profile, {std::max<std::int64_t>(1024, 64 * c)},
                              {std::max<std::int64_t>(4096, 64 * 2 * c)},
                              {std::max<std::int64_t>(4096, 64 * 4 * c)});
      const List bytes = pick(profile, {64, 65536}, {64, 4096, 65536}, {64, 4096, 65536});
      std::vector<std::pair<AxisId, List>> values{given(AxisId::kTasks, tasks),
                                                  given(AxisId::kBytes, bytes)};
      if (o.axes.contains(AxisId::kRounds)) values.push_back(given(AxisId::kRounds, {}));
      points = cross(base, values);
      for (Point& p : points) {
        if (p.rounds == 0) p.rounds = default_rounds(p.bytes);
      }
      break;
    }
    case Kind::kMixed: {
      // As bench/mixed.cpp, whose models that take W run at W = the CPUs
      // and W = one per task: other rank counts leave mixed out unless asked.
      if (!overridden && ranks != cpus && ranks != kMixedTasks &&
          !(o.workloads.size() == 1 && o.workloads[0] == Kind::kMixed)) {
        return {};
      }
      const List shares =
          pick(profile, {0, 50, 100}, {0, 10, 25, 50, 75, 100}, {0, 10, 25, 50, 75, 100});
      points =
          cross(base, {given(AxisId::kTasks, {kMixedTasks}), given(AxisId::kCpuSharePct, shares)});
      for (Point& p : points) {
        const double share = static_cast<double>(p.cpu_share_pct) / 100;
        p.rounds = std::lround(share * kMixedTaskUs * 1e-6 / mixed_round_seconds());
        p.bytes = p.rounds > 0 ? kMixedBytes : 0;
        p.sleep_us = std::lround((1 - share) * kMixedTaskUs);
      }
      break;
    }
  }
  return points;
}

}  // namespace cvp::mpi
