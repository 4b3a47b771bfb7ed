// mixed harness: tasks that hash for a share of their time and wait for the rest.
#include "workloads/mixed.hpp"

#include <algorithm>
#include <cmath>

#include "grid_facts.hpp"
#include "harnesses.hpp"
#include "sysinfo.hpp"
#include "timing.hpp"
#include "workloads/cpu_hash.hpp"

namespace {

using cvp::bench::AxisId;
using cvp::bench::fact_int;
using cvp::bench::Point;

// A task's length and message size (bench/grid_facts.json says why).
const double kTaskUs = static_cast<double>(fact_int("mixed.task_us"));
const std::int64_t kBytes = fact_int("mixed.bytes");

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

}  // namespace

namespace cvp::bench {

Harness mixed_harness() {
  return Harness{"mixed",
                 "tasks of task_us (grid_facts.json: 5 ms) that hash (SHA-256, 4 KiB rounds) for a "
                 "share of it and wait for the rest",
                 {AxisId::kCpuSharePct},
                 {.workload_waits = true},
                 grid_rows("mixed", cvp::usable_cpus()),
                 {.complete = fill_share},
                 {{AxisId::kTasks, {fact_int("mixed.rows.0.tasks")}},
                  {AxisId::kWorkers, {2}},
                  {AxisId::kCpuSharePct, {0, 50, 100}}},
                 [](const Point& p) -> std::unique_ptr<cvp::Workload> {
                   return std::make_unique<cvp::Mixed>(p.tasks, p.bytes, p.rounds, p.sleep_us);
                 }};
}

}  // namespace cvp::bench
