// The mpi model: rank 0 hands out chunks of tasks on demand and runs a share itself; the other
// ranks ask, compute and return digests.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <thread>

#include "comm.hpp"
#include "workloads/workload.hpp"

namespace cvp::mpi {

struct Chunks;
struct Pace;

// What one rank saw of one run.
struct RunOutcome {
  double seconds = 0;  // this rank's wall time, from the barrier to its end
  double cpu_s = 0;    // this process's CPU seconds over the same span
  int peak_inflight =
      0;  // rank 0: most chunks held at one instant (each holder runs one task at a time)
  std::string error;  // rank 0: why the run failed while the ranks stayed in step, or ""
};

// Every rank calls run() in step (Google Benchmark's loop is the same on
// all of them). W ranks are W workers: rank 0 is one of them, on a thread
// of its own, while its main thread serves the others' requests. A
// dedicated dispatcher rank would leave W - 1 workers, nothing to do at
// W = 1, and, waiting in Open MPI's spinning receive, a core taken from
// the hashing on a 2-core machine.
class Runner {
 public:
  explicit Runner(const World& world);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Runs every task of `w` once across the ranks, timed from the barrier
  // that starts it. On rank 0, out[i] receives task i's digest; a worker
  // that dies or holds one chunk for longer than `progress_timeout` throws
  // RankLost (the ranks are out of step from then on).
  RunOutcome run(const Workload& w, std::span<Digest> out, const Pace& pace);

 private:
  // Rank 0's own worker: a thread kept for the whole harness, so a run
  // costs a notification, not a thread start.
  class LocalWorker;
  RunOutcome dispatch(const Workload& w, std::span<Digest> out, const Pace& pace);
  RunOutcome serve(const Workload& w);

  const World& world_;
  int run_id_ = 0;
  std::unique_ptr<Chunks> chunks_;
  std::unique_ptr<LocalWorker> local_;
};

// How rank 0 paces a run of a workload, from one chunk's expected time
// (its tasks' compute and wait).
struct Pace {
  // 3 s plus four chunks' time: a loaded or oversubscribed rank is slow,
  // not stuck, well within it.
  std::chrono::milliseconds progress_timeout{3000};
  // The longest sleep of rank 0's dispatcher between polls: a fiftieth of
  // a chunk's time (20 us to 2 ms), so that a request waits about 1% of a
  // chunk for its answer and polling costs about as little.
  std::chrono::microseconds poll_cap{100};
};
Pace pace_of(const Workload& w, int ranks, double task_cpu_s);

}  // namespace cvp::mpi
