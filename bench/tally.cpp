// What the timed runs of one benchmark repetition gathered, and the counters every row reports
// from it: the one arithmetic of every C++ harness, the mpi harness included.
#include "tally.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>
#include <string>

#include "models/task_latency.hpp"
#include "paired_run.hpp"
#include "timing.hpp"

namespace cvp::bench {

Tally::Tally(const Workload& w, Limits limits, double calibrated_task_cpu_s)
    : w_(w),
      limits_(limits),
      calibrated_task_cpu_s_(calibrated_task_cpu_s),
      paired_(is_paired(w)) {}

double Tally::ideal_s(double task_cpu_s) const {
  return ideal_run_time(limits_, w_.tasks(), std::chrono::duration<double>(task_cpu_s),
                        w_.longest_wait())
      .count();
}

void Tally::record(const RunRecord& r) {
  wall_s_ += r.seconds;
  cpu_s_ += r.cpu_s;
  peak_ = std::max(peak_, r.peak_inflight);
  ++runs_;
  const double task_s = paired_ ? r.baseline_s / w_.tasks() : calibrated_task_cpu_s_;
  const double ideal = ideal_s(task_s);
  task_cpu_.push_back(task_s);
  efficiencies_.push_back(ideal / r.seconds);
  run_s_.push_back(r.seconds);
  overheads_.push_back((r.seconds - ideal) / w_.tasks());
  if (paired_) speedups_.push_back(r.baseline_s / r.seconds);
  if (r.lost_updates) lost_.push_back(static_cast<double>(*r.lost_updates));
  if (r.server_cpu_s) server_cpu_.push_back(*r.server_cpu_s);
  if (r.ctx_vol_per_task && r.ctx_invol_per_task) {
    ctx_vol_.push_back(*r.ctx_vol_per_task);
    ctx_invol_.push_back(*r.ctx_invol_per_task);
  }
  if (r.mem_bytes_per_task) mem_.push_back(*r.mem_bytes_per_task);
  task_ns_.insert(task_ns_.end(), r.task_ns.begin(), r.task_ns.end());
  if (r.kmem_bytes_per_task) kmem_.push_back(*r.kmem_bytes_per_task);
}

void Tally::add_counters(benchmark::UserCounters& c, const Point& p, AxisCounters which) const {
  for (const Axis& a : axes()) {
    const bool counted =
        a.in_name == InName::kIfHarnessNames  ? which.names_lock_and_wait || which.every_named_axis
        : a.in_name == InName::kIfConnections ? which.names_connections
        : a.in_name == InName::kIfCache       ? which.names_cache
                                              : a.in_name != InName::kNever;
    if (counted) c[std::string(a.name)] = static_cast<double>(p.*a.field);
  }
  c["parallelism"] = wall_s_ > 0 ? cpu_s_ / wall_s_ : 0;
  c["peak_inflight"] = peak_;
  const double task_cpu_s = median(task_cpu_);
  c["task_cpu_us"] = task_cpu_s * 1e6;
  c["ideal_ms"] = ideal_s(task_cpu_s) * 1e3;
  c["efficiency"] = median(efficiencies_);
  const double wait_s = std::chrono::duration<double>(w_.longest_wait()).count();
  c["cpu_share"] = task_cpu_s / (task_cpu_s + wait_s);
  if (paired_) c["speedup"] = median(speedups_);
  if (!lost_.empty()) c["lost_updates"] = median(lost_);
  // The server's CPU per run, apart from the model's parallelism.
  if (!server_cpu_.empty()) c["server_cpu_ms"] = median(server_cpu_) * 1e3;
  // As the Python runner: switches are the mean over the runs, memory the
  // largest (the first run of a model may touch pages later runs reuse).
  if (!ctx_vol_.empty()) {
    c["ctx_vol_per_task"] = std::accumulate(ctx_vol_.begin(), ctx_vol_.end(), 0.0) /
                            static_cast<double>(ctx_vol_.size());
    c["ctx_invol_per_task"] = std::accumulate(ctx_invol_.begin(), ctx_invol_.end(), 0.0) /
                              static_cast<double>(ctx_invol_.size());
  }
  if (!mem_.empty()) c["mem_kib_per_task"] = *std::max_element(mem_.begin(), mem_.end()) / 1024;
  // Over every task of every run, as the Python runner: one slow run's tasks count as many.
  if (!task_ns_.empty()) {
    std::vector<std::int64_t> ns = task_ns_;
    const LatencyPercentiles l = latency_percentiles(ns);
    c["latency_p50_ms"] = l.p50_ms;
    c["latency_p99_ms"] = l.p99_ms;
  }
  // The kernel's levels are machine-wide: the median keeps another process's
  // burst in one run out.
  if (!kmem_.empty()) c["kmem_kib_per_task"] = median(kmem_) / 1024;
}

void Tally::report(benchmark::State& state, const Point& p, AxisCounters which) const {
  add_counters(state.counters, p, which);
  state.SetItemsProcessed(runs_ * p.tasks);
  if (p.bytes > 0) state.SetBytesProcessed(runs_ * p.tasks * p.bytes * p.rounds);
}

}  // namespace cvp::bench
