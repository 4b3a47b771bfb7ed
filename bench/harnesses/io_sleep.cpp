// io_sleep harness: simulated IO (each task waits T) under every execution model.
#include "workloads/io_sleep.hpp"

#include <cmath>

#include "harnesses.hpp"

namespace {

using cvp::CapacityRule;
using cvp::ModelInfo;
using cvp::bench::AxisId;
using cvp::bench::Point;

constexpr std::int64_t kSleepUs = 10'000;  // 10 ms: a slow network round trip

// Longest one run of a worker series may take: it caps N for small W so the
// whole grid, five repetitions of each benchmark, fits the profile's time
// budget. The same cap as the Python harness's (cvppy/harnesses.py).
constexpr double kMaxRunS = 0.25;

bool one_at_a_time(const ModelInfo& m) { return m.concurrency_rule == CapacityRule::kOne; }
bool all_at_once(const ModelInfo& m) { return m.concurrency_rule == CapacityRule::kTasks; }
bool w_at_a_time(const ModelInfo& m) { return m.concurrency_rule == CapacityRule::kWorkers; }

// Only the worker series is capped: a gathered loop's run is one wait
// whatever N, and the one-at-a-time models stop at 10 tasks (100 ms): 100
// would show the same line, N waits end to end, at a second a run.
bool fits_budget(const Point& p) {
  if (!w_at_a_time(cvp::model_info(p.model))) return true;
  const double rounds = std::ceil(static_cast<double>(p.tasks) / static_cast<double>(p.workers));
  return rounds * static_cast<double>(p.sleep_us) * 1e-6 <= kMaxRunS;
}

}  // namespace

namespace cvp::bench {

Harness io_sleep_harness() {
  // For waits, W is a concurrency knob: it keeps values beyond the cores.
  return Harness{
      "io_sleep",
      "simulated IO: each task waits sleep_us without using the CPU",
      {AxisId::kSleepUs},
      {.workload_waits = true},
      {
          {one_at_a_time,
           {{AxisId::kTasks, {{1, 4}, {1, 10}, {1, 10, 100}}}, {AxisId::kSleepUs, {kSleepUs}}}},
          {all_at_once,
           {{AxisId::kTasks,
             {{1, 100, 1000}, {1, 10, 100, 1000, 10000}, {1, 10, 100, 1000, 10000, 100000}}},
            {AxisId::kSleepUs, {kSleepUs}}}},
          {w_at_a_time,
           {{AxisId::kWorkers, {{1, 2, 4}, {1, 2, 4, 8}, {1, 2, 4, 8, 16, 64}}},
            {AxisId::kTasks, {{8}, {1, 10, 100, 1000}, {1, 10, 100, 1000}}},
            {AxisId::kSleepUs, {kSleepUs}}}},
      },
      {.keep = fits_budget},
      {{AxisId::kTasks, {100}}, {AxisId::kWorkers, {2}}, {AxisId::kSleepUs, {kSleepUs}}},
      [](const Point& p) -> std::unique_ptr<cvp::Workload> {
        return std::make_unique<cvp::IoSleep>(p.tasks, p.sleep_us);
      }};
}

}  // namespace cvp::bench
