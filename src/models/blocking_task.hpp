// A task run the blocking way: its thread waits through each wait (threads, processes, ranks).
#pragma once

#include <chrono>
#include <functional>

#include "models/inflight_gauge.hpp"
#include "workloads/workload.hpp"

namespace cvp {

// Something a blocked thread must still do every `every` while it waits
// (mpi's rank 0 answers the other ranks' requests during its own waits).
struct WaitTicker {
  std::chrono::nanoseconds every{};
  std::function<void()> tick;
};

// Waits through `wait` on the calling thread: the blocking form of every
// kind of wait a task can ask for. With a ticker, a sleep is cut into
// slices of ticker->every with a tick after each (an exchange is not).
void wait_blocking(const Wait& wait, TaskState& s, const WaitTicker* ticker = nullptr);

// One task the blocking way (serial, tbb, fork, process pool, mpi, a thread per task, the
// offload pool's threads): each step, then a blocking wait, until the task
// is done, counted in `gauge`; under the workload's lock when it asks for
// one. Returns the task's digest.
Digest run_task_blocking(const Workload& w, int index, InflightGauge& gauge,
                         const WaitTicker* ticker = nullptr);
// The same, uncounted: for a model that counts what is in flight itself
// (mpi counts ranks holding chunks).
Digest run_task_blocking(const Workload& w, int index, const WaitTicker* ticker = nullptr);

}  // namespace cvp
