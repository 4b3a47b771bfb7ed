// What the process models share: owned descriptors, a shared chunk queue, and the parent's
// collector.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "models/inflight_gauge.hpp"
#include "params.hpp"

namespace cvp::workers {

[[noreturn]] void throw_errno(const char* what);

// An owned file descriptor. close() is never retried: on Linux the
// descriptor is released even when close reports EINTR.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept;
  Fd& operator=(Fd&& o) noexcept;
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset();

 private:
  int fd_ = -1;
};

// A pipe with both ends owned (O_CLOEXEC).
struct Pipe {
  Fd read;
  Fd write;
};
Pipe make_pipe();

// Writes all of `data`, retrying on EINTR and short writes.
void write_all(int fd, const void* data, std::size_t size);

// The tasks a worker takes at a time: N / (32W), rounded up, at least 1
// (multiprocessing.Pool.map takes N / (4W); see the definition for why not).
int chunk_size(int tasks, int workers);

// Tasks handed out in chunks to whichever worker asks first, from an
// anonymous shared mapping that forked workers see too. Each worker also
// marks when it took its current chunk, so the parent can tell a worker that
// stopped making progress from one that has nothing left to do.
class ChunkQueue {
 public:
  ChunkQueue();
  ~ChunkQueue();
  ChunkQueue(const ChunkQueue&) = delete;
  ChunkQueue& operator=(const ChunkQueue&) = delete;

  // Before a run, in the parent: `tasks` to hand out in chunks of `chunk`.
  void reset(int tasks, int chunk);
  // In a worker: the next chunk [begin, end), or false when none is left.
  bool take(int worker, int& begin, int& end);
  // In a worker: its current chunk's digests are all written.
  void done(int worker);
  // In the parent: CLOCK_MONOTONIC ns when `worker` took the chunk it is
  // still working on, or 0 when it holds none.
  std::int64_t busy_since_ns(int worker) const;

 private:
  struct Shared {
    std::atomic<int> next{0};
    int tasks = 0;
    int chunk = 1;
    std::atomic<std::int64_t> busy_since[kMaxWorkers];
  };
  static_assert(std::atomic<std::int64_t>::is_always_lock_free,
                "a queue shared across processes needs lock-free atomics");
  Shared* shared_;
};

// One record on a worker's result pipe: a task's digest, or (index -1) the
// end of the worker's share of a run with its CPU nanoseconds for it, or
// (index -2) why a task failed: the text's length in the digest's first four
// bytes, the text right after the record. The worker then exits non-zero.
struct Record {
  std::int32_t index;
  Digest digest;
};
inline constexpr std::int32_t kEndOfRun = -1;
inline constexpr std::int32_t kTaskFailed = -2;

// The worker side of a run: takes chunks from `queue` until none is left,
// runs each task the blocking way, streams digests to `fd` in batches of one
// atomic pipe write, and (with `end_marker`) ends with a kEndOfRun record
// carrying its CPU time. A task that throws is said in a kTaskFailed record,
// then the exception goes on (the worker exits with status 70).
void serve_run(const Workload& w, ChunkQueue& queue, InflightGauge& gauge, int worker, int fd,
               bool end_marker);

// A worker process seen from the parent. The destructor kills and reaps a
// worker that was not reaped, so an exception anywhere leaves no zombie.
struct Child {
  int number = 0;
  pid_t pid = -1;
  Fd results;             // read end of the worker's result pipe
  Fd commands;            // write end of its command pipe (persistent workers only)
  std::string pending;    // bytes of a record not yet complete
  bool finished = false;  // done with the current run
  std::string error;      // why its task failed, from a kTaskFailed record
  bool reaped = false;
  int status = 0;

  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  void kill_and_reap() noexcept;
  void reap();
  // "fork: worker 1 of 2 (pid 1234)"
  std::string describe(std::string_view model, int workers) const;
  // Why a reaped worker's status is a failure ("was killed by signal 9 (Killed)", or
  // "exited with status 70: task 3: recv: ..." with the error it sent), or "".
  std::string failure() const;
};

// Forks a worker that runs `body(k)` and _exits with its status, never
// returning into the parent's code. In the child, every descriptor of the
// earlier siblings is closed first.
pid_t fork_worker(std::deque<Child>& siblings, const std::function<int()>& body);

// The parent's side of a run: reads every worker's results until each has
// finished its share, checking the digests' indices, and fails the run at
// once when a worker dies (its pipe closes early, or a fork-per-run worker
// exits non-zero) or holds one chunk for longer than `progress_timeout`.
struct CollectOptions {
  std::string_view model;
  int workers = 1;
  bool end_markers = false;  // persistent workers: a run ends with kEndOfRun, not EOF
  std::chrono::milliseconds progress_timeout{10'000};
};
// Returns the CPU seconds the workers reported in their end markers.
double collect(std::deque<Child>& children, const ChunkQueue& queue, std::span<Digest> out,
               const CollectOptions& opt);

// 10 s plus four times the waits of one chunk: long enough for a loaded
// machine, short enough that a hung worker fails its run quickly.
std::chrono::milliseconds default_progress_timeout(const Workload& w, int workers);

}  // namespace cvp::workers
