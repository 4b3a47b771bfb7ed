// A harness: one workload's grid, run under Google Benchmark and published as a result file.
#include "harness.hpp"

#include <algorithm>
#include <cstdio>
#include <optional>
#include <stdexcept>

#include "children.hpp"
#include "cli.hpp"
#include "context.hpp"
#include "error_line.hpp"
#include "measure.hpp"
#include "out_lock.hpp"
#include "result_file.hpp"
#include "run.hpp"
#include "models/task_threads.hpp"
#include "sysinfo.hpp"
#include "thread_limits.hpp"
#include "timing.hpp"

namespace cvp::bench {

namespace {

// A fixed ceiling beside the machine's own: a hashing benchmark needs no
// more than this (16 workers at the largest message, or 256 at 4 MiB), and
// a grid above it measures swapping, not the models.
constexpr std::int64_t kMemoryCapBytes = std::int64_t{1} << 30;

// Every worker (thread or process) hashes in its own message buffer and the
// harness keeps one more, so a point holds about (W + 1) x B bytes at once.
// The budget is the smaller of the cap and half of MemAvailable (the other
// half left to the rest of the machine).
void check_memory(const std::vector<Point>& points) {
  std::int64_t budget = kMemoryCapBytes;
  if (const auto avail = mem_available_bytes()) budget = std::min<std::int64_t>(budget, *avail / 2);
  for (const Point& p : points) {
    const std::int64_t need = (p.workers + 1) * p.bytes;
    if (need <= budget) continue;
    throw std::invalid_argument(
        "workers x bytes is too large: " + std::to_string(p.workers) + " workers x " +
        std::to_string(p.bytes) + " bytes needs " + std::to_string(need >> 20) +
        " MiB ((workers + 1) messages); allowed: (workers + 1) x bytes up to " +
        std::to_string(budget) + " (" + std::to_string(budget >> 20) +
        " MiB: the smaller of 1 GiB and half of MemAvailable)");
  }
}

// A thread per task holds N threads at once: N must fit the machine's
// thread, pid, mapping and memory limits, refused here in one line rather
// than failing mid-run. A pool's W (at most 256) is left to the run, where a
// thread that cannot be made is an error row (thread_probe).
void check_threads(const std::vector<Point>& points) {
  const ThreadRoom room = read_thread_room();
  for (const Point& p : points) {
    if (!thread_per_task(model_info(p.model))) continue;
    const auto stack = static_cast<std::int64_t>(kTaskThreadStackBytes);
    if (const auto why = thread_refusal(room, p.tasks, stack)) {
      throw std::invalid_argument("tasks is " + std::to_string(p.tasks) + " for " + p.model +
                                  ": " + *why);
    }
  }
}

}  // namespace

int run_main(int argc, char** argv, const Harness& h) {
  const std::string prog(h.workload);
  // Before any thread or child exists, so that all of them inherit it.
  set_timer_slack(std::chrono::nanoseconds(1));
  children::install_exit_handlers();
  static std::atomic<int> failures{0};
  try {
    FlagSpec spec;
    for (const HarnessFlag& f : h.own_flags) spec.own.push_back({f.name, f.help, f.value});
    const Options o = parse_options(argc, argv, h, spec);
    if (o.help) {
      print_help(h, argv[0], spec);
      return 0;
    }
    for (const HarnessFlag& f : h.own_flags) {
      if (const auto given = o.own.find(std::string(f.name)); given != o.own.end()) {
        f.take(given->second);
      }
    }
    // Everything the command line can get wrong is refused here, before
    // anything is measured or written.
    if (o.out) check_out_file(*o.out);
    const Profile profile = profile_named(o.profile);
    const std::vector<Point> points = grid_points(o, profile, h);
    if (points.empty()) throw std::invalid_argument("the grid is empty");
    std::vector<std::string> models;
    for (const Point& p : points) models.push_back(p.model);
    check_memory(points);
    check_threads(points);
    add_context(h.workload, profile.name, models);
    // One run per --out at a time, taken before anything is measured.
    std::optional<OutLock> lock;
    if (o.out) lock.emplace(*o.out);
    if (o.out) reserve_publish_descriptors();

    const auto prepared = prepare_workloads(points, h);
    add_calibration_context(prepared);
    register_benchmarks(points, prepared, h, failures);
    std::vector<std::string> names;
    for (const Point& p : points) names.push_back(benchmark_name(h.workload, p, h.names));
    const int status = run_registered(
        {prog, profile, o.out, o.passthrough, points.size(), o.table, names}, failures);
    release_benchmark_models();
    return status;
  } catch (const std::invalid_argument& e) {
    print_error(prog, e.what());
    return 2;
  } catch (const std::exception& e) {
    print_error(prog, e.what());
    return 1;
  }
}

}  // namespace cvp::bench
