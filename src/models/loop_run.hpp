// One run of tasks on a libuv loop, as the loop models' callbacks see it.
#pragma once

#include <deque>
#include <exception>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "models/inflight_gauge.hpp"

namespace cvp {

struct LoopRun {
  const Workload* workload;
  std::span<Digest> out;
  InflightGauge* gauge;
  int remaining;             // tasks not yet finished
  std::exception_ptr error;  // the first failure, rethrown after the loop
};

// Points the first w.tasks() tasks at `run`, each with its index, and lets
// `each` set whatever else a task of that model needs.
template <typename Task, typename Each>
void bind_tasks(std::deque<Task>& tasks, LoopRun& run, const Workload& w, Each each) {
  for (int i = 0; i < w.tasks(); ++i) {
    Task& t = tasks[static_cast<std::size_t>(i)];
    t.run = &run;
    t.index = i;
    each(t);
  }
}

// After uv_run returned `rc`: rethrows the run's first failure, or fails
// when the loop stopped with tasks unfinished or handles still active.
inline void finish_loop_run(const LoopRun& run, int rc, std::string_view model) {
  if (run.error) std::rethrow_exception(run.error);
  if (run.remaining != 0 || rc != 0) {
    throw std::runtime_error(std::string(model) + ": loop stopped with " +
                             std::to_string(run.remaining) + " tasks unfinished");
  }
}

}  // namespace cvp
