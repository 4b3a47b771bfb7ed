// shared_counter harness: read a shared counter, wait, write it plus one; the updates each model
// loses.
#include "workloads/shared_counter.hpp"

#include "grid_facts.hpp"
#include "harnesses.hpp"
#include "sysinfo.hpp"

namespace cvp::bench {

// Every model runs, the sequential and the blocking loop included: they are
// the ones that never overlap two tasks (bench/grid_facts.json holds the grid).
Harness shared_counter_harness() {
  return Harness{
      "shared_counter",
      "tasks that read a shared counter, wait, and write it plus one: lost updates show races",
      {AxisId::kSleepUs, AxisId::kLock, AxisId::kWait},
      {.workload_waits = true, .names_lock_and_wait = true},
      grid_rows("shared_counter", cvp::usable_cpus()),
      {},
      {{AxisId::kTasks, {fact_int("shared_counter.rows.0.tasks")}},
       {AxisId::kWorkers, {2}},
       {AxisId::kSleepUs, {fact_int("shared_counter.rows.0.sleep_us")}},
       {AxisId::kLock, {0, 1}},
       {AxisId::kWait, {0, 1}}},
      [](const Point& p) -> std::unique_ptr<cvp::Workload> {
        return std::make_unique<cvp::SharedCounter>(p.tasks, p.sleep_us, p.lock != 0, p.wait != 0);
      }};
}

}  // namespace cvp::bench
