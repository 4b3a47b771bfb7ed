// event_loop: one libuv loop on one thread; waits are timers, compute runs in callbacks.
#pragma once

#include <uv.h>

#include <deque>
#include <exception>

#include "models/model.hpp"

namespace cvp {

// The "gather" event loop: every task is started at once. Each task's compute
// phase runs on the loop thread inside a loop callback, and its wait is a
// uv_timer_t of its own, so waits overlap while computes take turns.
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
    std::uint64_t wait_start_ns = 0;
  };

  static void start_cb(uv_timer_t* handle);
  static void wait_cb(uv_timer_t* handle);
  void start_task(Task& t);
  void arm(Task& t, std::uint64_t wait_ns);
  static void finish_task(Task& t);
  void ensure_tasks(int n);

  uv_loop_t loop_;
  uv_timer_t start_;        // runs every task's first step, as one loop turn
  std::deque<Task> tasks_;  // a deque: libuv keeps pointers to the handles
};

}  // namespace cvp
