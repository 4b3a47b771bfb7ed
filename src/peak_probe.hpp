// The memory levels at a run's in-flight peak: a one-shot trigger that forked workers share,
// and a thread that reads the levels when it fires, so that no task waits on /proc.
#pragma once

#include <sys/types.h>

#include <functional>
#include <optional>
#include <thread>

#include "task_cost.hpp"

namespace cvp {

// Why the levels are read once, at the peak, and not sampled:
//  - a thread reading /proc every few ms during every timed run takes CPU
//    from the tasks, adds context switches to the ones counted, and, reading
//    smaps_rollup, holds the mmap lock every new thread's stack needs;
//  - one extra, untimed, sampled run per benchmark would cost one run of each
//    of the default profile's ~470 benchmarks: about 30 s (the 5 s budget).
// The peak is the moment that matters: the tasks in flight are the most, and
// the kernel's level and the count are taken together, so their ratio is the
// cost per task in flight. The task that brings the count up to the target
// (a share of the benchmark's earlier peak) wakes a waiting thread with one
// futex call (once per run; workers forked from this process share the
// trigger); that thread reads the levels while the run goes on.

// Called as every task starts (InflightGauge::enter), in this process or in
// a forked worker, with the tasks now in flight. One relaxed load when the
// probe is not armed.
void peak_probe_note(int inflight) noexcept;

// What the probe read when it fired.
struct PeakReading {
  int inflight = 0;  // the tasks in flight that fired it
  Levels levels;
};

class PeakProbe {
 public:
  // The process's one probe (its thread starts at the first arm()).
  static PeakProbe& get();

  // Before a run, outside the clock: fires once `target` tasks are in
  // flight (target > 0), calling `read` on the probe's thread.
  void arm(int target, std::function<Levels()> read);
  // After the run: disarms and waits for a reading under way. The reading,
  // or nullopt when the tasks in flight never reached the target.
  std::optional<PeakReading> disarm();
  // The probe thread's own context switches so far (none before its start),
  // to be left out of a run's.
  Switches own_switches() const;

  PeakProbe(const PeakProbe&) = delete;
  PeakProbe& operator=(const PeakProbe&) = delete;

 private:
  PeakProbe() = default;
  void serve();

  std::thread thread_;
  pid_t tid_ = 0;  // the probe thread's, once started
  std::function<Levels()> read_;
  std::optional<PeakReading> reading_;  // written by the probe thread before it says kRead
};

// The next run's target: half the most tasks in flight in the benchmark's
// earlier runs, or, before any run, `first_guess` (the model's concurrency);
// never below 1. Half: on a loaded machine (load average 17) a thread per
// task's peak varied so much that, at 1000 tasks of 10 ms, none of a
// benchmark's runs after its first reached three quarters of the best
// before it; and the ratio of the level to the tasks in flight, taken at
// one moment, does not need the very top.
int peak_probe_target(int earlier_peak, int first_guess);

}  // namespace cvp
