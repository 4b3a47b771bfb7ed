// The messages between rank 0 and the worker ranks in a run, and the chunks of tasks they carry.
#pragma once

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdint>

#include "sha256.hpp"
#include "timing.hpp"

namespace cvp::mpi {

// worker -> rank 0: one chunk's digests and its tasks' latencies (or why it
// failed, or that it was skipped after a failure), and how many more chunks
// the worker wants.
constexpr int kTagWork = 1;
// rank 0 -> worker: one message per chunk wanted, the chunk or, when none
// is left, begin == end.
constexpr int kTagAssign = 2;

// A worker asks for at most this many chunks at a time: the one it
// computes and the one it holds next.
constexpr int kAhead = 2;

enum ChunkResult : std::int32_t {
  kDigests = 0,  // the payload is the chunk's digests, then its tasks' latencies (ns)
  kFailed = 1,   // the payload is why a task of the chunk failed
  kSkipped = 2,  // not computed: an earlier chunk of this worker failed
};

struct WorkHeader {
  std::int32_t run;     // the run's number, the same on every rank
  std::int32_t begin;   // the chunk's first task, or -1 in the first message of a run
  std::int32_t count;   // tasks whose digests and latencies follow, or bytes of the error text
  std::int32_t result;  // a ChunkResult
  std::int32_t want;    // chunks asked for with this message (0 to kAhead)
};
struct Assign {
  std::int32_t run;
  std::int32_t begin;
  std::int32_t end;
};
struct Range {
  int begin = 0, end = 0;
};
constexpr std::size_t kMaxErrorText = 512;

// What one task adds to a kDigests payload: its digest and its latency.
constexpr std::size_t kTaskBytes = sizeof(Digest) + sizeof(std::int64_t);

inline std::size_t buffer_bytes(int chunk) {
  return sizeof(WorkHeader) + std::max(static_cast<std::size_t>(chunk) * kTaskBytes, kMaxErrorText);
}

// A time-gated look at the messages: at most one per `every`, checked with
// one clock read between two tasks.
class Gate {
 public:
  explicit Gate(std::chrono::microseconds every) : every_(every), next_(Clock::now() + every) {}
  bool due() {
    const auto now = Clock::now();
    if (now < next_) return false;
    next_ = now + every_;
    return true;
  }

 private:
  std::chrono::microseconds every_;
  Clock::time_point next_;
};

// The chunks of one run, in order; taken by rank 0 for itself and for the
// ranks that ask.
struct Chunks {
  int next = 0;
  int tasks = 0;
  int chunk = 1;
  bool stop = false;  // a task failed: hand out nothing more

  bool take(Range& r) {
    if (exhausted()) return false;
    r = {next, std::min(next + chunk, tasks)};
    next = r.end;
    return true;
  }
  bool exhausted() const { return stop || next >= tasks; }
  int left() const { return exhausted() ? 0 : (tasks - next + chunk - 1) / chunk; }
};

}  // namespace cvp::mpi
