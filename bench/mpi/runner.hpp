// One run of the mpi model across the ranks: rank 0 dispatches, the others work through chunks,
// and every rank then learns the run's outcome.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>

#include "comm.hpp"
#include "workloads/workload.hpp"

namespace cvp::mpi {

struct Pace;

// What one rank saw of one run.
struct RunOutcome {
  double seconds = 0;     // this rank's wall time, from the barrier to its end
  double cpu_s = 0;       // this process's CPU seconds over the same span
  int peak_inflight = 0;  // rank 0: most ranks holding a chunk at one instant (one task each)
  std::string error;      // rank 0: why the run failed while the ranks stayed in step, or ""
};

// Every rank calls run() in step (Google Benchmark's loop is the same on
// all of them). W ranks are W workers, and every rank is one thread: rank 0
// hands out chunks on demand and runs a share itself (dispatcher.hpp), the
// others ask for chunks and return digests (worker_rank.hpp).
class Runner {
 public:
  explicit Runner(const World& world) : world_(world) {}

  // Runs every task of `w` once across the ranks, timed from the barrier
  // that starts it. On rank 0, out[i] receives task i's digest and
  // task_ns[i] its latency (both unused elsewhere); a worker that dies or
  // sends nothing for longer than `pace.progress_timeout` throws RankLost
  // (the ranks are out of step from then on).
  RunOutcome run(const Workload& w, std::span<Digest> out, std::span<std::int64_t> task_ns,
                 const Pace& pace);

 private:
  const World& world_;
  int run_id_ = 0;
};

// A run as every rank learns it: the slowest rank's time, whether any rank
// failed it, and (on rank 0) every rank's CPU seconds summed.
struct Reduced {
  double seconds = 0;
  double cpu_s = 0;
  bool failed = false;
};
Reduced reduce_run(const World& world, const RunOutcome& run, bool failed, const Pace& pace);

// How the ranks pace a run of a workload, from one chunk's expected time
// (its tasks' compute and wait); every rank computes the same.
struct Pace {
  // 3 s plus four chunks' time: a loaded or oversubscribed rank is slow,
  // not stuck, well within it.
  std::chrono::milliseconds progress_timeout{3000};
  // How often a rank busy with tasks looks at its messages: a sixteenth of
  // a chunk's time (2 us to 1 ms). A request has a chunk's time to be
  // answered, and a look (MPI_Test) costs about a microsecond.
  std::chrono::microseconds poll_every{100};
  // The longest sleep of an idle rank 0 between polls, once its share is
  // done: a fiftieth of a chunk's time (20 us to 2 ms), so that the last
  // digests wait about 1% of a chunk and polling costs about as little.
  std::chrono::microseconds idle_cap{100};
  // How long the other ranks wait for rank 0 between two runs, where it
  // runs the paired serial run and checks digests: 30 s plus four times the
  // serial run's expected time. Longer, rank 0 is stopped.
  std::chrono::milliseconds between_runs{30'000};
};
Pace pace_of(const Workload& w, int ranks, double task_cpu_s);

}  // namespace cvp::mpi
