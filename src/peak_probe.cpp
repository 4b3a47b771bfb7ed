// The memory levels at a run's in-flight peak: a one-shot trigger that forked workers share,
// and a thread that reads the levels when it fires, so that no task waits on /proc.
#include "peak_probe.hpp"

#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <climits>
#include <cstdint>
#include <new>
#include <string>

namespace cvp {
namespace {

enum : std::uint32_t { kIdle = 0, kFired = 1, kRead = 2 };

struct Trigger {
  std::atomic<int> target{0};  // 0: not armed
  std::atomic<int> inflight{0};
  std::atomic<std::uint32_t> state{kIdle};  // a futex word
};
static_assert(sizeof(std::atomic<std::uint32_t>) == sizeof(std::uint32_t) &&
                  std::atomic<std::uint32_t>::is_always_lock_free,
              "the state is a futex word");

// Made when the library loads, before any worker is forked (a process pool
// forks in prepare(), before the first run arms the probe), in memory the
// workers share, so a task in a worker can fire it. Without that memory the
// probe still works for this process's own tasks.
Trigger* make_trigger() {
  void* p = mmap(nullptr, sizeof(Trigger), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
                 -1, 0);
  if (p == MAP_FAILED) {
    static Trigger own;
    return &own;
  }
  return new (p) Trigger;
}
Trigger* const g_trigger = make_trigger();

// Not FUTEX_PRIVATE_FLAG: the word is shared with forked workers.
void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected) {
  // EAGAIN (the word moved) and EINTR only send the caller round its loop.
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT, expected, nullptr,
            nullptr, 0);
}

void futex_wake_all(std::atomic<std::uint32_t>& word) {
  ::syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE, INT_MAX, nullptr,
            nullptr, 0);
}

std::atomic<pid_t> g_probe_tid{0};

}  // namespace

void peak_probe_note(int inflight) noexcept {
  Trigger& t = *g_trigger;
  int target = t.target.load(std::memory_order_relaxed);
  if (target <= 0 || inflight < target) return;
  // One winner: the target goes back to 0, so the probe fires once a run.
  if (!t.target.compare_exchange_strong(target, 0, std::memory_order_acquire)) return;
  t.inflight.store(inflight, std::memory_order_relaxed);
  t.state.store(kFired, std::memory_order_release);
  futex_wake_all(t.state);
}

PeakProbe& PeakProbe::get() {
  // Never destroyed: its thread waits for the whole life of the process.
  static PeakProbe* const probe = new PeakProbe;
  return *probe;
}

void PeakProbe::serve() {
  // One reading to start with, discarded: its heap (this thread's own malloc
  // arena) and buffers are then in place before any run's high-water mark.
  try {
    read_levels(static_cast<pid_t>(::gettid()));
  } catch (...) {
  }
  g_probe_tid.store(static_cast<pid_t>(::gettid()), std::memory_order_release);
  Trigger& t = *g_trigger;
  for (;;) {
    const std::uint32_t s = t.state.load(std::memory_order_acquire);
    if (s != kFired) {
      futex_wait(t.state, s);
      continue;
    }
    reading_.reset();
    try {
      reading_ = PeakReading{t.inflight.load(std::memory_order_relaxed), read_()};
    } catch (...) {
      // A reading that failed is no reading; the run's other figures stand.
    }
    t.state.store(kRead, std::memory_order_release);
    futex_wake_all(t.state);
  }
}

void PeakProbe::arm(int target, std::function<Levels()> read) {
  if (!thread_.joinable()) {
    thread_ = std::thread([this] { serve(); });
    while (g_probe_tid.load(std::memory_order_acquire) == 0) std::this_thread::yield();
  }
  // A run that failed before its disarm() may have left the probe armed, or
  // reading: that is settled first, so no reading outlives its run.
  disarm();
  read_ = std::move(read);
  // Release: the probe thread's acquire of the state it is woken by (stored
  // by whichever process fired) then sees read_ written.
  g_trigger->state.store(kIdle, std::memory_order_release);
  g_trigger->target.store(std::max(target, 0), std::memory_order_release);
}

std::optional<PeakReading> PeakProbe::disarm() {
  Trigger& t = *g_trigger;
  t.target.store(0, std::memory_order_relaxed);
  std::uint32_t s = t.state.load(std::memory_order_acquire);
  while (s == kFired) {  // a reading under way: wait for it
    futex_wait(t.state, s);
    s = t.state.load(std::memory_order_acquire);
  }
  std::optional<PeakReading> out;
  if (s == kRead) out = std::move(reading_);
  reading_.reset();
  t.state.store(kIdle, std::memory_order_relaxed);
  return out;
}

Switches PeakProbe::own_switches() const {
  const pid_t tid = g_probe_tid.load(std::memory_order_acquire);
  if (tid == 0) return {};
  const auto status = read_text_file("/proc/self/task/" + std::to_string(tid) + "/status");
  return status ? switches_in_status(*status) : Switches{};
}

int peak_probe_target(int earlier_peak, int first_guess) {
  if (earlier_peak <= 0) return std::max(first_guess, 1);
  return std::max((earlier_peak + 1) / 2, 1);
}

}  // namespace cvp
