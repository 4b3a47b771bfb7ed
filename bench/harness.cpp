// What the harnesses share: profiles, command line, registration, counters and result files.
#include "harness.hpp"

#include <benchmark/benchmark.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/version.h>
#include <openssl/crypto.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include "cvp/version.hpp"
#include "models/event_loop_offload.hpp"
#include "models/model.hpp"
#include "params.hpp"
#include "sysinfo.hpp"
#include "timing.hpp"

namespace cvp::bench {
namespace {

namespace fs = std::filesystem;

std::atomic<int> g_failed_benchmarks{0};

// What one workload configuration shares across the benchmarks that run it:
// the workload, the serial model's digests, and the CPU time of one task.
struct Prepared {
  std::shared_ptr<const Workload> workload;
  std::vector<Digest> reference;
  double task_cpu_s = 0;
};

std::string workload_key(const Point& p) {
  return "tasks:" + std::to_string(p.tasks) + "/sleep_us:" + std::to_string(p.sleep_us) +
         "/bytes:" + std::to_string(p.bytes) + "/rounds:" + std::to_string(p.rounds);
}

// Times a batch of at least `at_least` of w's compute phases on this thread;
// returns the seconds per task.
double time_task_batch(const Workload& w, std::chrono::milliseconds at_least) {
  const auto t0 = Clock::now();
  int done = 0;
  while (done < 3 || Clock::now() - t0 < at_least) {
    benchmark::DoNotOptimize(w.compute(done % w.tasks()));
    ++done;
  }
  return std::chrono::duration<double>(Clock::now() - t0).count() / done;
}

// The CPU time of one task's compute phase, measured in this process: the
// single-task cost every model's ideal is built from. Each configuration is
// timed in 10 ms batches, spread over three rounds that visit every
// configuration in turn, and the fastest batch counts: the ideal is a lower
// bound, and a slow batch measures a burst of interference, not the task.
void calibrate(std::map<std::string, Prepared>& prepared) {
  for (auto& [key, prep] : prepared) {
    time_task_batch(*prep.workload, std::chrono::milliseconds(10));  // warm-up
    prep.task_cpu_s = std::numeric_limits<double>::infinity();
  }
  for (int round = 0; round < 3; ++round) {
    for (auto& [key, prep] : prepared) {
      for (int batch = 0; batch < 3; ++batch) {
        prep.task_cpu_s = std::min(prep.task_cpu_s,
                                   time_task_batch(*prep.workload, std::chrono::milliseconds(10)));
      }
    }
  }
}

void fail(benchmark::State& state, const std::string& message) {
  g_failed_benchmarks.fetch_add(1);
  state.SkipWithError(message.c_str());
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double seconds_between(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

void run_benchmark(benchmark::State& state, const Point& p, const Prepared& prep) {
  const Workload& w = *prep.workload;
  std::unique_ptr<Model> model, serial;
  // A workload of CPU work alone is paired: every timed run is preceded by an
  // untimed run of the serial model, and the pair gives that run's speedup
  // and its ideal. The reference machine (a virtual machine) switches for
  // seconds at a time between two speeds 35% apart; comparing runs minutes
  // apart would put that switch into the speedup, comparing neighbours does
  // not. Sleeping tasks cost no CPU and need no pairing.
  const bool paired = w.params().bytes > 0 && w.longest_wait().count() == 0;
  try {
    model = make_model(p.model, p.workers);
    model->prepare(w);
    if (paired) serial = make_model("serial", 1);
  } catch (const std::exception& e) {
    fail(state, e.what());
    return;
  }
  const Limits limits = model->limits(w.tasks(), usable_cpus());
  const auto ideal_s = [&](double task_cpu_s) {
    return ideal_run_time(limits, w.tasks(), std::chrono::duration<double>(task_cpu_s),
                          w.longest_wait())
        .count();
  };
  std::vector<Digest> out(static_cast<std::size_t>(w.tasks()));
  double wall_s = 0, cpu_s = 0;
  int peak = 0;
  std::int64_t runs = 0;
  std::vector<double> speedups, efficiencies, task_cpu;
  for (auto _ : state) {
    double serial_s = 0, cpu0 = 0, cpu1 = 0;
    Clock::time_point t0, t1;
    RunReport report;
    try {
      if (paired) {
        const auto s0 = Clock::now();
        serial->run(w, out);
        serial_s = seconds_between(s0, Clock::now());
      }
      std::fill(out.begin(), out.end(), Digest{});
      cpu0 = cpu_seconds_with_children();
      t0 = Clock::now();
      report = model->run(w, out);
      t1 = Clock::now();
      cpu1 = cpu_seconds_with_children();
    } catch (const std::exception& e) {
      fail(state, e.what());
      break;
    }
    const double seconds = seconds_between(t0, t1);
    state.SetIterationTime(seconds);
    // Measure, then check: the comparison is outside the timed region.
    if (const int bad = first_mismatch(out, prep.reference); bad >= 0) {
      fail(state, "task " + std::to_string(bad) + ": digest differs from the serial model's");
      break;
    }
    wall_s += seconds;
    cpu_s += cpu1 - cpu0;
    peak = std::max(peak, report.peak_inflight);
    ++runs;
    const double task_s = paired ? serial_s / w.tasks() : prep.task_cpu_s;
    task_cpu.push_back(task_s);
    efficiencies.push_back(ideal_s(task_s) / seconds);
    if (paired) speedups.push_back(serial_s / seconds);
  }
  if (runs == 0) return;

  auto& c = state.counters;
  c["tasks"] = p.tasks;
  c["workers"] = p.workers;
  c["sleep_us"] = static_cast<double>(p.sleep_us);
  c["bytes"] = static_cast<double>(p.bytes);
  c["rounds"] = p.rounds;
  c["parallelism"] = wall_s > 0 ? cpu_s / wall_s : 0;
  c["peak_inflight"] = peak;
  const double task_cpu_s = median(task_cpu);
  c["task_cpu_us"] = task_cpu_s * 1e6;
  c["ideal_ms"] = ideal_s(task_cpu_s) * 1e3;
  c["efficiency"] = median(efficiencies);
  const double wait_s = std::chrono::duration<double>(w.longest_wait()).count();
  c["cpu_share"] = task_cpu_s / (task_cpu_s + wait_s);
  if (paired) c["speedup"] = median(speedups);
  state.SetItemsProcessed(runs * p.tasks);
  if (p.bytes > 0) state.SetBytesProcessed(runs * p.tasks * p.bytes * p.rounds);
}

std::vector<std::string> split(std::string_view s) {
  std::vector<std::string> out;
  std::string item;
  std::istringstream in{std::string(s)};
  while (std::getline(in, item, ',')) out.push_back(item);
  return out;
}

std::vector<std::int64_t> parse_ints(std::string_view flag, std::string_view value) {
  std::vector<std::int64_t> out;
  for (const std::string& item : split(value)) {
    std::size_t used = 0;
    long long v = 0;
    try {
      v = std::stoll(item, &used);
    } catch (const std::exception&) {
      used = 0;
    }
    if (used == 0 || used != item.size()) {
      throw std::invalid_argument("--" + std::string(flag) + ": '" + item +
                                  "' is not a whole number");
    }
    out.push_back(v);
  }
  if (out.empty()) throw std::invalid_argument("--" + std::string(flag) + " needs a value");
  return out;
}

// The grid flags that take a list of whole numbers, each with its check.
struct IntListFlag {
  std::string_view name;
  std::optional<std::vector<std::int64_t>>* target;
  std::function<void(std::int64_t)> check;
  bool workload_axis;  // accepted only by the harnesses that list it in Harness::axes
};

std::optional<IntListFlag> find_int_flag(std::string_view flag, Overrides& ov) {
  const IntListFlag flags[] = {
      {"--tasks", &ov.tasks, [](std::int64_t v) { check_tasks(v); }, false},
      {"--workers", &ov.workers, [](std::int64_t v) { check_workers(v); }, false},
      {"--sleep_us", &ov.sleep_us, [](std::int64_t v) { check_sleep_us(v); }, true},
      {"--bytes", &ov.bytes, [](std::int64_t v) { check_bytes(v); }, true},
      {"--rounds", &ov.rounds, [](std::int64_t v) { check_rounds(v); }, true},
  };
  for (const IntListFlag& f : flags) {
    if (f.name == flag) return f;
  }
  return std::nullopt;
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

void print_help(const Harness& h, const char* argv0) {
  std::printf(
      "%s — %.*s\n\n"
      "usage: %s [--profile=quick|default|full] [--out=FILE.json] [grid flags] "
      "[--benchmark_* flags]\n\n"
      "  --profile=NAME   the grid and repetitions to run (default: default)\n"
      "  --out=FILE       write Google Benchmark JSON to FILE, replacing it only when\n"
      "                   every benchmark succeeded; the replaced file moves to\n"
      "                   previous/ beside it\n"
      "grid flags (comma-separated lists; each replaces the profile's values):\n"
      "  --models=LIST    models to run; allowed: %s\n"
      "  --tasks=LIST     tasks per run, 1 to %lld\n"
      "  --workers=LIST   workers for tbb and fork, 1 to %lld\n",
      std::string(h.workload).c_str(), static_cast<int>(h.summary.size()), h.summary.data(), argv0,
      join(all_models()).c_str(), static_cast<long long>(kMaxTasks),
      static_cast<long long>(kMaxWorkers));
  for (std::string_view axis : h.axes) {
    if (axis == "sleep_us")
      std::printf("  --sleep_us=LIST  microseconds each task waits, 0 to %lld\n",
                  static_cast<long long>(kMaxSleepUs));
    if (axis == "bytes")
      std::printf("  --bytes=LIST     message bytes each task hashes, 1 to %lld\n",
                  static_cast<long long>(kMaxBytes));
    if (axis == "rounds")
      std::printf("  --rounds=N       chained SHA-256 rounds per task, 1 to %lld\n",
                  static_cast<long long>(kMaxRounds));
  }
  std::printf(
      "\nGoogle Benchmark's own flags pass through: --benchmark_filter=REGEX runs a subset,\n"
      "--benchmark_list_tests lists the grid, --benchmark_repetitions=N overrides the\n"
      "profile's repetitions. Example: %s --profile=quick --benchmark_list_tests\n",
      argv0);
}

void add_context(const Profile& profile, const std::map<std::string, Prepared>& prepared) {
  const CpuBudget cpus = cpu_budget();
  benchmark::AddCustomContext("cvpbench_version", kVersion);
  benchmark::AddCustomContext("cvp_profile", profile.name);
  benchmark::AddCustomContext("libuv_version", uv_version_string());
  benchmark::AddCustomContext("tbb_version", TBB_runtime_version());
  benchmark::AddCustomContext("openssl_version", OpenSSL_version(OPENSSL_VERSION));
  benchmark::AddCustomContext("uv_threadpool_size",
                              std::to_string(uv_threadpool_size()) +
                                  (std::getenv("UV_THREADPOOL_SIZE") ? "" : " (libuv default)"));
  benchmark::AddCustomContext("tbb_default_concurrency",
                              std::to_string(tbb::info::default_concurrency()));
  benchmark::AddCustomContext("cpus_affinity", std::to_string(cpus.affinity));
  benchmark::AddCustomContext("cpus_cgroup_quota",
                              cpus.cgroup_quota ? std::to_string(*cpus.cgroup_quota) : "none");
  benchmark::AddCustomContext("cpus_usable", std::to_string(cpus.usable));
  benchmark::AddCustomContext("timer_slack_ns", std::to_string(timer_slack().count()));
  for (const auto& [key, prep] : prepared) {
    char us[32];
    std::snprintf(us, sizeof us, "%.3f", prep.task_cpu_s * 1e6);
    benchmark::AddCustomContext("task_cpu_us/" + key, us);
  }
}

// Moves `out` to previous/ beside it (when it exists) and the finished
// `partial` into its place. Both are renames within one file system, so a
// reader never sees a half-written result file.
void publish(const fs::path& partial, const fs::path& out) {
  if (fs::exists(out)) {
    const fs::path previous = out.parent_path() / "previous";
    fs::create_directories(previous);
    fs::rename(out, previous / out.filename());
  }
  fs::rename(partial, out);
}

}  // namespace

Profile profile_named(std::string_view name) {
  if (name == "quick") return {"quick", 1, 0.05};
  if (name == "default") return {"default", 5, 0.1};
  if (name == "full") return {"full", 10, 0.2};
  throw std::invalid_argument("profile is '" + std::string(name) +
                              "'; allowed: quick, default, full");
}

std::string benchmark_name(std::string_view workload, const Point& p) {
  std::string name = std::string(workload) + "/" + p.model + "/tasks:" + std::to_string(p.tasks) +
                     "/workers:" + std::to_string(p.workers);
  if (workload != "cpu_hash") name += "/sleep_us:" + std::to_string(p.sleep_us);
  if (p.bytes > 0) name += "/bytes:" + std::to_string(p.bytes);
  return name;
}

std::vector<std::string> all_models() { return {model_names().begin(), model_names().end()}; }

std::vector<Point> cross(const std::vector<std::string>& models,
                         const std::vector<std::int64_t>& tasks,
                         const std::vector<std::int64_t>& workers,
                         const std::function<void(Point&)>& fill) {
  std::vector<Point> out;
  std::set<std::string> seen;
  for (const std::string& m : models) {
    for (std::int64_t n : tasks) {
      for (std::int64_t w : workers) {
        Point p;
        p.model = m;
        p.tasks = check_tasks(n);
        p.workers = fixed_workers(m).value_or(check_workers(w));
        fill(p);
        const std::string key = m + "/" + std::to_string(p.tasks) + "/" +
                                std::to_string(p.workers) + "/" + std::to_string(p.sleep_us) + "/" +
                                std::to_string(p.bytes);
        if (seen.insert(key).second) out.push_back(p);
      }
    }
  }
  return out;
}

int run_main(int argc, char** argv, const Harness& h) {
  const std::string prog(h.workload);
  // Before any thread or child exists, so that all of them inherit it.
  set_timer_slack(std::chrono::nanoseconds(1));

  std::string profile_name = "default";
  std::optional<fs::path> out;
  Overrides ov;
  std::vector<char*> passthrough{argv[0]};
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      const auto eq = arg.find('=');
      const std::string_view flag = arg.substr(0, eq);
      const std::string_view value = eq == std::string_view::npos ? "" : arg.substr(eq + 1);
      const auto needs_value = [&] {
        if (eq == std::string_view::npos || value.empty()) {
          throw std::invalid_argument(std::string(flag) + " needs a value: " + std::string(flag) +
                                      "=...");
        }
      };
      const auto axis_allowed = [&](std::string_view axis) {
        if (std::find(h.axes.begin(), h.axes.end(), axis) == h.axes.end()) {
          throw std::invalid_argument(std::string(flag) + " does not apply to " + prog);
        }
      };
      if (flag == "--help" || flag == "-h") {
        print_help(h, argv[0]);
        return 0;
      } else if (flag == "--profile") {
        needs_value();
        profile_name = value;
      } else if (flag == "--out") {
        needs_value();
        out = fs::path(value);
      } else if (flag == "--models") {
        needs_value();
        ov.models = split(value);
        for (const std::string& m : *ov.models) fixed_workers(m);  // throws if unknown
      } else if (const auto f = find_int_flag(flag, ov)) {
        if (f->workload_axis) axis_allowed(flag.substr(2));
        needs_value();
        *f->target = parse_ints(flag.substr(2), value);
        for (auto v : **f->target) f->check(v);
      } else if (flag.starts_with("--benchmark_")) {
        if (flag == "--benchmark_out" || flag == "--benchmark_out_format") {
          throw std::invalid_argument(std::string(flag) + " is set by " + prog +
                                      "; use --out=FILE.json");
        }
        passthrough.push_back(argv[i]);
      } else {
        throw std::invalid_argument("unknown argument '" + std::string(arg) + "'; see " + prog +
                                    " --help");
      }
    }
    const Profile profile = profile_named(profile_name);
    const std::vector<Point> points = h.grid(profile, ov);
    if (points.empty()) throw std::invalid_argument("the grid is empty");

    // One workload, reference and calibration per configuration, before any
    // timing: the context records the calibrations.
    std::map<std::string, Prepared> prepared;
    for (const Point& p : points) {
      Prepared& prep = prepared[workload_key(p)];
      if (prep.workload) continue;
      prep.workload = h.make_workload(p);
      prep.reference = reference_digests(*prep.workload);
    }
    calibrate(prepared);
    for (const Point& p : points) {
      const Prepared* prep = &prepared.at(workload_key(p));
      benchmark::RegisterBenchmark(benchmark_name(h.workload, p).c_str(),
                                   [p, prep](benchmark::State& s) { run_benchmark(s, p, *prep); })
          ->UseManualTime()
          ->Unit(benchmark::kMillisecond);
    }
    add_context(profile, prepared);

    std::string out_flag, partial_path;
    if (out) {
      if (out->has_parent_path()) fs::create_directories(out->parent_path());
      partial_path = out->string() + ".partial";
      fs::remove(partial_path);  // left by an interrupted run
      out_flag = "--benchmark_out=" + partial_path;
      passthrough.push_back(out_flag.data());
      static char format_flag[] = "--benchmark_out_format=json";
      passthrough.push_back(format_flag);
    }
    std::fprintf(stderr, "%s: profile %s, %zu benchmarks x %d repetitions%s%s\n", prog.c_str(),
                 profile.name.c_str(), points.size(), profile.repetitions, out ? ", writing " : "",
                 out ? out->c_str() : "");

    // Repetitions and minimum time go in as flags, not per benchmark: set per
    // benchmark, Google Benchmark writes them into every name. Flags given
    // on the command line come later and win.
    std::string reps_flag = "--benchmark_repetitions=" + std::to_string(profile.repetitions);
    std::string min_time_flag = "--benchmark_min_time=" + std::to_string(profile.min_time_s);
    passthrough.insert(passthrough.begin() + 1, {reps_flag.data(), min_time_flag.data()});
    int bench_argc = static_cast<int>(passthrough.size());
    passthrough.push_back(nullptr);
    benchmark::Initialize(&bench_argc, passthrough.data());
    if (benchmark::ReportUnrecognizedArguments(bench_argc, passthrough.data())) return 2;
    const std::size_t ran = benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();

    if (ran == 0) {
      std::fprintf(stderr, "%s: error: no benchmark matched; nothing written\n", prog.c_str());
      if (out) fs::remove(partial_path);
      return 1;
    }
    if (const int failed = g_failed_benchmarks.load(); failed > 0) {
      std::fprintf(stderr, "%s: error: %d benchmark runs failed (see error_message above)\n",
                   prog.c_str(), failed);
      if (out) {
        const std::string kept = out->string() + ".failed";
        fs::rename(partial_path, kept);
        std::fprintf(stderr, "%s: %s left unchanged; this run's JSON is in %s\n", prog.c_str(),
                     out->c_str(), kept.c_str());
      }
      return 1;
    }
    if (out) {
      publish(partial_path, *out);
      std::fprintf(stderr, "%s: wrote %s\n", prog.c_str(), out->c_str());
    }
    return 0;
  } catch (const std::invalid_argument& e) {
    std::fprintf(stderr, "%s: error: %s\n", prog.c_str(), e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "%s: error: %s\n", prog.c_str(), e.what());
    return 1;
  }
}

}  // namespace cvp::bench
