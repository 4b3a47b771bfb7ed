// event_loop_blocking: gathered tasks that wait with a blocking call on the loop thread.
#pragma once

#include "models/event_loop.hpp"

namespace cvp {

// Gathered tasks whose wait is a blocking sleep (time.sleep instead of
// await asyncio.sleep): the loop thread sleeps, and no other task moves.
class EventLoopBlockingModel final : public EventLoopModel {
 public:
  EventLoopBlockingModel() : EventLoopModel(Mode::kBlocking) {}
  std::string_view name() const override { return "event_loop_blocking"; }
};

}  // namespace cvp
