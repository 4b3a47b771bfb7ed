// The registry: the one place that knows every model's name, order, family and limits.
#include "models/registry.hpp"

#include <algorithm>
#include <stdexcept>
#include <vector>

#include "json_text.hpp"
#include "models/event_loop.hpp"
#include "models/event_loop_blocking.hpp"
#include "models/event_loop_offload.hpp"
#include "models/event_loop_sequential.hpp"
#include "models/fork.hpp"
#include "models/process_pool.hpp"
#include "models/serial.hpp"
#include "models/task_threads.hpp"
#include "models/tbb.hpp"
#include "models/thread_per_task.hpp"
#include "models/threads_n.hpp"
#include "params.hpp"

namespace cvp {
namespace {

std::optional<int> one() { return 1; }
std::optional<int> any() { return std::nullopt; }
std::optional<int> pool_size() { return uv_threadpool_size(); }

template <typename M>
std::unique_ptr<Model> make_fixed(int) {
  return std::make_unique<M>();
}
template <typename M>
std::unique_ptr<Model> make_with_workers(int workers) {
  return std::make_unique<M>(workers);
}

using enum Family;
using enum CapacityRule;
using enum Primitive;

// Adding a model: its own file(s) under src/models/ and one row here, in
// display order.
const std::vector<ModelInfo> kModels{
    {.name = "serial",
     .order = 0,
     .family = kOneThread,
     .fixed_workers = one,
     .fixed_why = "one thread",
     .concurrency_rule = kOne,
     .parallelism_rule = kOne,
     .primitive = kLoop,
     .differs_only_in_waits = false,
     .baseline = true,
     .summary = "one task after another on the calling thread",
     .make = make_fixed<SerialModel>},
    {.name = "event_loop_sequential",
     .order = 1,
     .family = kOneThread,
     .fixed_workers = one,
     .fixed_why = "one thread",
     .concurrency_rule = kOne,
     .parallelism_rule = kOne,
     .primitive = kUvTimers,
     .differs_only_in_waits = true,
     .baseline = false,
     .summary = "one libuv loop; each task awaited before the next starts",
     .make = make_fixed<EventLoopSequentialModel>},
    {.name = "event_loop",
     .order = 2,
     .family = kOneThread,
     .fixed_workers = one,
     .fixed_why = "one thread",
     .concurrency_rule = kTasks,
     .parallelism_rule = kOne,
     .primitive = kUvTimers,
     .differs_only_in_waits = false,
     .baseline = false,
     .summary = "one libuv loop; all tasks started at once (gather); waits are timers",
     .make = make_fixed<EventLoopModel>},
    {.name = "event_loop_blocking",
     .order = 3,
     .family = kOneThread,
     .fixed_workers = one,
     .fixed_why = "one thread",
     .concurrency_rule = kOne,
     .parallelism_rule = kOne,
     .primitive = kLoop,
     .differs_only_in_waits = true,
     .baseline = false,
     .summary = "one libuv loop whose tasks wait with a blocking sleep",
     .make = make_fixed<EventLoopBlockingModel>},
    {.name = "event_loop_offload",
     .order = 4,
     .family = kThreads,
     .fixed_workers = pool_size,
     .fixed_why = "UV_THREADPOOL_SIZE",
     .concurrency_rule = kWorkers,
     .parallelism_rule = kWorkersOnCpus,
     .primitive = kOsThreads,
     .differs_only_in_waits = false,
     .baseline = false,
     .summary = "one libuv loop handing tasks to its threadpool (uv_queue_work)",
     .make = make_fixed<EventLoopOffloadModel>},
    {.name = "tbb",
     .order = 5,
     .family = kThreads,
     .fixed_workers = any,
     .fixed_why = "",
     .concurrency_rule = kWorkers,
     .parallelism_rule = kWorkersOnCpus,
     .primitive = kOsThreads,
     .differs_only_in_waits = false,
     .baseline = false,
     .summary = "oneTBB parallel_for in a task_arena of W threads",
     .make = make_with_workers<TbbModel>},
    {.name = "fork",
     .order = 6,
     .family = kProcesses,
     .fixed_workers = any,
     .fixed_why = "",
     .concurrency_rule = kWorkers,
     .parallelism_rule = kWorkersOnCpus,
     .primitive = kForked,
     .differs_only_in_waits = false,
     .baseline = false,
     .summary = "W children forked per run, chunks of tasks taken on demand",
     .make = make_with_workers<ForkModel>},
    {.name = "process_pool",
     .order = 7,
     .family = kProcesses,
     .fixed_workers = any,
     .fixed_why = "",
     .concurrency_rule = kWorkers,
     .parallelism_rule = kWorkersOnCpus,
     .primitive = kForked,
     .differs_only_in_waits = false,
     .baseline = false,
     .summary = "W children forked once and kept, chunks of tasks dispatched per run",
     .make = make_with_workers<ProcessPoolModel>},
    {.name = "thread_per_task",
     .order = 8,
     .family = kThreads,
     .fixed_workers = one,
     .fixed_why = "W unused: a thread per task",
     .concurrency_rule = kTasks,
     .parallelism_rule = kTasksOnCpus,
     .primitive = kOsThreads,
     .differs_only_in_waits = false,
     .baseline = false,
     .summary = "a pthread (256 KiB stack) started per task in the run, all joined at its end",
     .make = make_fixed<ThreadPerTaskModel>},
    {.name = "threads_n",
     .order = 9,
     .family = kThreads,
     .fixed_workers = one,
     .fixed_why = "W unused: a thread per task",
     .concurrency_rule = kTasks,
     .parallelism_rule = kTasksOnCpus,
     .primitive = kOsThreadsMade,
     .differs_only_in_waits = false,
     .baseline = false,
     .summary = "N pthreads (256 KiB stack) made before timing, each runs one task per run",
     .make = make_fixed<ThreadsNModel>},
    // Its ranks are started by mpiexec and run by the mpi harness (bench/mpi/),
    // never made in a harness's process. Order 50: after the C++ models a
    // harness runs, before the Python ones.
    {.name = "mpi",
     .order = 50,
     .family = kProcesses,
     .fixed_workers = any,
     .fixed_why = "",
     .concurrency_rule = kWorkers,
     .parallelism_rule = kWorkersOnAllHostsCpus,
     .primitive = kNone,
     .differs_only_in_waits = false,
     .baseline = false,
     .summary = "W ranks under mpiexec, chunks handed out by rank 0",
     .make = nullptr,
     .launch = Launch::kMpiexec},
};
static_assert(kTaskThreadStackBytes == 256 * 1024, "the summaries above say 256 KiB");

std::string rule_text(CapacityRule r) { return std::string(to_string(r)); }

}  // namespace

std::span<const ModelInfo> registry() { return kModels; }

const ModelInfo& model_info(std::string_view name) {
  for (const ModelInfo& m : kModels) {
    if (m.name == name) return m;
  }
  std::string known;
  for (const ModelInfo& m : kModels) known += (known.empty() ? "" : ", ") + std::string(m.name);
  throw std::invalid_argument("unknown model '" + std::string(name) + "'; allowed: " + known);
}

const ModelInfo& baseline_model() {
  const auto it =
      std::find_if(kModels.begin(), kModels.end(), [](const ModelInfo& m) { return m.baseline; });
  return *it;
}

std::unique_ptr<Model> make_model(std::string_view name, int workers) {
  const ModelInfo& m = model_info(name);
  check_workers(workers);
  if (const auto fixed = m.fixed_workers(); fixed && workers != *fixed) {
    throw std::invalid_argument("workers is " + std::to_string(workers) + " for model '" +
                                std::string(name) + "'; allowed: " + std::to_string(*fixed) + " (" +
                                std::string(m.fixed_why) + ")");
  }
  if (m.launch != Launch::kInProcess) {
    throw std::invalid_argument("model '" + std::string(name) +
                                "' runs only under mpiexec, in the mpi harness");
  }
  return m.make(workers);
}

std::span<const std::string_view> model_names() {
  static const auto names = [] {
    std::vector<std::string_view> n;
    for (const ModelInfo& m : kModels) n.push_back(m.name);
    return n;
  }();
  return names;
}

std::optional<int> fixed_workers(std::string_view name) { return model_info(name).fixed_workers(); }

Limits limits_of(const ModelInfo& m, int tasks, int workers, int cpus) {
  const auto apply = [&](CapacityRule r) {
    switch (r) {
      case CapacityRule::kOne:
        return 1;
      case CapacityRule::kTasks:
        return tasks;
      case CapacityRule::kWorkers:
        return workers;
      case CapacityRule::kWorkersOnCpus:
      case CapacityRule::kWorkersOnAllHostsCpus:  // `cpus` is then every host's
        return std::min(workers, cpus);
      case CapacityRule::kTasksOnCpus:
        return std::min(tasks, cpus);
    }
    return 1;
  };
  return {apply(m.concurrency_rule), apply(m.parallelism_rule)};
}

std::string_view to_string(Family f) {
  static constexpr std::string_view kNames[] = {"one_thread", "threads", "processes"};
  return kNames[static_cast<int>(f)];
}

std::string_view to_string(CapacityRule r) {
  static constexpr std::string_view kNames[] = {
      "1", "N", "W", "min(W, cores)", "min(W, cores in all hosts)", "min(N, cores)"};
  return kNames[static_cast<int>(r)];
}

std::string registry_json(const ModelInfo& m) {
  const auto fixed = m.fixed_workers();
  return "{\"name\": " + json_quoted(m.name) + ", \"order\": " + std::to_string(m.order) +
         ", \"family\": " + json_quoted(to_string(m.family)) + ", \"language\": \"c++\"" +
         ", \"takes_workers\": " + (fixed ? "false" : "true") +
         ", \"fixed_workers\": " + (fixed ? std::to_string(*fixed) : "null") +
         ", \"fixed_why\": " + json_quoted(m.fixed_why) +
         ", \"concurrency\": " + json_quoted(rule_text(m.concurrency_rule)) +
         ", \"parallelism\": " + json_quoted(rule_text(m.parallelism_rule)) +
         ", \"twin\": " + json_quoted(m.name) + ", \"summary\": " + json_quoted(m.summary) + "}";
}

std::string registry_json(std::span<const std::string> names) {
  std::vector<const ModelInfo*> rows;
  for (const std::string& n : names) {
    const ModelInfo* m = &model_info(n);
    if (std::find(rows.begin(), rows.end(), m) == rows.end()) rows.push_back(m);
  }
  std::sort(rows.begin(), rows.end(),
            [](const ModelInfo* a, const ModelInfo* b) { return a->order < b->order; });
  std::string out = "[";
  for (const ModelInfo* m : rows) out += (out.size() > 1 ? ", " : "") + registry_json(*m);
  return out + "]";
}

}  // namespace cvp
