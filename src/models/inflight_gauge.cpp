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

InflightGauge::InflightGauge(int tasks, bool traced)
    : tasks_(std::max(tasks, 0)),
      traced_(traced ? tasks_ : 0),
      bytes_(sizeof(Counts) + static_cast<std::size_t>(tasks_) * sizeof(std::int64_t) +
             static_cast<std::size_t>(traced_) * sizeof(TaskSpan)) {
  static_assert(sizeof(Counts) % alignof(std::int64_t) == 0);
  static_assert(sizeof(std::int64_t) % alignof(TaskSpan) == 0);
  // Fresh anonymous pages are zero: every latency starts at 0.
  void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  counts_ = new (p) Counts;
  latency_ns_ = reinterpret_cast<std::int64_t*>(static_cast<char*>(p) + sizeof(Counts));
  spans_ = reinterpret_cast<TaskSpan*>(latency_ns_ + tasks_);
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
  if (index < 0 || index >= tasks_) return;
  const std::int64_t start = monotonic_ns();
  latency_ns_[index] = -start;
  if (index < traced_) {
    // Two system calls: paid by traced runs only.
    TaskSpan& span = spans_[index];
    span.start_ns = start;
    span.pid = static_cast<int>(getpid());
    span.tid = static_cast<int>(gettid());
  }
}

void InflightGauge::leave(int index) {
  if (index >= 0 && index < tasks_) {
    const std::int64_t end = monotonic_ns();
    latency_ns_[index] += end;
    if (index < traced_) spans_[index].end_ns = end;
  }
  counts_->current.fetch_sub(1, std::memory_order_relaxed);
}

void InflightGauge::reset() {
  counts_->current.store(0, std::memory_order_relaxed);
  counts_->peak.store(0, std::memory_order_relaxed);
  std::fill(latency_ns_, latency_ns_ + tasks_, 0);
  for (int i = 0; i < traced_; ++i) spans_[i] = TaskSpan{i, 0, 0, 0, 0};
}

int InflightGauge::peak() const { return counts_->peak.load(std::memory_order_relaxed); }

std::int64_t InflightGauge::task_ns(int index) const {
  if (index < 0 || index >= tasks_) return 0;
  return std::max<std::int64_t>(latency_ns_[index], 0);
}

RunReport InflightGauge::report() const {
  RunReport r;
  r.peak_inflight = peak();
  r.task_ns.assign(latency_ns_, latency_ns_ + tasks_);
  r.spans.assign(spans_, spans_ + traced_);
  return r;
}

}  // namespace cvp
