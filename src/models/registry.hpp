// The registry: the one place that knows every model's name, order, family and limits.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "models/model.hpp"

namespace cvp {

// What a model's workers are: the groups charts colour alike.
enum class Family { kOneThread, kThreads, kProcesses };

// A capacity: how many tasks a model holds in flight, or runs at one
// instant, as a rule over N (tasks), W (workers) and the usable CPUs. (Not
// the bare primitive's time, which results call limit_ms.)
enum class CapacityRule {
  kOne,                    // 1
  kTasks,                  // N: every task at once (a gathered event loop)
  kWorkers,                // W
  kWorkersOnCpus,          // min(W, CPUs)
  kWorkersOnAllHostsCpus,  // min(W, CPUs of every host the workers run on)
  kTasksOnCpus,            // min(N, CPUs): a thread per task
};

// The primitive a model is built on, which the limits harness and the
// paired bare runs measure without any of the suite's code.
enum class Primitive {
  kLoop,       // one thread calling and sleeping (serial, blocking loops)
  kUvTimers,   // libuv timers started together, never fired early
  kOsThreads,  // W threads (N for a thread per task) taking tasks from a shared counter
  kOsThreadsMade,  // N threads made before the clock starts, released together, one task each
  kForked,     // W forked processes taking tasks from a shared counter
  kNone,       // none measured: the model's workers start outside any harness (mpi's ranks)
};

// How a model's workers start: made by a harness in its own process, or as
// ranks that mpiexec starts, which only the mpi harness runs.
enum class Launch { kInProcess, kMpiexec };

// One registry row; rows are written with designated initializers so every
// value says which fact it is.
struct ModelInfo {
  std::string_view name;
  // Display order in charts and tables; rows are listed in this order.
  int order;
  Family family;
  // The W a model is fixed at (nullopt: it takes W), and why.
  std::function<std::optional<int>()> fixed_workers;
  std::string_view fixed_why;
  // Tasks in flight at once, and tasks running at one instant.
  CapacityRule concurrency_rule;
  CapacityRule parallelism_rule;
  Primitive primitive;
  // True for a variant of another model that differs from it only in how
  // its tasks wait: with no waits it runs the same code, so CPU-only grids
  // leave it out.
  bool differs_only_in_waits;
  // True for the model every other is paired against and checked against.
  bool baseline;
  std::string_view summary;
  std::function<std::unique_ptr<Model>(int workers)> make;  // empty unless launched in process
  Launch launch = Launch::kInProcess;
};

// True for a model that makes a thread for every task: N threads in flight.
inline bool thread_per_task(const ModelInfo& m) {
  return m.family == Family::kThreads && m.concurrency_rule == CapacityRule::kTasks;
}

// Every model, in display order.
std::span<const ModelInfo> registry();

// The model called `name`; throws std::invalid_argument naming the allowed ones.
const ModelInfo& model_info(std::string_view name);

// The baseline model (serial): the reference for digests and paired speedups.
const ModelInfo& baseline_model();

// Creates the model called `name` with `workers` workers. Throws
// std::invalid_argument for an unknown name, workers out of range, or a
// model that only mpiexec starts.
std::unique_ptr<Model> make_model(std::string_view name, int workers);

// Every registered model name, in display order.
std::span<const std::string_view> model_names();

// The worker count a model is fixed at, or nullopt when it takes W. Throws
// for an unknown name.
std::optional<int> fixed_workers(std::string_view name);

// The model's limits for a run of `tasks` on `workers` with `cpus` usable.
Limits limits_of(const ModelInfo& m, int tasks, int workers, int cpus);

std::string_view to_string(Family f);
std::string_view to_string(CapacityRule r);

// The registry rows of `names` as a JSON array, for a result file's context.
std::string registry_json(std::span<const std::string> names);
// One row as a JSON object.
std::string registry_json(const ModelInfo& m);

}  // namespace cvp
