// event_loop: one libuv loop on one thread; waits are timers, compute runs in callbacks.
#include "models/event_loop.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "models/loop_run.hpp"
#include "models/uv_check.hpp"
#include "timing.hpp"

namespace cvp {

EventLoopModel::EventLoopModel(Mode mode) : Model(1), mode_(mode) {
  check_uv(uv_loop_init(&loop_), "uv_loop_init");
  loop_.data = this;
  check_uv(uv_timer_init(&loop_, &start_), "uv_timer_init");
  start_.data = this;
}

EventLoopModel::~EventLoopModel() {
  for (Task& t : tasks_) uv_close(reinterpret_cast<uv_handle_t*>(&t.timer), nullptr);
  uv_close(reinterpret_cast<uv_handle_t*>(&start_), nullptr);
  // Close callbacks run on the next loop turn; the loop cannot close before.
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (int rc = uv_loop_close(&loop_); rc != 0) {
    std::fprintf(stderr, "event_loop: uv_loop_close: %s\n", uv_strerror(rc));
  }
}

std::uint64_t EventLoopModel::timeout_ms(std::chrono::nanoseconds wait) {
  if (wait <= std::chrono::nanoseconds::zero()) return 0;
  return static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
}

void EventLoopModel::ensure_tasks(int n) {
  while (static_cast<int>(tasks_.size()) < n) {
    Task& t = tasks_.emplace_back();
    check_uv(uv_timer_init(&loop_, &t.timer), "uv_timer_init");
    t.timer.data = &t;
  }
}

void EventLoopModel::prepare(const Workload& w) {
  ensure_tasks(w.tasks());
  // One turn of the loop with nothing to do, so the first timed run does not
  // pay for libuv's lazy set-up (the epoll descriptor, the clock).
  uv_update_time(&loop_);
  uv_run(&loop_, UV_RUN_NOWAIT);
}

bool EventLoopModel::start_task(Task& t) {
  LoopRun& run = *t.run;
  run.gauge->enter(t.index);
  run.out[static_cast<std::size_t>(t.index)] = run.workload->compute(t.index);
  if (t.wait_ns > 0 && mode_ == Mode::kBlocking) {
    sleep_blocking(std::chrono::nanoseconds(t.wait_ns));  // the whole loop waits with it
  } else if (t.wait_ns > 0) {
    t.wait_start_ns = uv_hrtime();
    // The loop's clock was read when this turn began; without an update, the
    // compute time already spent this turn would count towards the wait.
    uv_update_time(&loop_);
    arm(t, t.wait_ns);
    return true;
  }
  finish_task(t);
  return false;
}

bool EventLoopModel::in_sequence(const Workload& w) const {
  // A workload that wants each task to hold a lock across its wait is run
  // as gathered tasks behind an asyncio.Lock run: one after another.
  return mode_ == Mode::kSequential || (mode_ == Mode::kGather && w.exclusive());
}

void EventLoopModel::start_in_sequence(int index) {
  // A loop, not a chain of calls: tasks that do not wait must not nest.
  const int tasks = tasks_.front().run->workload->tasks();
  for (; index < tasks; ++index) {
    if (start_task(tasks_[static_cast<std::size_t>(index)])) return;
  }
}

void EventLoopModel::arm(Task& t, std::uint64_t wait_ns) {
  check_uv(uv_timer_start(&t.timer, wait_cb, timeout_ms(std::chrono::nanoseconds(wait_ns)), 0),
           "uv_timer_start");
}

void EventLoopModel::finish_task(Task& t) {
  t.run->workload->after_wait(t.index);
  t.run->gauge->leave(t.index);
  --t.run->remaining;
}

void EventLoopModel::start_cb(uv_timer_t* handle) {
  auto& self = *static_cast<EventLoopModel*>(handle->data);
  LoopRun& run = *self.tasks_.front().run;
  try {
    if (self.in_sequence(*run.workload)) {
      self.start_in_sequence(0);
    } else {
      for (int i = 0; i < run.workload->tasks(); ++i) {
        self.start_task(self.tasks_[static_cast<std::size_t>(i)]);
      }
    }
  } catch (...) {
    run.error = std::current_exception();
    uv_stop(handle->loop);
  }
}

void EventLoopModel::wait_cb(uv_timer_t* handle) {
  Task& t = *static_cast<Task*>(handle->data);
  LoopRun& run = *t.run;
  auto& self = *static_cast<EventLoopModel*>(handle->loop->data);
  try {
    const std::uint64_t waited = uv_hrtime() - t.wait_start_ns;
    if (waited < t.wait_ns) {
      // Fired early (the loop clock counts whole milliseconds): wait out the rest.
      uv_update_time(handle->loop);
      self.arm(t, t.wait_ns - waited);
      return;
    }
    finish_task(t);
    if (self.in_sequence(*run.workload)) self.start_in_sequence(t.index + 1);
  } catch (...) {
    run.error = std::current_exception();
    uv_stop(handle->loop);
  }
}

RunReport EventLoopModel::run(const Workload& w, std::span<Digest> out) {
  ensure_tasks(w.tasks());
  InflightGauge gauge(tracing() ? w.tasks() : 0);
  LoopRun run{&w, out, &gauge, w.tasks(), nullptr};
  bind_tasks(tasks_, run, w,
             [&w](Task& t) { t.wait_ns = static_cast<std::uint64_t>(w.wait(t.index).count()); });
  // Like asyncio: the tasks' first steps are queued at once and the loop
  // runs them back to back in its next turn, in index order (all of them, or
  // only the first when tasks run in sequence).
  uv_update_time(&loop_);
  check_uv(uv_timer_start(&start_, start_cb, 0, 0), "uv_timer_start");
  const int rc = uv_run(&loop_, UV_RUN_DEFAULT);
  // A failed run stopped the loop with timers armed: disarm them, so the
  // next run starts from a quiet loop.
  if (run.error) {
    for (Task& t : tasks_) uv_timer_stop(&t.timer);
  }
  finish_loop_run(run, run.error ? 0 : rc, name());
  return gauge.report();
}

}  // namespace cvp
