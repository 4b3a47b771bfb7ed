// The in-flight gauge: tasks started and not yet finished, counted across threads and processes.
#pragma once

#include <atomic>

#include "models/model.hpp"

namespace cvp {

// Counts tasks in flight and, for `traced_tasks` tasks, records each one's
// span. Lives in a shared anonymous mapping, so forked children update the
// parent's counts and spans too.
class InflightGauge {
 public:
  explicit InflightGauge(int traced_tasks = 0);
  ~InflightGauge();
  InflightGauge(const InflightGauge&) = delete;
  InflightGauge& operator=(const InflightGauge&) = delete;

  void enter(int index);
  void leave(int index);
  int peak() const;
  // Back to no task in flight, no peak and no spans, for the next run.
  void reset();

  // The peak and the recorded spans.
  RunReport report() const;

 private:
  struct Counts {
    std::atomic<int> current{0};
    std::atomic<int> peak{0};
  };
  static_assert(std::atomic<int>::is_always_lock_free,
                "cross-process counting needs lock-free atomics");
  std::size_t bytes_;
  int traced_;
  Counts* counts_;
  TaskSpan* spans_;  // traced_ of them, after the counts
};

}  // namespace cvp
