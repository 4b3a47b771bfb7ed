// Clocks, blocking sleeps and timer slack: the time primitives every model shares.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

namespace cvp {

using Clock = std::chrono::steady_clock;

// Blocks the calling thread for at least `d` (clock_nanosleep on an absolute
// CLOCK_MONOTONIC deadline, so an interrupted sleep resumes rather than restarts).
void sleep_blocking(std::chrono::nanoseconds d);

// Sets the calling thread's timer slack. Threads and forked children created
// afterwards inherit it. The default slack of 50 us is added to nearly every
// sleep; a benchmark of 10 ms sleeps wants the sleep it asked for.
void set_timer_slack(std::chrono::nanoseconds slack);
std::chrono::nanoseconds timer_slack();

// CLOCK_MONOTONIC now, in nanoseconds: one clock for every process on the
// machine, so spans recorded in forked children line up with the parent's.
std::int64_t monotonic_ns();

// User plus system CPU seconds of this process (all threads) and of its
// children that have been reaped (getrusage RUSAGE_SELF + RUSAGE_CHILDREN).
double cpu_seconds_with_children();

// Wall seconds from `t0` to now.
double seconds_since(Clock::time_point t0);

// User plus system CPU seconds of this process alone (a worker measuring its
// own share of a run).
double cpu_seconds_self();

// The median of `v` (the mean of the middle two when their number is
// even); 0 when `v` is empty.
double median(std::vector<double> v);

}  // namespace cvp
