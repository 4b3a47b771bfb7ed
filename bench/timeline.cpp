// timeline: one small traced run of every model per scenario, written as Chrome trace JSON.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "models/model.hpp"
#include "timing.hpp"
#include "trace.hpp"
#include "workloads/cpu_hash.hpp"
#include "workloads/io_sleep.hpp"

namespace {

namespace fs = std::filesystem;
using cvp::Clock;

constexpr int kWorkers = 2;  // for tbb and fork: the core count of the reference machine

struct Scenario {
  std::string name;
  std::string what;
  std::function<std::unique_ptr<cvp::Workload>()> make;
  std::vector<std::string_view> models;  // empty: every model
};

std::vector<Scenario> scenarios() {
  return {
      {"io_sleep",
       "8 tasks, each waits 50 ms",
       [] { return std::make_unique<cvp::IoSleep>(8, 50'000); },
       {}},
      // 8000 chained rounds of 4 KiB: about 20 ms of hashing per task.
      {"cpu_hash",
       "8 tasks, each hashes for about 20 ms",
       [] { return std::make_unique<cvp::CpuHash>(8, 4096, 8000); },
       {}},
      // The example in circulation: two coroutines sleeping 100 and 200 ms,
      // awaited one after the other, then gathered.
      {"two_sleepers",
       "task 0 waits 100 ms, task 1 waits 200 ms",
       [] {
         return std::make_unique<cvp::IoSleep>(std::vector<std::int64_t>{100'000, 200'000});
       },
       {"event_loop_sequential", "event_loop"}},
  };
}

std::string trace_one(const Scenario& sc, std::string_view model_name) {
  const auto workload = sc.make();
  const int workers = cvp::fixed_workers(model_name).value_or(kWorkers);
  auto model = cvp::make_model(model_name, workers);
  model->set_tracing(true);
  model->prepare(*workload);
  std::vector<cvp::Digest> out(static_cast<std::size_t>(workload->tasks()));
  const std::int64_t origin = cvp::monotonic_ns();
  const auto t0 = Clock::now();
  const cvp::RunReport report = model->run(*workload, out);
  const double wall_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
  if (const int bad = cvp::first_mismatch(out, cvp::reference_digests(*workload)); bad >= 0) {
    throw std::runtime_error(sc.name + "/" + std::string(model_name) + ": task " +
                             std::to_string(bad) + ": digest differs from the serial model's");
  }
  return cvp::bench::chrome_trace_json({sc.name, std::string(model_name), workers, origin, wall_ms},
                                       report.spans);
}

int run(const fs::path& out_dir) {
  // Written beside the old traces and swapped in whole: a failed run leaves
  // the previous traces as they were.
  const fs::path staging = out_dir.string() + ".partial";
  fs::remove_all(staging);
  for (const Scenario& sc : scenarios()) {
    fs::create_directories(staging / sc.name);
    std::vector<std::string_view> models = sc.models;
    if (models.empty()) models.assign(cvp::model_names().begin(), cvp::model_names().end());
    for (std::string_view m : models) {
      const fs::path file = staging / sc.name / (std::string(m) + ".json");
      std::ofstream(file) << trace_one(sc, m);
      std::fprintf(stderr, "timeline: %s: %s traced\n", sc.name.c_str(), std::string(m).c_str());
    }
  }
  fs::remove_all(out_dir);
  fs::rename(staging, out_dir);
  std::fprintf(stderr, "timeline: wrote %s\n", out_dir.c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  fs::path out = "traces";
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      std::printf(
          "timeline — one small traced run of every model per scenario\n\n"
          "usage: %s [--out=DIR]\n\n"
          "Writes DIR/<scenario>/<model>.json (default DIR: traces) as Chrome trace event\n"
          "JSON, one complete event per task on the process and thread that ran it; open\n"
          "them in Perfetto or chrome://tracing, or draw them with plot.py. Scenarios:\n",
          argv[0]);
      for (const Scenario& sc : scenarios())
        std::printf("  %-13s %s\n", sc.name.c_str(), sc.what.c_str());
      return 0;
    }
    if (arg.starts_with("--out=") && arg.size() > 6) {
      out = arg.substr(6);
    } else {
      std::fprintf(stderr, "timeline: error: unknown argument '%s'; see timeline --help\n",
                   argv[i]);
      return 2;
    }
  }
  try {
    cvp::set_timer_slack(std::chrono::nanoseconds(1));
    return run(out);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "timeline: error: %s\n", e.what());
    return 1;
  }
}
