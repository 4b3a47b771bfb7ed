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
#include "bare_share.hpp"
#include "failure_policy.hpp"
#include "interval.hpp"
#include "models/registry.hpp"
#include "paired_run.hpp"
#include "peak_probe.hpp"
#include "sysinfo.hpp"
#include "tally.hpp"
#include "task_cost.hpp"
#include "timing.hpp"

namespace cvp::bench {
namespace {

// Every parameter a workload is made from: two points that differ in one
// must not share a workload (net_rpc's connection per task once ran on the
// kept connections of its twin).
std::string workload_key(const Point& p) {
  return "tasks:" + std::to_string(p.tasks) + "/sleep_us:" + std::to_string(p.sleep_us) +
         "/bytes:" + std::to_string(p.bytes) + "/rounds:" + std::to_string(p.rounds) +
         (p.lock || p.wait ? "/lock:" + std::to_string(p.lock) + "/wait:" + std::to_string(p.wait)
                           : "") +
         (p.conn_per_task ? "/conn_per_task:1" : "") + (p.cold ? "/cold:1" : "");
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
//  - A failure is final (see FailurePolicy).
//  - The model is made and prepared once (threads started, workers forked),
//    like a loop or a pool made before pyperf's clock starts, and released
//    when the next benchmark starts, so no two benchmarks' workers coexist.
struct Sticky {
  std::string error;
  std::unique_ptr<Model> model, baseline;
  int peak_inflight = 0;  // the most of the runs so far: the next run's probe target
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

class BenchmarkRun {
 public:
  BenchmarkRun(benchmark::State& state, const Point& p, const Prepared& prep, Sticky& sticky,
               std::atomic<int>& failures, const Harness& h)
      : state_(state),
        p_(p),
        prep_(prep),
        w_(*prep.workload),
        info_(model_info(p.model)),
        sticky_(sticky),
        policy_(state, sticky.error, &failures),
        h_(h),
        tally_(w_, limits_of(info_, w_.tasks(), static_cast<int>(p.workers), usable_cpus()),
               prep.task_cpu_s),
        first_target_(std::min(w_.tasks(), tally_.limits().concurrency)) {}

  void operator()() {
    if (!policy_.failed_before()) {
      try {
        activate(sticky_);
        set_up();
        timed_runs();
        if (tally_.runs() > 0 && !policy_.failed()) report();
      } catch (const std::exception& e) {
        policy_.fail(e.what());
      }
      if (policy_.failed()) w_.release();  // this repetition's own failure
    }
    if (!looped_) policy_.skip_loop();
  }

 private:
  void set_up() {
    w_.open();
    if (!sticky_.model) {
      sticky_.model = make_model(p_.model, static_cast<int>(p_.workers));
      sticky_.model->prepare(w_);
    }
    if (is_paired(w_) && !sticky_.baseline) sticky_.baseline = make_baseline();
  }

  void timed_runs() {
    std::vector<Digest> out(static_cast<std::size_t>(w_.tasks()));
    looped_ = true;
    for (auto _ : state_) {
      RunRecord r;
      if (sticky_.baseline) r.baseline_s = time_baseline_run(*sticky_.baseline, w_, out);
      std::fill(out.begin(), out.end(), Digest{});
      w_.before_run();
      const auto server0 = w_.server_cpu_seconds();
      const RunStart cost0 = run_start(peak_probe_target(sticky_.peak_inflight, first_target_));
      const double cpu0 = cpu_seconds_with_children();
      const auto t0 = Clock::now();
      const RunReport report = sticky_.model->run(w_, out);
      r.seconds = seconds_since(t0);
      r.cpu_s = cpu_seconds_with_children() + report.worker_cpu_s - cpu0;
      if (const auto server1 = w_.server_cpu_seconds(); server0 && server1) {
        r.server_cpu_s = *server1 - *server0;
      }
      const RunCost cost = run_end(cost0);
      const double tasks = static_cast<double>(w_.tasks());
      r.ctx_vol_per_task = static_cast<double>(cost.switches.voluntary) / tasks;
      r.ctx_invol_per_task = static_cast<double>(cost.switches.involuntary) / tasks;
      r.mem_bytes_per_task =
          user_bytes_per_task(cost, std::max(report.peak_inflight, report.peak_held));
      r.kmem_bytes_per_task = cost.kernel_bytes_per_task;
      sticky_.peak_inflight = std::max(sticky_.peak_inflight, report.peak_inflight);
      state_.SetIterationTime(r.seconds);
      if (const std::string bad = digest_error(out, prep_.reference); !bad.empty()) {
        policy_.fail(bad);
        return;
      }
      r.peak_inflight = report.peak_inflight;
      r.task_ns = report.task_ns;
      r.lost_updates = w_.lost_updates();
      tally_.record(r);
    }
  }

  // The bare primitive's time for the same work, run once right after this
  // repetition's timed runs: limit_ms / measured is how much of the model's
  // time its primitive alone takes. Measured in every repetition, beside the
  // runs it is divided by, it is paired as the speedup is: a slow stretch of
  // the machine slows both, and the median over the repetitions holds (once
  // per benchmark, it compared one moment's primitive with five moments'
  // model).
  // Shared with the other models standing on the same primitive doing the
  // same work (bare_share.hpp): each run serves each of them once.
  // A workload whose tasks each hold a lock from start to end (shared_counter
  // with its lock) runs one task after another under every model: its floor
  // is the bare loop, not the model's W threads or N timers (against those
  // the locked rows read vs_limit 0.02 to 0.68, a floor no model can reach).
  double limit_s() const {
    static BareShare shared;
    // A harness's own bare run (file_read's N preads) stands on no model: every
    // model of the point shares it.
    if (h_.bare_run) {
      return shared.take("harness/" + workload_key(p_), &sticky_, [&] { return h_.bare_run(w_); });
    }
    const int workers = static_cast<int>(p_.workers);
    const Primitive primitive = w_.exclusive() ? Primitive::kLoop : info_.primitive;
    const CapacityRule rule = w_.exclusive() ? CapacityRule::kOne : info_.concurrency_rule;
    return shared.take(bare_key(primitive, rule, w_.params(), workers), &sticky_,
                       [&] { return bare_run_seconds(primitive, rule, w_.params(), workers); });
  }

  void report() {
    tally_.report(state_, p_,
                  {.names_lock_and_wait = h_.names.names_lock_and_wait,
                   .names_connections = h_.names.names_connections,
                   .names_cache = h_.names.names_cache});
    // The bare run with no model's threads or workers alive, this one's
    // included (made again if its next repetition follows): 10 000 idle
    // threads of threads_n beside its bare run doubled that run's time.
    release_benchmark_models();
    const double limit = limit_s();
    state_.counters["limit_ms"] = limit * 1e3;
    state_.counters["vs_limit"] = limit / tally_.median_run_s();
  }

  benchmark::State& state_;
  const Point& p_;
  const Prepared& prep_;
  const Workload& w_;
  const ModelInfo& info_;
  Sticky& sticky_;
  FailurePolicy policy_;
  bool looped_ = false;  // the timing loop began (FailurePolicy::skip_loop)
  const Harness& h_;
  Tally tally_;
  int first_target_;  // the probe's target before any run: the model's concurrency
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
    auto* b = benchmark::RegisterBenchmark(name.c_str(),
                                           [p, prep, sticky, &failures, &h](benchmark::State& s) {
                                             BenchmarkRun(s, p, *prep, *sticky, failures, h)();
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
