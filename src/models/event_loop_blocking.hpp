// event_loop_blocking: gathered tasks that wait with a blocking call on the loop thread.
#pragma once

#include "models/event_loop.hpp"

namespace cvp {

// Gathered tasks whose wait is a blocking sleep (time.sleep instead of
// await asyncio.sleep): the loop thread sleeps, and no other task moves.
inline constexpr char kEventLoopBlocking[] = "event_loop_blocking";
using EventLoopBlockingModel =
    EventLoopVariant<EventLoopModel::Mode::kBlocking, kEventLoopBlocking>;

}  // namespace cvp
