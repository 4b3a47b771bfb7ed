// event_loop: one libuv loop on one thread; waits are loop waits, compute runs in callbacks.
#pragma once

#include <uv.h>

#include <deque>
#include <exception>

#include "models/loop_run.hpp"
#include "models/loop_wait.hpp"
#include "models/model.hpp"

namespace cvp {

// The event loop models: one libuv loop on the calling thread. Each task's
// compute phase runs inside a loop callback, so computes take turns on one
// thread. How a task waits, and when the next one starts, is the variant:
//
//   kGather      all tasks start at once (asyncio.gather); each task waits
//                on the loop (a uv_timer_t of its own for a sleep), so waits
//                overlap.
//   kSequential  each task starts when the one before it has ended (awaiting
//                coroutines one after another); waits are on the loop.
//   kBlocking    all tasks start at once, but each waits the blocking way
//                inside its callback (time.sleep in a coroutine), which
//                stalls the loop and every other task.
class EventLoopModel : public Model {
 public:
  enum class Mode { kGather, kSequential, kBlocking };

  EventLoopModel() : EventLoopModel(Mode::kGather) {}
  ~EventLoopModel() override;

  std::string_view name() const override { return "event_loop"; }
  void prepare(const Workload& w) override;
  RunReport run(const Workload& w, std::span<Digest> out) override;

 protected:
  template <Mode, const char*>
  friend class EventLoopVariant;
  explicit EventLoopModel(Mode mode);

 private:
  struct Task {
    LoopWait wait;
    LoopRun* run = nullptr;
    int index = 0;
    TaskState state;
  };

  static void start_cb(uv_timer_t* handle);
  static void wait_done(LoopWait& wait, int status);
  // Starts task t; true while t is waiting on the loop.
  bool start_task(Task& t);
  // Runs t's steps up to its next wait on the loop (true), or to its end.
  bool advance(Task& t);
  // True when a task starts only after the one before it has ended.
  bool in_sequence(const Workload& w) const;
  // Starts tasks from `index` on, one after another, until one waits on the loop.
  void start_in_sequence(int index);
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
