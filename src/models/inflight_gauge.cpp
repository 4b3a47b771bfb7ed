// The in-flight gauge: tasks started and not yet finished, counted across threads and processes.
#include "models/inflight_gauge.hpp"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <new>
#include <system_error>

#include "peak_probe.hpp"
#include "timing.hpp"

namespace cvp {

InflightGauge::InflightGauge(int traced_tasks)
    : bytes_(sizeof(Counts) +
             static_cast<std::size_t>(std::max(traced_tasks, 0)) * sizeof(TaskSpan)),
      traced_(std::max(traced_tasks, 0)) {
  static_assert(sizeof(Counts) % alignof(TaskSpan) == 0);
  void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  counts_ = new (p) Counts;
  spans_ = reinterpret_cast<TaskSpan*>(static_cast<char*>(p) + sizeof(Counts));
  for (int i = 0; i < traced_; ++i) new (&spans_[i]) TaskSpan{i, 0, 0, 0, 0};
}

InflightGauge::~InflightGauge() {
  counts_->~Counts();
  munmap(counts_, bytes_);
}

void InflightGauge::enter(int index) {
  const int now = counts_->current.fetch_add(1, std::memory_order_relaxed) + 1;
  int peak = counts_->peak.load(std::memory_order_relaxed);
  while (now > peak && !counts_->peak.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
  }
  peak_probe_note(now);
  if (index < traced_) {
    // Each task's slot is written by the one thread running it; the parent
    // reads the slots after it has joined or reaped every worker.
    TaskSpan& span = spans_[index];
    span.start_ns = monotonic_ns();
    span.pid = static_cast<int>(getpid());
    span.tid = static_cast<int>(gettid());
  }
}

void InflightGauge::leave(int index) {
  if (index < traced_) spans_[index].end_ns = monotonic_ns();
  counts_->current.fetch_sub(1, std::memory_order_relaxed);
}

void InflightGauge::reset() {
  counts_->current.store(0, std::memory_order_relaxed);
  counts_->peak.store(0, std::memory_order_relaxed);
  for (int i = 0; i < traced_; ++i) spans_[i] = TaskSpan{i, 0, 0, 0, 0};
}

int InflightGauge::peak() const { return counts_->peak.load(std::memory_order_relaxed); }

RunReport InflightGauge::report() const {
  return {peak(), std::vector<TaskSpan>(spans_, spans_ + traced_)};
}

}  // namespace cvp
