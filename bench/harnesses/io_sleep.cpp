// io_sleep harness: simulated IO (each task waits T) under every execution model.
#include "workloads/io_sleep.hpp"

#include <cmath>

#include "harnesses.hpp"

namespace {

using cvp::LimitRule;
using cvp::ModelInfo;
using cvp::bench::AxisId;
using cvp::bench::Point;

constexpr std::int64_t kSleepUs = 10'000;  // 10 ms: a slow network round trip

// Longest one run of a worker series may take: it caps N for small W so the
// whole grid, five repetitions of each benchmark, fits the profile's time
// budget. The same cap as the Python harness's (cvppy/harnesses.py).
constexpr double kMaxRunS = 0.25;

bool one_at_a_time(const ModelInfo& m) { return m.concurrency == LimitRule::kOne; }
bool all_at_once(const ModelInfo& m) { return m.concurrency == LimitRule::kTasks; }
bool w_at_a_time(const ModelInfo& m) { return m.concurrency == LimitRule::kWorkers; }

// A thread per task stops at 10 000 tasks: 100 000 threads are more than a
// usual pid_max (32 768) allows, and the harness would refuse the grid.
constexpr std::int64_t kMaxTaskThreads = 10'000;

// Only the worker series is capped: a gathered loop's run is one wait
// whatever N, and the one-at-a-time models stop at 10 tasks (100 ms): 100
// would show the same line, N waits end to end, at a second a run.
bool fits_budget(const Point& p) {
  const ModelInfo& m = cvp::model_info(p.model);
  if (cvp::thread_per_task(m)) return p.tasks <= kMaxTaskThreads;
  if (!w_at_a_time(m)) return true;
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
           {{AxisId::kTasks, {{1, 4}, {1, 10}, {1, 10, 100}}},
            {AxisId::kSleepUs, {kSleepUs}}}},
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
