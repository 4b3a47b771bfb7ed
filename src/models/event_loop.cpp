// event_loop: one libuv loop on one thread; waits are timers, compute runs in callbacks.
#include "models/event_loop.hpp"

#include <cstdio>
#include <stdexcept>
#include <string>

namespace cvp {
namespace {

void check_uv(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + uv_strerror(rc));
}

}  // namespace

struct EventLoopModel::Run {
  const Workload* workload;
  std::span<Digest> out;
  InflightGauge* gauge;
  std::uint64_t wait_ns;
  int remaining;
  std::exception_ptr error;
};

EventLoopModel::EventLoopModel() : Model(1) {
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

// Runs task t's compute phase, then arms its wait or finishes it.
void EventLoopModel::start_task(Task& t) {
  Run& run = *t.run;
  run.gauge->enter();
  run.out[static_cast<std::size_t>(t.index)] = run.workload->compute(t.index);
  if (run.wait_ns == 0) {
    finish_task(t);
    return;
  }
  t.wait_start_ns = uv_hrtime();
  // The loop's clock was read when this turn began; without an update, the
  // compute time already spent this turn would count towards the wait.
  uv_update_time(&loop_);
  arm(t, run.wait_ns);
}

void EventLoopModel::arm(Task& t, std::uint64_t wait_ns) {
  check_uv(uv_timer_start(&t.timer, wait_cb, timeout_ms(std::chrono::nanoseconds(wait_ns)), 0),
           "uv_timer_start");
}

void EventLoopModel::finish_task(Task& t) {
  t.run->gauge->leave();
  --t.run->remaining;
}

void EventLoopModel::start_cb(uv_timer_t* handle) {
  auto& self = *static_cast<EventLoopModel*>(handle->data);
  Run& run = *self.tasks_.front().run;
  try {
    for (int i = 0; i < run.workload->tasks(); ++i)
      self.start_task(self.tasks_[static_cast<std::size_t>(i)]);
  } catch (...) {
    run.error = std::current_exception();
    uv_stop(handle->loop);
  }
}

void EventLoopModel::wait_cb(uv_timer_t* handle) {
  Task& t = *static_cast<Task*>(handle->data);
  Run& run = *t.run;
  try {
    const std::uint64_t waited = uv_hrtime() - t.wait_start_ns;
    if (waited < run.wait_ns) {
      // Fired early (the loop clock counts whole milliseconds): wait out the rest.
      uv_update_time(handle->loop);
      auto& self = *static_cast<EventLoopModel*>(handle->loop->data);
      self.arm(t, run.wait_ns - waited);
      return;
    }
    finish_task(t);
  } catch (...) {
    run.error = std::current_exception();
    uv_stop(handle->loop);
  }
}

RunReport EventLoopModel::run(const Workload& w, std::span<Digest> out) {
  ensure_tasks(w.tasks());
  InflightGauge gauge;
  Run run{&w, out, &gauge, static_cast<std::uint64_t>(w.wait().count()), w.tasks(), nullptr};
  for (int i = 0; i < w.tasks(); ++i) {
    Task& t = tasks_[static_cast<std::size_t>(i)];
    t.run = &run;
    t.index = i;
  }
  // Like asyncio.gather: every task's first step is queued at once and the
  // loop runs them back to back in its next turn, in index order, each
  // arming its own timer before the next one starts.
  uv_update_time(&loop_);
  check_uv(uv_timer_start(&start_, start_cb, 0, 0), "uv_timer_start");
  uv_run(&loop_, UV_RUN_DEFAULT);
  if (run.error) {
    for (Task& t : tasks_) uv_timer_stop(&t.timer);
    std::rethrow_exception(run.error);
  }
  if (run.remaining != 0) {
    throw std::runtime_error("event_loop: loop stopped with " + std::to_string(run.remaining) +
                             " tasks unfinished");
  }
  return {gauge.peak()};
}

}  // namespace cvp
