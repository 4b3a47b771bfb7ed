// io_sleep harness: simulated IO (each task waits T) under every execution model.
#include "workloads/io_sleep.hpp"

#include "grid_facts.hpp"
#include "harnesses.hpp"
#include "sysinfo.hpp"

namespace {

using cvp::bench::AxisId;
using cvp::bench::Point;

// Only the worker series is capped (max_run_s in bench/grid_facts.json): a
// gathered loop's run is one wait whatever N, and the one-at-a-time models
// stop at few tasks.
bool fits_budget(const Point& p) {
  static const double max_run_s = cvp::bench::fact_number("io_sleep.max_run_s");
  return cvp::bench::worker_series_fits(p, max_run_s);
}

}  // namespace

namespace cvp::bench {

Harness io_sleep_harness() {
  // For waits, W is a concurrency knob: it keeps values beyond the cores.
  const std::int64_t sleep_us = fact_int("io_sleep.axes.sleep_us");
  return Harness{"io_sleep",
                 "simulated IO: each task waits sleep_us without using the CPU",
                 {AxisId::kSleepUs},
                 {.workload_waits = true},
                 grid_rows("io_sleep", cvp::usable_cpus()),
                 {.keep = [](const Point& p) { return worth_running(p) && fits_budget(p); }},
                 {{AxisId::kTasks, {100}}, {AxisId::kWorkers, {2}}, {AxisId::kSleepUs, {sleep_us}}},
                 [](const Point& p) -> std::unique_ptr<cvp::Workload> {
                   return std::make_unique<cvp::IoSleep>(p.tasks, p.sleep_us);
                 }};
}

}  // namespace cvp::bench
