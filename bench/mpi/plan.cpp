// The mpi harness's plan: its command line, its grid, and the benchmarks rank 0 sizes and
// calibrates before every rank takes them.
#include "plan.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include "harnesses.hpp"
#include "models/registry.hpp"

namespace cvp::mpi {
namespace {

using bench::AxisId;
using bench::Point;

constexpr std::string_view kWorkloads[] = {"io_sleep", "cpu_hash", "mixed"};

// The shared command line's view of the mpi harness: every axis one of its
// workloads takes, no --models (the model is mpi), no --workers (W is the
// number of ranks), and --workloads.
const bench::Harness& command_line_harness() {
  static const bench::Harness h = [] {
    bench::Harness mpi;
    mpi.workload = "mpi";
    mpi.summary =
        "the mpi model: W ranks under mpiexec, rank 0 handing out chunks of tasks on demand "
        "and running a share itself";
    for (std::string_view w : kWorkloads) {
      for (AxisId a : bench::harness_named(w).flags) {
        if (std::find(mpi.flags.begin(), mpi.flags.end(), a) == mpi.flags.end()) {
          mpi.flags.push_back(a);
        }
      }
    }
    return mpi;
  }();
  return h;
}

const bench::FlagSpec kFlags{
    .models = false,
    .no_workers = "W is the number of ranks: mpiexec -n W (across hosts: mpiexec --hostfile FILE)",
    .own = {{"workloads",
             "workloads to run, each as its C++ harness names it; allowed: "
             "io_sleep, cpu_hash, mixed (default: all)"}},
    .launcher = "mpiexec -n W"};

std::size_t workload_index(std::string_view name) {
  const auto* it = std::find(std::begin(kWorkloads), std::end(kWorkloads), name);
  if (it == std::end(kWorkloads)) {
    throw std::invalid_argument("--workloads: '" + std::string(name) +
                                "' is not a workload; allowed: io_sleep, cpu_hash, mixed");
  }
  return static_cast<std::size_t>(it - std::begin(kWorkloads));
}

std::vector<std::size_t> parse_workloads(std::string_view list) {
  std::vector<std::size_t> out;
  std::size_t at = 0;
  for (;;) {
    const std::size_t comma = list.find(',', at);
    const std::size_t k =
        workload_index(list.substr(at, comma == std::string_view::npos ? comma : comma - at));
    if (std::find(out.begin(), out.end(), k) != out.end()) {
      throw std::invalid_argument("--workloads: '" + std::string(kWorkloads[k]) +
                                  "' is given twice");
    }
    out.push_back(k);
    if (comma == std::string_view::npos) return out;
    at = comma + 1;
  }
}

// The axes a user may set for harness h: tasks, and the harness's own flags.
bool takes_axis(const bench::Harness& h, AxisId a) {
  return a == AxisId::kTasks || std::find(h.flags.begin(), h.flags.end(), a) != h.flags.end();
}

}  // namespace

const ModelInfo& mpi_model() {
  static const ModelInfo& row = []() -> const ModelInfo& {
    for (const ModelInfo& m : registry()) {
      if (m.launch == Launch::kMpiexec) return m;
    }
    throw std::logic_error("the registry has no model that mpiexec starts");
  }();
  return row;
}

std::span<const std::string_view> mpi_workloads() { return kWorkloads; }

const bench::Harness& PlanItem::harness() const {
  return bench::harness_named(kWorkloads[workload]);
}

Options parse_options(int argc, char** argv) {
  Options o;
  o.common = bench::parse_options(argc, argv, command_line_harness(), kFlags);
  if (bench::benchmark_flag_on(o.common.passthrough, "--benchmark_enable_random_interleaving")) {
    throw std::invalid_argument(
        "--benchmark_enable_random_interleaving: every rank must run the benchmarks in the "
        "same order; the mpi harness cannot shuffle them");
  }
  const auto given = o.common.own.find("workloads");
  if (given != o.common.own.end()) {
    o.workloads = parse_workloads(given->second);
  } else {
    for (std::size_t k = 0; k < std::size(kWorkloads); ++k) o.workloads.push_back(k);
  }
  for (const auto& [id, values] : o.common.axes) {
    const bool used = std::any_of(o.workloads.begin(), o.workloads.end(), [id](std::size_t k) {
      return takes_axis(bench::harness_named(kWorkloads[k]), id);
    });
    if (!used) {
      throw std::invalid_argument("--" + std::string(bench::axis(id).name) +
                                  " applies to none of the workloads chosen");
    }
  }
  return o;
}

void print_help(const char* argv0) { bench::print_help(command_line_harness(), argv0, kFlags); }

std::vector<Point> grid(const Options& o, const bench::Harness& h, const bench::Profile& profile,
                        int ranks) {
  // W is the number of ranks: the grid's worker counts give way to it.
  const std::vector<std::int64_t> w{ranks};
  const ModelInfo& mpi = mpi_model();
  bench::Options given;
  for (const auto& [id, values] : o.common.axes) {
    if (takes_axis(h, id)) given.axes[id] = values;
  }
  if (!given.axes.empty()) {
    given.models = std::vector<std::string>{std::string(mpi.name)};
    given.axes[AxisId::kWorkers] = w;
    return bench::grid_points(given, profile, h, Launch::kMpiexec);
  }
  std::vector<bench::GridRow> rows;
  for (bench::GridRow row : h.grid) {
    if (!row.models(mpi)) continue;
    std::erase_if(row.values, [](const auto& v) { return v.first == AxisId::kWorkers; });
    row.values.emplace_back(AxisId::kWorkers, bench::PerProfile(w, w, w));
    rows.push_back(std::move(row));
  }
  return bench::expand(rows, profile, h.rules, Launch::kMpiexec);
}

std::vector<PlanItem> make_plan(const Options& o, const bench::Profile& profile, int ranks,
                                int cpus_all_hosts, std::vector<bench::Prepared>& prepared) {
  std::vector<PlanItem> plan;
  std::map<std::string, bench::Prepared> calibrations;
  for (std::size_t k : o.workloads) {
    const bench::Harness& h = bench::harness_named(kWorkloads[k]);
    for (const Point& p : grid(o, h, profile, ranks)) {
      auto one = bench::prepare_workloads({p}, h);
      const bench::Prepared& prep = one.begin()->second;
      const int workers = static_cast<int>(p.workers);
      const Limits limits =
          limits_of(mpi_model(), static_cast<int>(p.tasks), workers, cpus_all_hosts);
      const double est = ideal_run_time(limits, static_cast<int>(p.tasks),
                                        std::chrono::duration<double>(prep.task_cpu_s),
                                        prep.workload->longest_wait())
                             .count();
      const auto iterations = static_cast<std::int64_t>(
          std::clamp(std::ceil(profile.min_time_s / std::max(est, 1e-6)), 1.0, 1000.0));
      plan.push_back({k, p, iterations, std::llround(prep.task_cpu_s * 1e9)});
      prepared.push_back(prep);
      calibrations.insert(one.begin(), one.end());
    }
  }
  if (plan.empty()) throw std::invalid_argument("the grid is empty");
  bench::add_calibration_context(calibrations);
  return plan;
}

}  // namespace cvp::mpi
