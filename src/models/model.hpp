// The execution-model interface, the registry of models, and what they share.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
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

struct RunReport {
  int peak_inflight = 0;  // most tasks started and not yet finished at one instant
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

 private:
  int workers_;
};

// Creates the model called `name` with `workers` workers. Throws
// std::invalid_argument for an unknown name or workers out of range.
std::unique_ptr<Model> make_model(std::string_view name, int workers);

// Every registered model name, in the order harnesses run them.
std::span<const std::string_view> model_names();

// True for models whose worker count is fixed at 1 (serial, event_loop).
bool single_worker_model(std::string_view name);

// The model's own lower bound for one run: tasks of `cpu` compute then `wait`
// wait, run with the given limits. Each concurrency slot runs its tasks one
// after another, and the CPU phases can use at most `parallelism` CPUs.
std::chrono::duration<double> ideal_run_time(Limits limits, int tasks,
                                             std::chrono::duration<double> cpu,
                                             std::chrono::duration<double> wait);

// Counts tasks in flight; lives in a shared anonymous mapping so forked
// children update the parent's counts too.
class InflightGauge {
 public:
  InflightGauge();
  ~InflightGauge();
  InflightGauge(const InflightGauge&) = delete;
  InflightGauge& operator=(const InflightGauge&) = delete;

  void enter();
  void leave();
  int peak() const;

 private:
  struct Counts {
    std::atomic<int> current{0};
    std::atomic<int> peak{0};
  };
  static_assert(std::atomic<int>::is_always_lock_free,
                "cross-process counting needs lock-free atomics");
  Counts* counts_;
};

// One task the blocking way (serial, tbb, fork): compute, then sleep through
// the wait, counted in `gauge`.
Digest run_task_blocking(const Workload& w, int index, InflightGauge& gauge);

}  // namespace cvp
