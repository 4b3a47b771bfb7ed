// The execution-model interface, and the ideal run time every model is measured against.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/workload.hpp"

namespace cvp {

// How many tasks a model can have in flight, and how many it can run at the
// same instant on different CPUs.
struct Limits {
  int concurrency = 1;
  int parallelism = 1;
};

// When one task ran, and where: CLOCK_MONOTONIC nanoseconds (one clock for
// every process on the machine), the process and the thread.
struct TaskSpan {
  int index = 0;
  std::int64_t start_ns = 0;
  std::int64_t end_ns = 0;
  int pid = 0;
  int tid = 0;
};

struct RunReport {
  int peak_inflight = 0;        // most tasks started and not yet finished at one instant
  std::vector<TaskSpan> spans;  // every task's span, in index order, when tracing
  // Every task's latency, ns from its start to its end (the in-flight gauge's
  // enter and leave), in index order; 0 or less for a task that did not end,
  // which only a failed run has.
  std::vector<std::int64_t> task_ns;
  // CPU seconds spent by worker processes that the run did not reap (a
  // persistent pool's workers report their own): getrusage(RUSAGE_CHILDREN)
  // cannot see them.
  double worker_cpu_s = 0;
  // Most tasks holding memory at once where more than peak_inflight: a
  // thread per task keeps a finished task's stack until the run joins it.
  int peak_held = 0;
};

class Model {
 public:
  explicit Model(int workers);
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  virtual std::string_view name() const = 0;
  int workers() const { return workers_; }

  // Makes threads, loops and buffers a run of `w` needs, so that run() times
  // the model and not its start-up. Optional; run() works without it.
  virtual void prepare(const Workload& w);

  // Runs every task of `w` once; out[i] receives task i's digest (out.size()
  // must equal w.tasks()). Throws std::runtime_error when the run fails.
  virtual RunReport run(const Workload& w, std::span<Digest> out) = 0;

  // With tracing on, run() reports every task's span (timelines). Off by
  // default: a benchmark does not pay for it.
  void set_tracing(bool on) { tracing_ = on; }
  bool tracing() const { return tracing_; }

 private:
  int workers_;
  bool tracing_ = false;
};

// The model's own lower bound for one run: tasks of `cpu` compute then `wait`
// wait, run with the given limits C (concurrency) and P (parallelism):
// max(ceil(N/C) * (cpu + wait), ceil(N/P) * cpu + wait). Each of C slots runs
// its tasks one after another; the computes need ceil(N/P) turns of P CPUs,
// and the task whose compute ends last still has its wait to do.
std::chrono::duration<double> ideal_run_time(Limits limits, int tasks,
                                             std::chrono::duration<double> cpu,
                                             std::chrono::duration<double> wait);

}  // namespace cvp
