// event_loop: one libuv loop on one thread; waits are timers, compute runs in callbacks.
#pragma once

#include <uv.h>

#include <deque>
#include <exception>

#include "models/model.hpp"

namespace cvp {

// The "gather" event loop: every task is started at once, each task's compute
// phase runs inside a timer callback on the loop thread, and its wait is a
// timer, so waits overlap while computes take turns.
class EventLoopModel final : public Model {
 public:
  EventLoopModel();
  ~EventLoopModel() override;

  std::string_view name() const override { return "event_loop"; }
  Limits limits(int tasks, int) const override { return {tasks, 1}; }
  void prepare(const Workload& w) override;
  RunReport run(const Workload& w, std::span<Digest> out) override;

  // libuv 1.44 timers count whole milliseconds from a loop clock that is read
  // once per loop turn, so a timer can fire up to a millisecond before its
  // task has waited T. A wait is armed as ceil(T) ms and, if it fires early
  // by uv_hrtime(), re-armed for what is left: never shorter than T.
  static std::uint64_t timeout_ms(std::chrono::nanoseconds wait);

 private:
  struct Run;
  struct Task {
    uv_timer_t timer;
    Run* run = nullptr;
    int index = 0;
    bool waiting = false;
    std::uint64_t wait_start_ns = 0;
  };

  static void timer_cb(uv_timer_t* handle);
  void ensure_tasks(int n);

  uv_loop_t loop_;
  std::deque<Task> tasks_;  // a deque: libuv keeps pointers to the handles
};

}  // namespace cvp
