// limits harness: the bare primitives under the models, timed with none of the suite's code in the
// path.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "bare.hpp"
#include "children.hpp"
#include "context.hpp"
#include "error_line.hpp"
#include "grid.hpp"
#include "grid_facts.hpp"
#include "interval.hpp"
#include "io/data_file.hpp"
#include "models/event_loop_offload.hpp"
#include "out_lock.hpp"
#include "result_file.hpp"
#include "run.hpp"
#include "sysinfo.hpp"
#include "timing.hpp"

namespace {

using cvp::bench::bare_run_seconds;
using cvp::bench::Profile;

struct Row {
  std::string name;             // limits/<primitive>/tasks:N/workers:W[/sleep_us:T][/bytes:B]
  std::function<double()> run;  // seconds of one run
  cvp::WorkloadParams params;
  int workers;
};

std::string row_name(const std::string& primitive, const cvp::WorkloadParams& p, int workers,
                     bool waits) {
  std::string name = "limits/" + primitive + "/tasks:" + std::to_string(p.tasks) +
                     "/workers:" + std::to_string(workers);
  if (waits) name += "/sleep_us:" + std::to_string(p.sleep_us);
  if (p.bytes > 0) name += "/bytes:" + std::to_string(p.bytes);
  return name;
}

// N preads of file_read's reads, in its data file (made at the first run, in
// $CVP_DATA_DIR or /var/tmp), with the page cache warm or dropped first.
double preads(const cvp::WorkloadParams& p, bool cold) {
  static const cvp::DataFile file(cvp::default_data_dir());
  if (cold) {
    file.drop_cache();
  } else {
    file.warm_cache();
  }
  return cvp::bench::pread_seconds(file.fd(), p.tasks, p.bytes);
}

std::vector<Row> rows(const Profile& profile) {
  using cvp::CapacityRule;
  using cvp::Primitive;
  const bool quick = profile.name == "quick";
  const int cpus = cvp::usable_cpus();
  std::vector<Row> out;
  const std::int64_t tasks = quick ? 1024 : 4096;
  // SHA-256 of one thread over each message size, and of W threads at once.
  // The message sizes and rounds of cpu_hash (bench/grid_facts.json).
  for (const std::int64_t bytes : cvp::bench::hash_sizes()) {
    const auto rounds = static_cast<int>(cvp::bench::default_rounds(bytes));
    const cvp::WorkloadParams p{static_cast<int>(tasks), 0, bytes, rounds};
    out.push_back({row_name("sha256", p, 1, false),
                   [p] { return bare_run_seconds(Primitive::kLoop, CapacityRule::kOne, p, 1); }, p,
                   1});
    for (const std::int64_t w : cvp::bench::worker_ladder(cpus, {})) {
      if (w == 1) continue;
      const int workers = static_cast<int>(w);
      out.push_back({row_name("sha256_threads", p, workers, false),
                     [p, workers] {
                       return bare_run_seconds(Primitive::kOsThreads, CapacityRule::kWorkers, p,
                                               workers);
                     },
                     p, workers});
    }
  }
  // N libuv timers of 10 ms started together, with and without the
  // never-early re-arm the event loop model uses.
  for (const int n : quick ? std::vector<int>{1000} : std::vector<int>{1000, 10000}) {
    const cvp::WorkloadParams p{n, 10'000, 0, 0};
    for (const bool never_early : {true, false}) {
      out.push_back({row_name(never_early ? "uv_timers" : "uv_timers_may_fire_early", p, 1, true),
                     [p, never_early] {
                       return bare_run_seconds(Primitive::kUvTimers, CapacityRule::kTasks, p, 1,
                                               never_early);
                     },
                     p, 1});
    }
  }
  // 1000 preads of file_read's size, one after another: the primitive each
  // file_read row times beside its runs (as limit_ms). 1000, not more: a
  // cold read waits for the disk, some 0.2 ms each on the reference VM.
  {
    const cvp::WorkloadParams p{1000, 0, cvp::bench::fact_int("file_read.axes.bytes"), 0};
    for (const bool cold : {false, true}) {
      out.push_back({row_name(cold ? "pread_cold" : "pread", p, 1, false),
                     [p, cold] { return preads(p, cold); }, p, 1});
    }
  }
  // The fixed costs of the process, thread and pool primitives: one round each.
  for (const std::int64_t w : cvp::bench::worker_ladder(cpus, {2})) {
    const int workers = static_cast<int>(w);
    const cvp::WorkloadParams p{workers, 0, 0, 0};
    out.push_back({row_name("fork_exit_wait", p, workers, false),
                   [workers] { return cvp::bench::fork_exit_wait_seconds(workers, 1); }, p,
                   workers});
    out.push_back({row_name("thread_spawn_join", p, workers, false),
                   [workers] { return cvp::bench::thread_spawn_seconds(workers, 1); }, p, workers});
    out.push_back({row_name("tbb_parallel_for_round", p, workers, false),
                   [workers] { return cvp::bench::tbb_round_seconds(workers, 1); }, p, workers});
  }
  const cvp::WorkloadParams one{1, 0, 0, 0};
  out.push_back({row_name("uv_queue_work_round_trip", one, cvp::uv_threadpool_size(), false),
                 [] { return cvp::bench::uv_queue_work_seconds(1); }, one,
                 cvp::uv_threadpool_size()});
  out.push_back({row_name("pipe_round_trip", one, 1, false),
                 [] { return cvp::bench::pipe_round_trip_seconds(1); }, one, 1});
  return out;
}

void run_row(benchmark::State& state, const Row& row, std::atomic<int>& failures) {
  try {
    for (auto _ : state) state.SetIterationTime(row.run());
  } catch (const std::exception& e) {
    failures.fetch_add(1);
    state.SkipWithError(e.what());
    return;
  }
  auto& c = state.counters;
  c["tasks"] = row.params.tasks;
  c["workers"] = row.workers;
  c["sleep_us"] = static_cast<double>(row.params.sleep_us);
  c["bytes"] = static_cast<double>(row.params.bytes);
  c["rounds"] = row.params.rounds;
  state.SetItemsProcessed(state.iterations() * row.params.tasks);
  if (row.params.bytes > 0) {
    state.SetBytesProcessed(state.iterations() * row.params.tasks * row.params.bytes *
                            row.params.rounds);
  }
}

}  // namespace

int main(int argc, char** argv) {
  static std::atomic<int> failures{0};
  cvp::set_timer_slack(std::chrono::nanoseconds(1));
  cvp::children::install_exit_handlers();
  std::optional<cvp::bench::OutLock> lock;  // one run per --out at a time
  cvp::bench::RunSetup setup{"limits", cvp::bench::profile_named("default"), {}, {}, 0, false, {}};
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string arg = argv[i];
      if (arg == "--help" || arg == "-h") {
        std::printf(
            "limits — the bare primitives under the models, with none of the suite's code\n\n"
            "usage: %s [--profile=quick|default|full] [--out=FILE.json] [--table]\n"
            "       [--benchmark_* flags]\n\n"
            "Rows: limits/sha256 (one thread, the loop `openssl speed -evp sha256` runs),\n"
            "sha256_threads (W threads), uv_timers (N timers of 10 ms, never early) and\n"
            "uv_timers_may_fire_early, fork_exit_wait, thread_spawn_join,\n"
            "tbb_parallel_for_round, uv_queue_work_round_trip, pipe_round_trip, pread and\n"
            "pread_cold (N reads of file_read's, page cache warm or dropped first, in\n"
            "$CVP_DATA_DIR or /var/tmp).\n"
            "One line per finished row on stderr; --table prints Google Benchmark's table.\n"
            "Exit status: 0 success, 1 a row failed, 2 bad input.\n",
            argv[0]);
        return 0;
      }
      if (arg.starts_with("--profile=")) {
        setup.profile = cvp::bench::profile_named(arg.substr(10));
      } else if (arg.starts_with("--out=") && arg.size() > 6) {
        setup.out = arg.substr(6);
        cvp::bench::check_out_file(*setup.out);
      } else if (arg == "--table") {
        setup.table = true;
      } else if (arg.starts_with("--benchmark_")) {
        setup.passthrough.push_back(arg);
      } else {
        throw std::invalid_argument("unknown argument '" + arg + "'; see limits --help");
      }
    }
    cvp::bench::add_context("limits", setup.profile.name, {});
    static const std::vector<Row> all = rows(setup.profile);
    for (const Row& row : all) {
      auto* b = benchmark::RegisterBenchmark(
          row.name.c_str(), [&row](benchmark::State& s) { run_row(s, row, failures); });
      b->UseManualTime()->Unit(benchmark::kMillisecond);
      cvp::bench::add_interval_statistics(b);
      setup.names.push_back(row.name);
    }
    setup.benchmarks = all.size();
    if (setup.out) lock.emplace(*setup.out);
  } catch (const std::invalid_argument& e) {
    cvp::bench::print_error("limits", e.what());
    return 2;
  }
  try {
    return cvp::bench::run_registered(setup, failures);
  } catch (const std::invalid_argument& e) {
    cvp::bench::print_error("limits", e.what());
    return 2;
  } catch (const std::exception& e) {
    cvp::bench::print_error("limits", e.what());
    return 1;
  }
}
