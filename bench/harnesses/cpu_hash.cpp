// cpu_hash harness: SHA-256 hashing (CPU-bound tasks) under every execution model.
#include "workloads/cpu_hash.hpp"

#include <algorithm>

#include "harnesses.hpp"
#include "sysinfo.hpp"

namespace {

using cvp::ModelInfo;
using cvp::bench::AxisId;
using cvp::bench::PerProfile;
using cvp::bench::Point;
using cvp::bench::worker_ladder;

// Rounds per message size so that every task costs about the same, ~40 us
// with SHA-NI: a 64-byte message measures per-call overhead (and would show a
// lock if one were taken per digest), a 64 KiB one raw hashing throughput.
struct Size {
  std::int64_t bytes;
  std::int64_t rounds;
};
constexpr Size kSizes[] = {{64, 256}, {4096, 16}, {65536, 1}};

std::int64_t default_rounds(std::int64_t bytes) {
  for (const Size& s : kSizes) {
    if (s.bytes == bytes) return s.rounds;
  }
  return 1;
}

// Without waits, a model that differs from another only in how its tasks
// wait runs that model's code path; io_sleep and mixed tell them apart. A
// thread per task is the opponent of a loop on waits: on 2048 hashing tasks
// it would only oversubscribe the CPUs, as the worker series already does.
bool one_worker(const ModelInfo& m) {
  return m.fixed_workers() && !m.differs_only_in_waits && !cvp::thread_per_task(m);
}
bool takes_workers(const ModelInfo& m) { return !m.fixed_workers(); }

// Workers 1, 2, 4, ... up to the usable CPUs, then oversubscribed; tasks
// enough that every worker gets at least 64. The default's 2048 (about 80 ms
// per serial run on the reference machine) gives each repetition two paired
// runs instead of one: the median of six pairs resists the VM's changes of
// speed better than the median of three.
PerProfile workers() {
  const int cpus = cvp::usable_cpus();
  return {worker_ladder(cpus, {}), worker_ladder(cpus, {2}), worker_ladder(cpus, {2, 4})};
}
PerProfile tasks() {
  const std::int64_t cpus = cvp::usable_cpus();
  using List = std::vector<std::int64_t>;
  return {List{std::max<std::int64_t>(1024, 64 * cpus)},
          List{std::max<std::int64_t>(2048, 64 * 2 * cpus)},
          List{std::max<std::int64_t>(4096, 64 * 4 * cpus)}};
}

}  // namespace

namespace cvp::bench {

Harness cpu_hash_harness() {
  const PerProfile sizes{{64, 65536}, {64, 4096, 65536}, {64, 4096, 65536}};
  return Harness{
      "cpu_hash",
      "CPU-bound tasks: each hashes a message with SHA-256, chained rounds",
      {AxisId::kBytes, AxisId::kRounds},
      {.workload_waits = false, .default_rounds = default_rounds},
      {
          {one_worker, {{AxisId::kTasks, tasks()}, {AxisId::kBytes, sizes}}},
          {takes_workers,
           {{AxisId::kTasks, tasks()}, {AxisId::kWorkers, workers()}, {AxisId::kBytes, sizes}}},
      },
      {.complete =
           [](Point& p) {
             if (p.rounds == 0) p.rounds = default_rounds(p.bytes);
           }},
      {{AxisId::kTasks, {4096}}, {AxisId::kWorkers, {2}}, {AxisId::kBytes, {64, 4096, 65536}}},
      [](const Point& p) -> std::unique_ptr<cvp::Workload> {
        return std::make_unique<cvp::CpuHash>(p.tasks, p.bytes, p.rounds);
      }};
}

}  // namespace cvp::bench
