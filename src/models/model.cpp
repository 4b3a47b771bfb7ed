// The execution-model interface, the registry of models, and what they share.
#include "models/model.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <functional>
#include <new>
#include <stdexcept>
#include <system_error>

#include "models/event_loop.hpp"
#include "models/event_loop_blocking.hpp"
#include "models/event_loop_offload.hpp"
#include "models/event_loop_sequential.hpp"
#include "models/fork.hpp"
#include "models/serial.hpp"
#include "models/tbb.hpp"
#include "params.hpp"
#include "timing.hpp"

namespace cvp {
namespace {

struct Registration {
  std::string_view name;
  std::function<std::optional<int>()> fixed_workers;
  std::function<std::unique_ptr<Model>(int workers)> make;
};

std::optional<int> one() { return 1; }
std::optional<int> any() { return std::nullopt; }

// Adding a model: one file under src/models/ and one line here.
const std::vector<Registration>& registry() {
  static const std::vector<Registration> models{
      {"serial", one, [](int) { return std::make_unique<SerialModel>(); }},
      {"event_loop_sequential", one,
       [](int) { return std::make_unique<EventLoopSequentialModel>(); }},
      {"event_loop", one, [](int) { return std::make_unique<EventLoopModel>(); }},
      {"event_loop_blocking", one, [](int) { return std::make_unique<EventLoopBlockingModel>(); }},
      {"event_loop_offload", [] { return std::optional<int>(uv_threadpool_size()); },
       [](int) { return std::make_unique<EventLoopOffloadModel>(); }},
      {"tbb", any, [](int w) { return std::make_unique<TbbModel>(w); }},
      {"fork", any, [](int w) { return std::make_unique<ForkModel>(w); }},
  };
  return models;
}

const Registration& find(std::string_view name) {
  for (const auto& r : registry()) {
    if (r.name == name) return r;
  }
  std::string known;
  for (const auto& r : registry()) known += (known.empty() ? "" : ", ") + std::string(r.name);
  throw std::invalid_argument("unknown model '" + std::string(name) + "'; allowed: " + known);
}

}  // namespace

Model::Model(int workers) : workers_(check_workers(workers)) {}

void Model::prepare(const Workload&) {}

std::unique_ptr<Model> make_model(std::string_view name, int workers) {
  const Registration& r = find(name);
  check_workers(workers);
  if (const auto fixed = r.fixed_workers(); fixed && workers != *fixed) {
    throw std::invalid_argument("workers is " + std::to_string(workers) + " for model '" +
                                std::string(name) + "'; allowed: " + std::to_string(*fixed) +
                                (name == "event_loop_offload" ? " (UV_THREADPOOL_SIZE)" : ""));
  }
  return r.make(workers);
}

std::span<const std::string_view> model_names() {
  static const auto names = [] {
    std::vector<std::string_view> n;
    for (const auto& r : registry()) n.push_back(r.name);
    return n;
  }();
  return names;
}

std::optional<int> fixed_workers(std::string_view name) { return find(name).fixed_workers(); }

std::chrono::duration<double> ideal_run_time(Limits limits, int tasks,
                                             std::chrono::duration<double> cpu,
                                             std::chrono::duration<double> wait) {
  const int slots = std::clamp(limits.concurrency, 1, tasks);
  const int cpus = std::clamp(limits.parallelism, 1, slots);
  const auto rounds = [tasks](int width) { return (tasks + width - 1) / width; };
  // Each slot runs its tasks back to back; and the CPUs cannot finish the
  // computes before ceil(N/P) of them, after which the last task still waits.
  return std::max(rounds(slots) * (cpu + wait), rounds(cpus) * cpu + wait);
}

InflightGauge::InflightGauge(int traced_tasks)
    : bytes_(sizeof(Counts) +
             static_cast<std::size_t>(std::max(traced_tasks, 0)) * sizeof(TaskSpan)),
      traced_(std::max(traced_tasks, 0)) {
  static_assert(sizeof(Counts) % alignof(TaskSpan) == 0);
  void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  counts_ = new (p) Counts;
  spans_ = reinterpret_cast<TaskSpan*>(static_cast<char*>(p) + sizeof(Counts));
  for (int i = 0; i < traced_; ++i) new (&spans_[i]) TaskSpan{i, 0, 0, 0, 0};
}

InflightGauge::~InflightGauge() {
  counts_->~Counts();
  munmap(counts_, bytes_);
}

void InflightGauge::enter(int index) {
  const int now = counts_->current.fetch_add(1, std::memory_order_relaxed) + 1;
  int peak = counts_->peak.load(std::memory_order_relaxed);
  while (now > peak && !counts_->peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  if (index < traced_) {
    // Each task's slot is written by the one thread running it; the parent
    // reads the slots after it has joined or reaped every worker.
    TaskSpan& span = spans_[index];
    span.start_ns = monotonic_ns();
    span.pid = static_cast<int>(getpid());
    span.tid = static_cast<int>(gettid());
  }
}

void InflightGauge::leave(int index) {
  if (index < traced_) spans_[index].end_ns = monotonic_ns();
  counts_->current.fetch_sub(1, std::memory_order_relaxed);
}

int InflightGauge::peak() const { return counts_->peak.load(std::memory_order_relaxed); }

RunReport InflightGauge::report() const {
  return {peak(), std::vector<TaskSpan>(spans_, spans_ + traced_)};
}

Digest run_task_blocking(const Workload& w, int index, InflightGauge& gauge) {
  gauge.enter(index);
  const Digest d = w.compute(index);
  sleep_blocking(w.wait(index));
  gauge.leave(index);
  return d;
}

}  // namespace cvp
