// shared_counter harness: read a shared counter, wait, write it plus one; the updates each model
// loses.
#include "workloads/shared_counter.hpp"

#include "harnesses.hpp"
#include "sysinfo.hpp"

namespace {

using cvp::ModelInfo;
using cvp::bench::AxisId;
using cvp::bench::Point;

constexpr std::int64_t kTasks = 50;
constexpr std::int64_t kSleepUs = 1'000;  // 1 ms between the read and the write

// Every model but the variants that differ only in how they wait is run:
// the sequential loop and the blocking loop are the ones that never overlap
// two tasks, so they stay in.
bool every_model(const ModelInfo&) { return true; }

}  // namespace

namespace cvp::bench {

Harness shared_counter_harness() {
  const std::int64_t cpus = cvp::usable_cpus();
  return Harness{
      "shared_counter",
      "tasks that read a shared counter, wait, and write it plus one: lost updates show races",
      {AxisId::kSleepUs, AxisId::kLock, AxisId::kWait},
      {.workload_waits = true, .names_lock_and_wait = true},
      {
          {every_model,
           {{AxisId::kTasks, {kTasks}},
            {AxisId::kWorkers, {cpus}},
            {AxisId::kSleepUs, {kSleepUs}},
            {AxisId::kLock, {0, 1}},
            {AxisId::kWait, {0, 1}}}},
      },
      {},
      {{AxisId::kTasks, {kTasks}},
       {AxisId::kWorkers, {2}},
       {AxisId::kSleepUs, {kSleepUs}},
       {AxisId::kLock, {0, 1}},
       {AxisId::kWait, {0, 1}}},
      [](const Point& p) -> std::unique_ptr<cvp::Workload> {
        return std::make_unique<cvp::SharedCounter>(p.tasks, p.sleep_us, p.lock != 0, p.wait != 0);
      }};
}

}  // namespace cvp::bench
