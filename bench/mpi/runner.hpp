// The mpi model: rank 0 hands out chunks of tasks on demand and runs a share itself; the other
// ranks ask, compute and return digests.
#pragma once

#include <chrono>
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
// all of them). W ranks are W workers, and every rank is one thread:
//
// - Rank 0 runs its share of the tasks and, between two tasks (and in
//   slices of a task's wait), answers the other ranks' requests. A
//   dispatcher thread beside its worker would make three busy threads on a
//   2-core machine; a dispatcher rank would leave W - 1 workers, and
//   nothing to do at W = 1.
// - The other ranks ask for two chunks at the start and for one more with
//   each chunk's digests, so they hold the next chunk while they compute
//   the current one: rank 0 has a whole chunk's time to answer, and no
//   rank waits for a reply while there is work left.
class Runner {
 public:
  explicit Runner(const World& world) : world_(world) {}

  // Runs every task of `w` once across the ranks, timed from the barrier
  // that starts it. On rank 0, out[i] receives task i's digest; a worker
  // that dies or sends nothing for longer than `pace.progress_timeout`
  // throws RankLost (the ranks are out of step from then on).
  RunOutcome run(const Workload& w, std::span<Digest> out, const Pace& pace);

 private:
  RunOutcome dispatch(const Workload& w, std::span<Digest> out, const Pace& pace);
  RunOutcome serve(const Workload& w, const Pace& pace);

  const World& world_;
  int run_id_ = 0;
};

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
