// thread_per_task: one OS thread made per task when the run starts, all joined at its end.
#include "models/thread_per_task.hpp"

#include <exception>
#include <mutex>
#include <vector>

#include "models/blocking_task.hpp"
#include "models/task_threads.hpp"

namespace cvp {
namespace {

struct Run {
  const Workload& w;
  std::span<Digest> out;
  InflightGauge& gauge;
  std::mutex mutex;
  std::exception_ptr error;  // the first task's failure, under `mutex`
};

struct Slot {
  Run* run;
  int index;
};

void* task_thread(void* arg) {
  const Slot& s = *static_cast<Slot*>(arg);
  // Exceptions must not leave a thread's start routine: the first is kept
  // and rethrown by run() once every thread is joined.
  try {
    s.run->out[static_cast<std::size_t>(s.index)] =
        run_task_blocking(s.run->w, s.index, s.run->gauge);
  } catch (...) {
    std::lock_guard lock(s.run->mutex);
    if (!s.run->error) s.run->error = std::current_exception();
  }
  return nullptr;
}

}  // namespace

RunReport ThreadPerTaskModel::run(const Workload& w, std::span<Digest> out) {
  InflightGauge gauge(w.tasks(), tracing());
  Run run{w, out, gauge, {}, nullptr};
  const auto n = static_cast<std::size_t>(w.tasks());
  std::vector<Slot> slots(n);
  int started = 0;
  {
    // Declared after the slots and the run, so its destructor joins the
    // threads made before a failed creation leaves this scope.
    TaskThreads threads{std::string(name())};
    for (std::size_t i = 0; i < n; ++i) {
      slots[i] = {&run, static_cast<int>(i)};
      threads.start(task_thread, &slots[i], n);
    }
    started = static_cast<int>(threads.size());  // joined only now: every stack is held
    threads.join_all();
  }
  if (run.error) std::rethrow_exception(run.error);
  RunReport report = gauge.report();
  report.peak_held = started;
  return report;
}

}  // namespace cvp
