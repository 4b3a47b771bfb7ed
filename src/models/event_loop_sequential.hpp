// event_loop_sequential: awaiting tasks one after another on the event loop.
#pragma once

#include "models/event_loop.hpp"

namespace cvp {

// `await task(1); await task(2)`: each task starts when the one before it has
// ended. Its waits are still timers, yet they never overlap.
class EventLoopSequentialModel final : public EventLoopModel {
 public:
  EventLoopSequentialModel() : EventLoopModel(Mode::kSequential) {}
  std::string_view name() const override { return "event_loop_sequential"; }
};

}  // namespace cvp
