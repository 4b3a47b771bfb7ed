// event_loop_sequential: awaiting tasks one after another on the event loop.
#pragma once

#include "models/event_loop.hpp"

namespace cvp {

// `await task(1); await task(2)`: each task starts when the one before it has
// ended. Its waits are still timers, yet they never overlap.
inline constexpr char kEventLoopSequential[] = "event_loop_sequential";
using EventLoopSequentialModel =
    EventLoopVariant<EventLoopModel::Mode::kSequential, kEventLoopSequential>;

}  // namespace cvp
