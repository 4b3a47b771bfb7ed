// The mpi harness's command line and grid: which workloads, which axis values, how many iterations.
#include "plan.hpp"

#include <algorithm>
#include <cstdio>
#include <set>
#include <stdexcept>

#include "cli.hpp"
#include "harnesses.hpp"
#include "models/registry.hpp"

namespace cvp::mpi {
namespace {

using bench::AxisId;
using bench::Point;
using List = std::vector<std::int64_t>;

// The suite's other model of W processes that take chunks on demand: the
// mpi model runs the points its workload's harness gives this model, with W
// the number of ranks.
constexpr std::string_view kStandIn = "process_pool";

constexpr Kind kKinds[] = {Kind::kIoSleep, Kind::kCpuHash, Kind::kMixed};

Kind kind_named(std::string_view name) {
  for (Kind k : kKinds) {
    if (name == workload_name(k)) return k;
  }
  throw std::invalid_argument("--workloads: '" + std::string(name) +
                              "' is not a workload; allowed: io_sleep, cpu_hash, mixed");
}

// The axes a user may set for workload k: tasks, and the harness's own flags.
bool takes_axis(Kind k, AxisId a) {
  const std::vector<AxisId>& flags = harness_of(k).flags;
  return a == AxisId::kTasks || std::find(flags.begin(), flags.end(), a) != flags.end();
}

std::string_view flag_value(std::string_view arg, std::string_view flag) {
  if (!arg.starts_with(flag) || arg.size() <= flag.size() || arg[flag.size()] != '=') return {};
  return arg.substr(flag.size() + 1);
}

}  // namespace

const bench::Harness& harness_of(Kind k) {
  switch (k) {
    case Kind::kIoSleep:
      return bench::harness_named("io_sleep");
    case Kind::kCpuHash:
      return bench::harness_named("cpu_hash");
    case Kind::kMixed:
      return bench::harness_named("mixed");
  }
  throw std::invalid_argument("unknown workload");
}

std::string_view workload_name(Kind k) { return harness_of(k).workload; }

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
    if (arg == "--table") {
      o.table = true;
      continue;
    }
    if (!seen.insert(name).second) {
      throw std::invalid_argument(name + " is given twice; give each flag once");
    }
    if (arg.starts_with("--benchmark_")) {
      const std::string_view value = arg.size() > name.size() ? arg.substr(name.size() + 1) : "";
      bench::check_benchmark_flag(name, value);
      if (name == "--benchmark_enable_random_interleaving" &&
          bench::benchmark_flag_on({std::string(arg)}, name)) {
        throw std::invalid_argument(
            "--benchmark_enable_random_interleaving: every rank must run the benchmarks in the "
            "same order; the mpi harness cannot shuffle them");
      }
      o.passthrough.emplace_back(arg);
      continue;
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
      "usage: mpiexec -n W %s [--profile=quick|default|full] [--out=FILE.json] [--table]\n"
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
      "  --out            write the result JSON there, only when every benchmark succeeded;\n"
      "                   one run per FILE at a time\n"
      "  --table          Google Benchmark's console table on stdout instead of one line\n"
      "                   per finished benchmark on stderr\n\n"
      "Exit status: 0 success, 1 a benchmark failed or none matched, 2 bad input.\n",
      argv0, argv0);
}

std::vector<Point> grid(const Options& o, Kind k, const bench::Profile& profile, int ranks) {
  const bench::Harness& h = harness_of(k);
  const auto ranks_only = bench::PerProfile{static_cast<std::int64_t>(ranks)};
  const bool overridden = std::any_of(o.axes.begin(), o.axes.end(),
                                      [k](const auto& a) { return takes_axis(k, a.first); });
  std::vector<Point> points;
  if (overridden) {
    bench::Options given;
    given.models = std::vector<std::string>{std::string(kStandIn)};
    for (const auto& [id, values] : o.axes) {
      if (takes_axis(k, id)) given.axes[id] = values;
    }
    given.axes[AxisId::kWorkers] = ranks_only.quick;
    points = bench::grid_points(given, profile, h);
  } else {
    std::vector<bench::GridRow> rows;
    for (bench::GridRow row : h.grid) {
      if (!row.models(model_info(kStandIn))) continue;
      row.models = [](const ModelInfo& m) { return m.name == kStandIn; };
      std::erase_if(row.values, [](const auto& v) { return v.first == AxisId::kWorkers; });
      row.values.emplace_back(AxisId::kWorkers, ranks_only);
      rows.push_back(std::move(row));
    }
    points = bench::expand(rows, profile, h.rules);
  }
  for (Point& p : points) p.model = "mpi";
  return points;
}

}  // namespace cvp::mpi
