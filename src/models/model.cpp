// The execution-model interface, the registry of models, and what they share.
#include "models/model.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <functional>
#include <new>
#include <stdexcept>
#include <system_error>

#include "models/event_loop.hpp"
#include "models/fork.hpp"
#include "models/serial.hpp"
#include "models/tbb.hpp"
#include "params.hpp"
#include "timing.hpp"

namespace cvp {
namespace {

struct Registration {
  std::string_view name;
  bool single_worker;
  std::function<std::unique_ptr<Model>(int workers)> make;
};

// Adding a model: one file under src/models/ and one line here.
const std::array<Registration, 4>& registry() {
  static const std::array<Registration, 4> models{{
      {"serial", true, [](int) { return std::make_unique<SerialModel>(); }},
      {"event_loop", true, [](int) { return std::make_unique<EventLoopModel>(); }},
      {"tbb", false, [](int w) { return std::make_unique<TbbModel>(w); }},
      {"fork", false, [](int w) { return std::make_unique<ForkModel>(w); }},
  }};
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
  if (r.single_worker && workers != 1) {
    throw std::invalid_argument("workers is " + std::to_string(workers) + " for model '" +
                                std::string(name) + "'; allowed: 1");
  }
  return r.make(workers);
}

std::span<const std::string_view> model_names() {
  static const auto names = [] {
    std::array<std::string_view, 4> n{};
    std::transform(registry().begin(), registry().end(), n.begin(),
                   [](const Registration& r) { return r.name; });
    return n;
  }();
  return names;
}

bool single_worker_model(std::string_view name) { return find(name).single_worker; }

std::chrono::duration<double> ideal_run_time(Limits limits, int tasks,
                                             std::chrono::duration<double> cpu,
                                             std::chrono::duration<double> wait) {
  const int slots = std::clamp(limits.concurrency, 1, tasks);
  const int cpus = std::clamp(limits.parallelism, 1, slots);
  const auto rounds = [tasks](int width) { return (tasks + width - 1) / width; };
  return std::max(rounds(slots) * (cpu + wait), rounds(cpus) * cpu);
}

InflightGauge::InflightGauge() {
  void* p =
      mmap(nullptr, sizeof(Counts), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  counts_ = new (p) Counts;
}

InflightGauge::~InflightGauge() {
  counts_->~Counts();
  munmap(counts_, sizeof(Counts));
}

void InflightGauge::enter() {
  const int now = counts_->current.fetch_add(1, std::memory_order_relaxed) + 1;
  int peak = counts_->peak.load(std::memory_order_relaxed);
  while (now > peak && !counts_->peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
}

void InflightGauge::leave() { counts_->current.fetch_sub(1, std::memory_order_relaxed); }

int InflightGauge::peak() const { return counts_->peak.load(std::memory_order_relaxed); }

Digest run_task_blocking(const Workload& w, int index, InflightGauge& gauge) {
  gauge.enter();
  const Digest d = w.compute(index);
  sleep_blocking(w.wait());
  gauge.leave();
  return d;
}

}  // namespace cvp
