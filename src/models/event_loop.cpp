// event_loop: one libuv loop on one thread; waits are loop waits, compute runs in callbacks.
#include "models/event_loop.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

#include "models/blocking_task.hpp"
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
  for (Task& t : tasks_) t.wait.close();
  uv_close(reinterpret_cast<uv_handle_t*>(&start_), nullptr);
  // Close callbacks run on the next loop turn; the loop cannot close before.
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (int rc = uv_loop_close(&loop_); rc != 0) {
    std::fprintf(stderr, "event_loop: uv_loop_close: %s\n", uv_strerror(rc));
  }
}

void EventLoopModel::ensure_tasks(int n) {
  while (static_cast<int>(tasks_.size()) < n) {
    Task& t = tasks_.emplace_back();
    t.wait.init(&loop_, &t);
  }
}

void EventLoopModel::prepare(const Workload& w) {
  ensure_tasks(w.tasks());
  for (int i = 0; i < w.tasks(); ++i) {
    if (const int fd = w.kept_fd(i); fd >= 0) tasks_[static_cast<std::size_t>(i)].wait.adopt(fd);
  }
  // One turn of the loop with nothing to do, so the first timed run does not
  // pay for libuv's lazy set-up (the epoll descriptor, the clock).
  uv_update_time(&loop_);
  uv_run(&loop_, UV_RUN_NOWAIT);
}

bool EventLoopModel::start_task(Task& t) {
  t.run->gauge->enter(t.index);
  t.state.restart(t.index);
  return advance(t);
}

bool EventLoopModel::advance(Task& t) {
  const Workload& w = *t.run->workload;
  for (Wait next = w.resume(t.state); !finished(next); next = w.resume(t.state)) {
    if (mode_ != Mode::kBlocking) {
      t.wait.start(next, t.state, wait_done);
      return true;
    }
    wait_blocking(next, t.state);  // the whole loop waits with it
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

void EventLoopModel::finish_task(Task& t) {
  t.run->out[static_cast<std::size_t>(t.index)] = t.state.digest;
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

void EventLoopModel::wait_done(LoopWait& wait, int status) {
  Task& t = *static_cast<Task*>(wait.owner());
  LoopRun& run = *t.run;
  auto& self = *static_cast<EventLoopModel*>(wait.loop()->data);
  try {
    if (status != 0) throw std::runtime_error(wait.failure(status));
    if (!self.advance(t) && self.in_sequence(*run.workload)) self.start_in_sequence(t.index + 1);
  } catch (...) {
    run.error = std::current_exception();
    uv_stop(wait.loop());
  }
}

RunReport EventLoopModel::run(const Workload& w, std::span<Digest> out) {
  ensure_tasks(w.tasks());
  InflightGauge gauge(w.tasks(), tracing());
  LoopRun run{&w, out, &gauge, w.tasks(), nullptr};
  bind_tasks(tasks_, run, w, [](Task&) {});
  // Like asyncio: the tasks' first steps are queued at once and the loop
  // runs them back to back in its next turn, in index order (all of them, or
  // only the first when tasks run in sequence).
  uv_update_time(&loop_);
  check_uv(uv_timer_start(&start_, start_cb, 0, 0), "uv_timer_start");
  const int rc = uv_run(&loop_, UV_RUN_DEFAULT);
  // A failed run stopped the loop with waits in progress: abandon them, so
  // the next run starts from a quiet loop.
  if (run.error) {
    for (Task& t : tasks_) t.wait.stop();
  }
  finish_loop_run(run, run.error ? 0 : rc, name());
  return gauge.report();
}

}  // namespace cvp
