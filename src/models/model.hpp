// The execution-model interface, the registry of models, and what they share.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
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
};

class Model {
 public:
  explicit Model(int workers);
  virtual ~Model() = default;
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  virtual std::string_view name() const = 0;
  int workers() const { return workers_; }

  virtual Limits limits(int tasks, int cpus) const = 0;

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

// Creates the model called `name` with `workers` workers. Throws
// std::invalid_argument for an unknown name or workers out of range.
std::unique_ptr<Model> make_model(std::string_view name, int workers);

// Every registered model name, in the order harnesses run them.
std::span<const std::string_view> model_names();

// The worker count a model is fixed at, whatever is asked: 1 for the models
// on one thread, the libuv threadpool size for event_loop_offload; nullopt
// for the models that take W (tbb, fork). Throws for an unknown name.
std::optional<int> fixed_workers(std::string_view name);

// The model's own lower bound for one run: tasks of `cpu` compute then `wait`
// wait, run with the given limits C (concurrency) and P (parallelism):
// max(ceil(N/C) * (cpu + wait), ceil(N/P) * cpu + wait). Each of C slots runs
// its tasks one after another; the computes need ceil(N/P) turns of P CPUs,
// and the task whose compute ends last still has its wait to do.
std::chrono::duration<double> ideal_run_time(Limits limits, int tasks,
                                             std::chrono::duration<double> cpu,
                                             std::chrono::duration<double> wait);

// Counts tasks in flight and, for `traced_tasks` tasks, records each one's
// span. Lives in a shared anonymous mapping, so forked children update the
// parent's counts and spans too.
class InflightGauge {
 public:
  explicit InflightGauge(int traced_tasks = 0);
  ~InflightGauge();
  InflightGauge(const InflightGauge&) = delete;
  InflightGauge& operator=(const InflightGauge&) = delete;

  void enter(int index);
  void leave(int index);
  int peak() const;

  // The peak and the recorded spans.
  RunReport report() const;

 private:
  struct Counts {
    std::atomic<int> current{0};
    std::atomic<int> peak{0};
  };
  static_assert(std::atomic<int>::is_always_lock_free,
                "cross-process counting needs lock-free atomics");
  std::size_t bytes_;
  int traced_;
  Counts* counts_;
  TaskSpan* spans_;  // traced_ of them, after the counts
};

// One task the blocking way (serial, tbb, fork): compute, then sleep through
// the wait, counted in `gauge`.
Digest run_task_blocking(const Workload& w, int index, InflightGauge& gauge);

}  // namespace cvp
