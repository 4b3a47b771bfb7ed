// The in-flight gauge: tasks started and not yet finished, counted across threads and processes.
#pragma once

#include <atomic>
#include <cstdint>

#include "models/model.hpp"

namespace cvp {

// Counts tasks in flight and measures each task's latency, its time from
// enter to leave (CLOCK_MONOTONIC, one clock for every process on the
// machine); traced, it also records each task's span. Lives in a shared
// anonymous mapping, so forked children update the parent's counts, latencies
// and spans too.
class InflightGauge {
 public:
  // Measures tasks 0 to tasks - 1 (an index outside is counted only); traced,
  // also records their spans.
  explicit InflightGauge(int tasks = 0, bool traced = false);
  ~InflightGauge();
  InflightGauge(const InflightGauge&) = delete;
  InflightGauge& operator=(const InflightGauge&) = delete;

  void enter(int index);
  void leave(int index);
  int peak() const;
  // Back to no task in flight, no peak, no latency and no spans, for the next run.
  void reset();

  // Task `index`'s time from enter to leave in ns; 0 unless it has left.
  std::int64_t task_ns(int index) const;

  // The peak, every task's latency (0 or less for a task that has not left)
  // and, traced, the spans.
  RunReport report() const;

 private:
  struct Counts {
    std::atomic<int> current{0};
    std::atomic<int> peak{0};
  };
  static_assert(std::atomic<int>::is_always_lock_free,
                "cross-process counting needs lock-free atomics");
  int tasks_;
  int traced_;  // tasks_ when traced, else 0
  std::size_t bytes_;
  Counts* counts_;
  // One slot per task, written only by the thread running it (no lock);
  // the parent reads the slots after it has joined or reaped every worker.
  // enter stores minus the time, leave adds the time: one word per task holds
  // its latency once it has left, and a negative value while it is in flight.
  std::int64_t* latency_ns_;  // tasks_ of them, after the counts
  TaskSpan* spans_;           // traced_ of them, after the latencies
};

}  // namespace cvp
