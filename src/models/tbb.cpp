// tbb: tbb::parallel_for over the tasks inside a task_arena of W threads.
#include "models/tbb.hpp"

#include <oneapi/tbb/blocked_range.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/parallel_for.h>

#include "models/blocking_task.hpp"
#include "thread_probe.hpp"
#include "timing.hpp"

namespace cvp {

TbbModel::TbbModel(int workers) : Model(workers), arena_(workers) {
  if (workers > tbb::info::default_concurrency()) {
    widen_.emplace(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(workers));
  }
}

void TbbModel::prepare(const Workload&) {
  // oneTBB makes its worker threads on its own threads and ends the process
  // ("terminate called ... pthread_create has failed") when one cannot be
  // made: the W - 1 workers an arena of W adds are tried here first.
  probe_threads(workers() - 1, "tbb: the arena's worker threads");
  arena_.initialize();
  // Put every worker thread to work once (each item blocks briefly, so no
  // thread can take them all), so the timed runs find the threads created
  // and attached to the arena.
  arena_.execute([this] {
    tbb::parallel_for(0, workers(), [](int) { sleep_blocking(std::chrono::milliseconds(2)); });
  });
}

RunReport TbbModel::run(const Workload& w, std::span<Digest> out) {
  InflightGauge gauge(w.tasks(), tracing());
  arena_.execute([&] {
    // Grain size 1 with simple_partitioner: a blocked worker holds exactly
    // one task, so W threads keep W waits in flight instead of one thread
    // sleeping through a chunk of them.
    tbb::parallel_for(
        tbb::blocked_range<int>(0, w.tasks(), 1),
        [&](const tbb::blocked_range<int>& r) {
          for (int i = r.begin(); i < r.end(); ++i) {
            out[static_cast<std::size_t>(i)] = run_task_blocking(w, i, gauge);
          }
        },
        tbb::simple_partitioner());
  });
  return gauge.report();
}

}  // namespace cvp
