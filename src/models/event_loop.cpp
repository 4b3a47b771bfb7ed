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

EventLoopModel::EventLoopModel() : Model(1) { check_uv(uv_loop_init(&loop_), "uv_loop_init"); }

EventLoopModel::~EventLoopModel() {
  for (Task& t : tasks_) uv_close(reinterpret_cast<uv_handle_t*>(&t.timer), nullptr);
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

void EventLoopModel::timer_cb(uv_timer_t* handle) {
  Task& t = *static_cast<Task*>(handle->data);
  Run& run = *t.run;
  if (run.error) return;
  try {
    if (!t.waiting) {
      run.gauge->enter();
      run.out[static_cast<std::size_t>(t.index)] = run.workload->compute(t.index);
      if (run.wait_ns > 0) {
        t.waiting = true;
        t.wait_start_ns = uv_hrtime();
        // The loop's clock was read before this turn's callbacks ran; without
        // an update, compute time already spent would count towards the wait.
        uv_update_time(handle->loop);
        check_uv(uv_timer_start(handle, timer_cb, timeout_ms(std::chrono::nanoseconds(run.wait_ns)), 0),
                 "uv_timer_start");
        return;
      }
    } else if (const std::uint64_t waited = uv_hrtime() - t.wait_start_ns; waited < run.wait_ns) {
      uv_update_time(handle->loop);
      check_uv(uv_timer_start(handle, timer_cb,
                              timeout_ms(std::chrono::nanoseconds(run.wait_ns - waited)), 0),
               "uv_timer_start");
      return;
    }
    run.gauge->leave();
    --run.remaining;
  } catch (...) {
    run.error = std::current_exception();
    uv_stop(handle->loop);
  }
}

RunReport EventLoopModel::run(const Workload& w, std::span<Digest> out) {
  ensure_tasks(w.tasks());
  InflightGauge gauge;
  Run run{&w, out, &gauge, static_cast<std::uint64_t>(w.wait().count()), w.tasks(), nullptr};
  uv_update_time(&loop_);
  // Timers due at the same time fire in the order they were started, so the
  // compute phases run in index order, each in its own callback, as the tasks
  // of asyncio.gather would.
  for (int i = 0; i < w.tasks(); ++i) {
    Task& t = tasks_[static_cast<std::size_t>(i)];
    t.run = &run;
    t.index = i;
    t.waiting = false;
    check_uv(uv_timer_start(&t.timer, timer_cb, 0, 0), "uv_timer_start");
  }
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
