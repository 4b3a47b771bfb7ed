// Measuring one benchmark: set-up outside the clock, timed runs, digests checked, counters
// computed.
#include "measure.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <set>
#include <stdexcept>

#include "bare.hpp"
#include "interval.hpp"
#include "models/registry.hpp"
#include "sysinfo.hpp"
#include "timing.hpp"

namespace cvp::bench {
namespace {

std::string workload_key(const Point& p) {
  return "tasks:" + std::to_string(p.tasks) + "/sleep_us:" + std::to_string(p.sleep_us) +
         "/bytes:" + std::to_string(p.bytes) + "/rounds:" + std::to_string(p.rounds) +
         (p.lock || p.wait ? "/lock:" + std::to_string(p.lock) + "/wait:" + std::to_string(p.wait)
                           : "");
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
  return seconds_since(t0) / done;
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

// What one benchmark keeps across the invocations Google Benchmark makes of
// it: its repetitions, and the runs it makes to pick an iteration count.
//  - A failure is final: the repetitions after it fail at once, so Google
//    Benchmark 1.7.1 never sees a failed repetition followed by a successful
//    one (its ComputeStats crashes on that) and the error row is printed
//    without delay.
//  - The model is made and prepared once (threads started, workers forked),
//    like a loop or a pool made before pyperf's clock starts, and released
//    when the next benchmark starts, so no two benchmarks' workers coexist.
struct Sticky {
  std::string error;
  std::unique_ptr<Model> model, baseline;
};

// The benchmark whose models are alive; benchmarks run one at a time.
Sticky* g_active = nullptr;

void activate(Sticky& s) {
  if (g_active != nullptr && g_active != &s) {
    g_active->model.reset();
    g_active->baseline.reset();
  }
  g_active = &s;
}

// What the timed runs of one repetition gathered.
struct Tally {
  double wall_s = 0, cpu_s = 0;
  int peak = 0;
  std::int64_t runs = 0;
  std::vector<double> speedups, efficiencies, task_cpu, run_s, lost, server_cpu;
};

class BenchmarkRun {
 public:
  BenchmarkRun(benchmark::State& state, const Point& p, const Prepared& prep, Sticky& sticky,
               std::atomic<int>& failures, const NameRules& names)
      : state_(state),
        p_(p),
        prep_(prep),
        w_(*prep.workload),
        info_(model_info(p.model)),
        sticky_(sticky),
        failures_(failures),
        h_names_(names) {}

  void operator()() {
    if (!sticky_.error.empty()) {
      state_.SkipWithError(("an earlier repetition failed: " + sticky_.error).c_str());
      return;
    }
    try {
      activate(sticky_);
      set_up();
      timed_runs();
      if (tally_.runs > 0 && sticky_.error.empty()) report();
    } catch (const std::exception& e) {
      fail(e.what());
    }
  }

 private:
  void fail(const std::string& message) {
    if (!sticky_.error.empty()) return;
    sticky_.error = message;
    failures_.fetch_add(1);
    state_.SkipWithError(message.c_str());
  }

  void set_up() {
    w_.open();
    if (!sticky_.model) {
      sticky_.model = make_model(p_.model, static_cast<int>(p_.workers));
      sticky_.model->prepare(w_);
    }
    // A workload of CPU work alone is paired: every timed run is preceded by
    // an untimed run of the baseline model, and the pair gives that run's
    // speedup and its ideal. The reference machine (a virtual machine)
    // switches for seconds at a time between two speeds 35% apart; comparing
    // runs minutes apart would put that switch into the speedup, comparing
    // neighbours does not. Sleeping tasks cost no CPU and need no pairing.
    paired_ = w_.params().bytes > 0 && w_.longest_wait().count() == 0;
    if (paired_ && !sticky_.baseline) sticky_.baseline = make_model(baseline_model().name, 1);
    limits_ = limits_of(info_, w_.tasks(), static_cast<int>(p_.workers), usable_cpus());
  }

  double ideal_s(double task_cpu_s) const {
    return ideal_run_time(limits_, w_.tasks(), std::chrono::duration<double>(task_cpu_s),
                          w_.longest_wait())
        .count();
  }

  void timed_runs() {
    std::vector<Digest> out(static_cast<std::size_t>(w_.tasks()));
    for (auto _ : state_) {
      double baseline_s = 0;
      if (paired_) {
        const auto s0 = Clock::now();
        sticky_.baseline->run(w_, out);
        baseline_s = seconds_since(s0);
      }
      std::fill(out.begin(), out.end(), Digest{});
      w_.before_run();
      const auto server0 = w_.server_cpu_seconds();
      const double cpu0 = cpu_seconds_with_children();
      const auto t0 = Clock::now();
      const RunReport report = sticky_.model->run(w_, out);
      const double seconds = seconds_since(t0);
      const double cpu1 = cpu_seconds_with_children() + report.worker_cpu_s;
      if (const auto server1 = w_.server_cpu_seconds(); server0 && server1) {
        tally_.server_cpu.push_back(*server1 - *server0);
      }
      state_.SetIterationTime(seconds);
      // Measure, then check: the comparison is outside the timed region.
      if (const int bad = first_mismatch(out, prep_.reference); bad >= 0) {
        fail("task " + std::to_string(bad) + ": digest differs from the serial model's");
        return;
      }
      if (const auto lost = w_.lost_updates()) tally_.lost.push_back(static_cast<double>(*lost));
      record(seconds, cpu1 - cpu0, report.peak_inflight, baseline_s);
    }
  }

  void record(double seconds, double cpu_s, int peak, double baseline_s) {
    Tally& t = tally_;
    t.wall_s += seconds;
    t.cpu_s += cpu_s;
    t.peak = std::max(t.peak, peak);
    ++t.runs;
    const double task_s = paired_ ? baseline_s / w_.tasks() : prep_.task_cpu_s;
    t.task_cpu.push_back(task_s);
    t.efficiencies.push_back(ideal_s(task_s) / seconds);
    t.run_s.push_back(seconds);
    if (paired_) t.speedups.push_back(baseline_s / seconds);
  }

  // The bare primitive's time for the same work, run once right after this
  // repetition's timed runs: limit_ms / measured is how much of the model's
  // time its primitive alone takes. Measured in every repetition, beside the
  // runs it is divided by, it is paired as the speedup is: a slow stretch of
  // the machine slows both, and the median over the repetitions holds (once
  // per benchmark, it compared one moment's primitive with five moments'
  // model).
  double limit_s() const {
    return bare_run_seconds(info_.primitive, info_.concurrency_rule, w_.params(),
                            static_cast<int>(p_.workers));
  }

  void report() {
    const Tally& t = tally_;
    auto& c = state_.counters;
    for (const Axis& a : axes()) {
      const bool counted = a.in_name == InName::kIfHarnessNames  ? h_names_.names_lock_and_wait
                           : a.in_name == InName::kIfConnections ? h_names_.names_connections
                                                                 : a.in_name != InName::kNever;
      if (counted) c[std::string(a.name)] = static_cast<double>(p_.*a.field);
    }
    c["parallelism"] = t.wall_s > 0 ? t.cpu_s / t.wall_s : 0;
    c["peak_inflight"] = t.peak;
    const double task_cpu_s = median(t.task_cpu);
    c["task_cpu_us"] = task_cpu_s * 1e6;
    c["ideal_ms"] = ideal_s(task_cpu_s) * 1e3;
    c["efficiency"] = median(t.efficiencies);
    const double wait_s = std::chrono::duration<double>(w_.longest_wait()).count();
    c["cpu_share"] = task_cpu_s / (task_cpu_s + wait_s);
    if (paired_) c["speedup"] = median(t.speedups);
    if (!t.lost.empty()) c["lost_updates"] = median(t.lost);
    // The server's CPU per run, apart from the model's parallelism.
    if (!t.server_cpu.empty()) c["server_cpu_ms"] = median(t.server_cpu) * 1e3;
    const double limit = limit_s();
    c["limit_ms"] = limit * 1e3;
    c["vs_limit"] = limit / median(t.run_s);
    state_.SetItemsProcessed(t.runs * p_.tasks);
    if (p_.bytes > 0) state_.SetBytesProcessed(t.runs * p_.tasks * p_.bytes * p_.rounds);
  }

  benchmark::State& state_;
  const Point& p_;
  const Prepared& prep_;
  const Workload& w_;
  const ModelInfo& info_;
  Sticky& sticky_;
  std::atomic<int>& failures_;
  const NameRules& h_names_;
  bool paired_ = false;
  Limits limits_;
  Tally tally_;
};

}  // namespace

std::map<std::string, Prepared> prepare_workloads(const std::vector<Point>& points,
                                                  const Harness& h) {
  std::map<std::string, Prepared> prepared;
  for (const Point& p : points) {
    Prepared& prep = prepared[workload_key(p)];
    if (prep.workload) continue;
    prep.workload = h.make_workload(p);
    prep.reference = reference_digests(*prep.workload);
  }
  calibrate(prepared);
  return prepared;
}

void register_benchmarks(const std::vector<Point>& points,
                         const std::map<std::string, Prepared>& prepared, const Harness& h,
                         std::atomic<int>& failures) {
  std::set<std::string> names;
  for (const Point& p : points) {
    const std::string name = benchmark_name(h.workload, p, h.names);
    if (!names.insert(name).second) {
      throw std::invalid_argument("two benchmarks would be named " + name +
                                  "; give each axis value once");
    }
    const Prepared* prep = &prepared.at(workload_key(p));
    auto sticky = std::make_shared<Sticky>();
    auto* b = benchmark::RegisterBenchmark(
        name.c_str(), [p, prep, sticky, &failures, &h](benchmark::State& s) {
          BenchmarkRun(s, p, *prep, *sticky, failures, h.names)();
        });
    b->UseManualTime()->Unit(benchmark::kMillisecond);
    add_interval_statistics(b);
  }
}

void release_benchmark_models() {
  if (g_active != nullptr) {
    g_active->model.reset();
    g_active->baseline.reset();
  }
  g_active = nullptr;
}

void add_calibration_context(const std::map<std::string, Prepared>& prepared) {
  for (const auto& [key, prep] : prepared) {
    char us[32];
    std::snprintf(us, sizeof us, "%.3f", prep.task_cpu_s * 1e6);
    benchmark::AddCustomContext("task_cpu_us/" + key, us);
  }
}

}  // namespace cvp::bench
