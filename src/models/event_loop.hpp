// event_loop: one libuv loop on one thread; waits are timers, compute runs in callbacks.
#pragma once

#include <uv.h>

#include <deque>
#include <exception>

#include "models/loop_run.hpp"
#include "models/model.hpp"

namespace cvp {

// The event loop models: one libuv loop on the calling thread. Each task's
// compute phase runs inside a loop callback, so computes take turns on one
// thread. How a task waits, and when the next one starts, is the variant:
//
//   kGather      all tasks start at once (asyncio.gather); each wait is a
//                uv_timer_t of its own, so waits overlap.
//   kSequential  each task starts when the one before it has ended (awaiting
//                coroutines one after another); waits are timers.
//   kBlocking    all tasks start at once, but each waits with a blocking
//                sleep inside its callback (time.sleep in a coroutine), which
//                stalls the loop and every other task.
class EventLoopModel : public Model {
 public:
  enum class Mode { kGather, kSequential, kBlocking };

  EventLoopModel() : EventLoopModel(Mode::kGather) {}
  ~EventLoopModel() override;

  std::string_view name() const override { return "event_loop"; }
  void prepare(const Workload& w) override;
  RunReport run(const Workload& w, std::span<Digest> out) override;

  // libuv 1.44 timers count whole milliseconds from a loop clock that is read
  // once per loop turn, so a timer can fire up to a millisecond before its
  // task has waited T. A wait is armed as ceil(T) ms and, if it fires early
  // by uv_hrtime(), re-armed for what is left: never shorter than T.
  static std::uint64_t timeout_ms(std::chrono::nanoseconds wait);

 protected:
  template <Mode, const char*>
  friend class EventLoopVariant;
  explicit EventLoopModel(Mode mode);

 private:
  struct Task {
    uv_timer_t timer;
    LoopRun* run = nullptr;
    int index = 0;
    std::uint64_t wait_ns = 0;
    std::uint64_t wait_start_ns = 0;
  };

  static void start_cb(uv_timer_t* handle);
  static void wait_cb(uv_timer_t* handle);
  // Runs task t's compute phase, then its wait; true while t is waiting on a timer.
  bool start_task(Task& t);
  // True when a task starts only after the one before it has ended.
  bool in_sequence(const Workload& w) const;
  // Starts tasks from `index` on, one after another, until one waits on a timer.
  void start_in_sequence(int index);
  void arm(Task& t, std::uint64_t wait_ns);
  static void finish_task(Task& t);
  void ensure_tasks(int n);

  Mode mode_;
  uv_loop_t loop_;
  uv_timer_t start_;        // runs the tasks' first steps, in one loop turn
  std::deque<Task> tasks_;  // a deque: libuv keeps pointers to the handles
};

// A variant of the event loop model that differs in how its tasks start or
// wait; its own header names it and says what it stands for.
template <EventLoopModel::Mode kMode, const char* kName>
class EventLoopVariant final : public EventLoopModel {
 public:
  EventLoopVariant() : EventLoopModel(kMode) {}
  std::string_view name() const override { return kName; }
};

}  // namespace cvp
