// timeline: one small traced run of every model per scenario, written as Chrome trace JSON.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "children.hpp"
#include "error_line.hpp"
#include "failure_policy.hpp"
#include "models/registry.hpp"
#include "out_lock.hpp"
#include "progress_reporter.hpp"
#include "result_file.hpp"
#include "sysinfo.hpp"
#include "timing.hpp"
#include "trace.hpp"
#include "workloads/cpu_hash.hpp"
#include "workloads/io_sleep.hpp"

namespace {

namespace fs = std::filesystem;
using cvp::Clock;
using cvp::ModelInfo;

struct Scenario {
  std::string name;
  std::string what;
  std::function<std::unique_ptr<cvp::Workload>()> make;
  std::function<bool(const ModelInfo&)> models;
};

bool every_model(const ModelInfo&) { return true; }

std::vector<Scenario> scenarios() {
  return {
      {"io_sleep", "8 tasks, each waits 50 ms",
       [] { return std::make_unique<cvp::IoSleep>(8, 50'000); }, every_model},
      // 8000 chained rounds of 4 KiB: about 20 ms of hashing per task.
      {"cpu_hash", "8 tasks, each hashes for about 20 ms",
       [] { return std::make_unique<cvp::CpuHash>(8, 4096, 8000); }, every_model},
      // The example in circulation: two coroutines sleeping 100 and 200 ms,
      // awaited one after the other, then gathered: the loops that wait on
      // timers.
      {"two_sleepers", "task 0 waits 100 ms, task 1 waits 200 ms",
       [] {
         return std::make_unique<cvp::IoSleep>(std::vector<std::int64_t>{100'000, 200'000});
       },
       [](const ModelInfo& m) { return m.primitive == cvp::Primitive::kUvTimers; }},
  };
}

// Workers for the models that take W: the usable CPUs, at most 4, so the
// lanes stay readable and every CPU has one.
int timeline_workers() { return std::min(cvp::usable_cpus(), 4); }

// The trace of one traced run of `info` on `sc`; `wall_ms` is set to the run's wall time.
std::string trace_one(const Scenario& sc, const ModelInfo& info, double& wall_ms) {
  const auto workload = sc.make();
  const int workers = info.fixed_workers().value_or(timeline_workers());
  auto model = cvp::make_model(info.name, workers);
  model->set_tracing(true);
  model->prepare(*workload);
  std::vector<cvp::Digest> out(static_cast<std::size_t>(workload->tasks()));
  const std::int64_t origin = cvp::monotonic_ns();
  const auto t0 = Clock::now();
  const cvp::RunReport report = model->run(*workload, out);
  wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (const std::string bad = cvp::bench::digest_error(out, cvp::reference_digests(*workload));
      !bad.empty()) {
    throw std::runtime_error(sc.name + "/" + std::string(info.name) + ": " + bad);
  }
  return cvp::bench::chrome_trace_json(
      {sc.name, std::string(info.name), workers, origin, wall_ms, cvp::registry_json(info)},
      report.spans);
}

// Refused before anything runs: a scenario folder (or its previous/) that
// is a symbolic link or not a folder would have the traces written, and
// the old ones moved, wherever it points.
void check_trace_folders(const fs::path& out_dir) {
  std::error_code ec;
  for (const Scenario& sc : scenarios()) {
    for (const fs::path& dir : {out_dir / sc.name, out_dir / sc.name / "previous"}) {
      const fs::file_status st = fs::symlink_status(dir, ec);
      if (fs::exists(st) && !fs::is_directory(st)) {
        throw std::invalid_argument(
            "--out is '" + out_dir.string() + "', but '" + dir.string() +
            "' is not a folder (a symbolic link?); it is never followed: remove it");
      }
    }
  }
}

// The lock sits beside the folder ("traces" -> "traces.lock"), however
// --out is spelled ("traces/", "traces/.").
fs::path lock_target(const fs::path& out) {
  fs::path p = out.lexically_normal();
  if (!p.has_filename()) p = p.parent_path();
  return p;
}

int run(const fs::path& out_dir) {
  // Every trace is made before any is written: a failed run leaves the
  // previous traces as they were. Each file is then published like a
  // result file (the one it replaces kept in previous/ beside it); nothing
  // else in out_dir is touched.
  const std::vector<Scenario> all = scenarios();
  std::vector<std::pair<const Scenario*, const ModelInfo*>> steps;
  for (const Scenario& sc : all) {
    for (const ModelInfo& m : cvp::registry()) {
      // A model started under mpiexec cannot be traced from this process.
      if (m.launch == cvp::Launch::kInProcess && sc.models(m)) steps.emplace_back(&sc, &m);
    }
  }
  std::vector<std::pair<fs::path, std::string>> traces;
  const auto start = Clock::now();
  for (const auto& [sc, m] : steps) {
    double wall_ms = 0;
    const std::string model(m->name);
    traces.emplace_back(fs::path(sc->name) / (model + ".json"), trace_one(*sc, *m, wall_ms));
    char what[64];
    std::snprintf(what, sizeof what, ": traced, wall %.0f ms", wall_ms);
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    std::fprintf(stderr, "%s\n",
                 cvp::bench::progress_line(traces.size(), steps.size(),
                                           sc->name + "/" + model + what, elapsed)
                     .c_str());
  }
  for (const auto& [path, json] : traces) cvp::bench::publish_under(out_dir, path, json);
  std::fprintf(stderr, "timeline: wrote %zu traces in %s\n", traces.size(), out_dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path out = "traces";
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::printf(
            "timeline — one small traced run of every model per scenario\n\n"
            "usage: %s [--out=DIR]\n\n"
            "Writes DIR/<scenario>/<model>.json (default DIR: traces) as Chrome trace event\n"
            "JSON, one complete event per task on the process and thread that ran it; open\n"
            "them in Perfetto or chrome://tracing, or draw them with plot.py. A replaced\n"
            "trace moves to previous/ beside it. Scenarios:\n",
            argv[0]);
        for (const Scenario& sc : scenarios())
          std::printf("  %-13s %s\n", sc.name.c_str(), sc.what.c_str());
        return 0;
      }
      if (arg == "--out" || arg == "--out=") {
        throw std::invalid_argument("--out is empty; allowed: --out=DIR, a directory path");
      }
      if (!arg.starts_with("--out=")) {
        throw std::invalid_argument("unknown argument '" + std::string(arg) +
                                    "'; see timeline --help");
      }
      out = arg.substr(6);
    }
    cvp::bench::check_out_dir(out);
  } catch (const std::invalid_argument& e) {
    cvp::bench::print_error("timeline", e.what());
    return 2;
  }
  std::optional<cvp::bench::OutLock> lock;
  try {
    // One run per folder, from the check to the last trace: two runs
    // would each say they wrote every trace while one's were lost.
    lock.emplace(lock_target(out));
    check_trace_folders(out);
  } catch (const std::invalid_argument& e) {
    cvp::bench::print_error("timeline", e.what());
    return 2;
  } catch (const std::exception& e) {
    cvp::bench::print_error("timeline", e.what());
    return 1;
  }
  try {
    cvp::set_timer_slack(std::chrono::nanoseconds(1));
    cvp::children::install_exit_handlers();
    return run(out);
  } catch (const std::exception& e) {
    cvp::bench::print_error("timeline", e.what());
    return 1;
  }
}
