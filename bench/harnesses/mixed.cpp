// mixed harness: tasks that hash for a share of their time and wait for the rest.
#include "workloads/mixed.hpp"

#include <algorithm>
#include <cmath>

#include "harnesses.hpp"
#include "sysinfo.hpp"
#include "timing.hpp"
#include "workloads/cpu_hash.hpp"

namespace {

using cvp::ModelInfo;
using cvp::bench::AxisId;
using cvp::bench::Point;

constexpr std::int64_t kTaskUs = 10'000;  // every task: 10 ms of hashing plus waiting
constexpr std::int64_t kBytes = 4096;
constexpr std::int64_t kTasks = 8;  // 80 ms a serial run: five repetitions fit the budget

// Seconds of one 4 KiB SHA-256 round on this machine, fastest of five
// batches: it turns a CPU share into a number of rounds.
double round_seconds() {
  static const double seconds = [] {
    double best = 1;
    for (int batch = 0; batch < 5; ++batch) {
      const auto t0 = cvp::Clock::now();
      cvp::CpuHash::digest(batch, kBytes, 256);
      best = std::min(best, std::chrono::duration<double>(cvp::Clock::now() - t0).count() / 256);
    }
    return best;
  }();
  return seconds;
}

// A task of kTaskUs with CPU share cpu_share_pct: the hashing rounds that
// take that share here, and a wait for the rest.
void fill_share(Point& p) {
  const double share = static_cast<double>(p.cpu_share_pct) / 100;
  p.rounds = std::lround(share * kTaskUs * 1e-6 / round_seconds());
  p.bytes = p.rounds > 0 ? kBytes : 0;
  p.sleep_us = std::lround((1 - share) * kTaskUs);
}

bool one_worker(const ModelInfo& m) { return m.fixed_workers() && !m.differs_only_in_waits; }
bool takes_workers(const ModelInfo& m) { return !m.fixed_workers(); }

}  // namespace

namespace cvp::bench {

Harness mixed_harness() {
  const cvp::bench::PerProfile shares{
      {0, 50, 100}, {0, 25, 50, 100}, {0, 10, 25, 50, 75, 100}};
  // W at the usable CPUs, and at one worker per task: the loop's one thread
  // against as much parallelism as the machine has, and as much concurrency
  // as the tasks have.
  const std::int64_t cpus = cvp::usable_cpus();
  return Harness{
      "mixed",
      "tasks of 10 ms that hash (SHA-256, 4 KiB rounds) for a share of it and wait for the rest",
      {AxisId::kCpuSharePct},
      {.workload_waits = true},
      {
          {one_worker, {{AxisId::kTasks, {kTasks}}, {AxisId::kCpuSharePct, shares}}},
          {takes_workers,
           {{AxisId::kTasks, {kTasks}},
            {AxisId::kWorkers, {cpus, kTasks}},
            {AxisId::kCpuSharePct, shares}}},
      },
      {.complete = fill_share},
      {{AxisId::kTasks, {kTasks}}, {AxisId::kWorkers, {2}}, {AxisId::kCpuSharePct, {0, 50, 100}}},
      [](const Point& p) -> std::unique_ptr<cvp::Workload> {
        return std::make_unique<cvp::Mixed>(p.tasks, p.bytes, p.rounds, p.sleep_us);
      }};
}

}  // namespace cvp::bench
