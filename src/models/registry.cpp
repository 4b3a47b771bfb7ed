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
#include "models/tbb.hpp"
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
using enum LimitRule;
using enum Primitive;

// Adding a model: its own file(s) under src/models/ and one row here. The
// row's position is its display order.
const std::vector<ModelInfo> kModels{
    {"serial", kOneThread, one, "one thread", kOne, kOne, kLoop, false, true,
     "one task after another on the calling thread", make_fixed<SerialModel>},
    {"event_loop_sequential", kOneThread, one, "one thread", kOne, kOne, kUvTimers, true, false,
     "one libuv loop; each task awaited before the next starts",
     make_fixed<EventLoopSequentialModel>},
    {"event_loop", kOneThread, one, "one thread", kTasks, kOne, kUvTimers, false, false,
     "one libuv loop; all tasks started at once (gather); waits are timers",
     make_fixed<EventLoopModel>},
    {"event_loop_blocking", kOneThread, one, "one thread", kOne, kOne, kLoop, true, false,
     "one libuv loop whose tasks wait with a blocking sleep", make_fixed<EventLoopBlockingModel>},
    {"event_loop_offload", kThreads, pool_size, "UV_THREADPOOL_SIZE", kWorkers, kWorkersOnCpus,
     kOsThreads, false, false, "one libuv loop handing tasks to its threadpool (uv_queue_work)",
     make_fixed<EventLoopOffloadModel>},
    {"tbb", kThreads, any, "", kWorkers, kWorkersOnCpus, kOsThreads, false, false,
     "oneTBB parallel_for in a task_arena of W threads", make_with_workers<TbbModel>},
    {"fork", kProcesses, any, "", kWorkers, kWorkersOnCpus, kForked, false, false,
     "W children forked per run, chunks of tasks taken on demand", make_with_workers<ForkModel>},
    {"process_pool", kProcesses, any, "", kWorkers, kWorkersOnCpus, kForked, false, false,
     "W children forked once and kept, chunks of tasks dispatched per run",
     make_with_workers<ProcessPoolModel>},
    // Its ranks are started by mpiexec and run by the mpi harness
    // (bench/mpi/), never made in a harness's process.
    {"mpi", kProcesses, any, "", kWorkers, kWorkersOnAllHostsCpus, kNone, false, false,
     "W ranks under mpiexec, chunks handed out by rank 0", nullptr, Launch::kMpiexec},
};

std::string rule_text(LimitRule r) { return std::string(to_string(r)); }

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
  const auto apply = [&](LimitRule r) {
    switch (r) {
      case LimitRule::kOne:
        return 1;
      case LimitRule::kTasks:
        return tasks;
      case LimitRule::kWorkers:
        return workers;
      case LimitRule::kWorkersOnCpus:
      case LimitRule::kWorkersOnAllHostsCpus:  // `cpus` is then every host's
        return std::min(workers, cpus);
    }
    return 1;
  };
  return {apply(m.concurrency), apply(m.parallelism)};
}

std::string_view to_string(Family f) {
  static constexpr std::string_view kNames[] = {"one_thread", "threads", "processes"};
  return kNames[static_cast<int>(f)];
}

std::string_view to_string(LimitRule r) {
  static constexpr std::string_view kNames[] = {"1", "N", "W", "min(W, cores)",
                                                "min(W, cores in all hosts)"};
  return kNames[static_cast<int>(r)];
}

std::string registry_json(const ModelInfo& m) {
  const auto order = static_cast<int>(&m - kModels.data());
  const auto fixed = m.fixed_workers();
  return "{\"name\": " + json_quoted(m.name) + ", \"order\": " + std::to_string(order) +
         ", \"family\": " + json_quoted(to_string(m.family)) + ", \"language\": \"c++\"" +
         ", \"takes_workers\": " + (fixed ? "false" : "true") +
         ", \"fixed_workers\": " + (fixed ? std::to_string(*fixed) : "null") +
         ", \"fixed_why\": " + json_quoted(m.fixed_why) +
         ", \"concurrency\": " + json_quoted(rule_text(m.concurrency)) +
         ", \"parallelism\": " + json_quoted(rule_text(m.parallelism)) +
         ", \"twin\": " + json_quoted(m.name) + ", \"summary\": " + json_quoted(m.summary) + "}";
}

std::string registry_json(std::span<const std::string> names) {
  std::vector<const ModelInfo*> rows;
  for (const std::string& n : names) {
    const ModelInfo* m = &model_info(n);
    if (std::find(rows.begin(), rows.end(), m) == rows.end()) rows.push_back(m);
  }
  std::sort(rows.begin(), rows.end());  // the registry's order: rows are one array
  std::string out = "[";
  for (const ModelInfo* m : rows) out += (out.size() > 1 ? ", " : "") + registry_json(*m);
  return out + "]";
}

}  // namespace cvp
