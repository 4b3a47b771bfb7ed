// What the timed runs of one benchmark repetition gathered, and the counters every row reports
// from it: the one arithmetic of every C++ harness, the mpi harness included.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <optional>
#include <vector>

#include "axes.hpp"
#include "models/model.hpp"
#include "timing.hpp"
#include "workloads/workload.hpp"

namespace cvp::bench {

// One timed run, as the harness saw it.
struct RunRecord {
  double seconds = 0;     // wall time of the run
  double cpu_s = 0;       // CPU seconds of every process of the run over it
  int peak_inflight = 0;  // most tasks started and not yet finished at one instant
  double baseline_s = 0;  // the paired serial run's time, when the workload is paired
  std::optional<std::int64_t> lost_updates{};
  // CPU seconds of a process the workload talks to (net_rpc's server).
  std::optional<double> server_cpu_s{};
  // What the run cost per task: context switches of this process and its
  // reaped children per task, and its peak RSS above the start per task in
  // flight (none where the peak could not be reset).
  std::optional<double> ctx_vol_per_task{}, ctx_invol_per_task{};
  std::optional<double> mem_bytes_per_task{};
  std::vector<std::int64_t> task_ns{};  // every task's time from its start to its end
  // Kernel memory (thread stacks, socket buffers) at the in-flight peak
  // above the level before the run, per task in flight then (none when the
  // peak was not caught).
  std::optional<double> kmem_bytes_per_task{};
};

// Which axes become counters: those the name may show, and lock and wait
// where the harness names them (or, `every_named_axis`, always: the mpi rows
// have always carried them).
struct AxisCounters {
  bool names_lock_and_wait = false;
  bool names_connections = false;
  bool names_cache = false;
  bool every_named_axis = false;
};

class Tally {
 public:
  // `limits`: the model's limits for this run; `calibrated_task_cpu_s`: one
  // task's CPU time measured before the runs, the ideal's basis for an
  // unpaired workload (a paired one takes its serial twin's time per task).
  Tally(const Workload& w, Limits limits, double calibrated_task_cpu_s);

  void record(const RunRecord& r);
  std::int64_t runs() const { return runs_; }
  Limits limits() const { return limits_; }
  double median_run_s() const { return median(run_s_); }
  // What a task cost beyond its share of the ideal: the median over the
  // runs of (time - ideal) / tasks.
  double median_overhead_per_task_s() const { return median(overheads_); }

  // Adds the counters every row carries: the axes, parallelism,
  // peak_inflight, task_cpu_us, ideal_ms, efficiency, cpu_share, speedup
  // when paired, lost_updates where counted, server_cpu_ms where measured,
  // ctx_vol_per_task, ctx_invol_per_task, mem_kib_per_task and kmem_kib_per_task.
  // Call only when runs() > 0.
  void add_counters(benchmark::UserCounters& c, const Point& p, AxisCounters axes) const;
  // add_counters, and the items and bytes processed.
  void report(benchmark::State& state, const Point& p, AxisCounters axes) const;

 private:
  double ideal_s(double task_cpu_s) const;

  const Workload& w_;
  Limits limits_;
  double calibrated_task_cpu_s_;
  bool paired_;
  double wall_s_ = 0, cpu_s_ = 0;
  int peak_ = 0;
  std::int64_t runs_ = 0;
  std::vector<double> speedups_, efficiencies_, task_cpu_, run_s_, lost_, overheads_, server_cpu_,
      ctx_vol_, ctx_invol_, mem_, kmem_;
  // Every task of every run: latency_p50_ms and latency_p99_ms.
  std::vector<std::int64_t> task_ns_;
};

}  // namespace cvp::bench
