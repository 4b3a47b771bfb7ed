// One run of the mpi model across the ranks: rank 0 dispatches, the others work through chunks,
// and every rank then learns the run's outcome.
#include "runner.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "dispatcher.hpp"
#include "models/worker_processes.hpp"
#include "timing.hpp"
#include "worker_rank.hpp"

namespace cvp::mpi {

RunOutcome Runner::run(const Workload& w, std::span<Digest> out, std::span<std::int64_t> task_ns,
                       const Pace& pace) {
  ++run_id_;
  if (world_.rank() == 0) return dispatch_run(world_, run_id_, w, out, task_ns, pace);
  return WorkerRank(world_, run_id_, w, pace).work();
}

Reduced reduce_run(const World& world, const RunOutcome& run, bool failed, const Pace& pace) {
  // Non-blocking and watched: a rank that stops after its last message of
  // the run must not hang the others in a collective.
  double mine[2] = {run.seconds, failed ? 1.0 : 0.0}, all[2] = {0, 0};
  double cpu_s = 0;
  MPI_Request reqs[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
  check(MPI_Iallreduce(mine, all, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD, &reqs[0]),
        "MPI_Iallreduce");
  check(MPI_Ireduce(&run.cpu_s, &cpu_s, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD, &reqs[1]),
        "MPI_Ireduce");
  const Watch watch{"every rank's outcome of the run", world.others(),
                    Clock::now() + pace.progress_timeout, std::chrono::microseconds(100)};
  for (MPI_Request& req : reqs) wait(world, req, MPI_STATUS_IGNORE, watch);
  return {all[0], cpu_s, all[1] != 0};
}

Pace pace_of(const Workload& w, int ranks, double task_cpu_s) {
  const int chunk = workers::chunk_size(w.tasks(), ranks);
  const double task_s = task_cpu_s + std::chrono::duration<double>(w.longest_wait()).count();
  const double chunk_us = chunk * task_s * 1e6;
  Pace p;
  p.progress_timeout = std::chrono::milliseconds(3000 + std::llround(4 * chunk_us / 1e3));
  p.between_runs = std::chrono::milliseconds(30'000 + std::llround(4 * w.tasks() * task_s * 1e3));
  p.poll_every =
      std::chrono::microseconds(std::clamp<std::int64_t>(std::llround(chunk_us / 16), 2, 1000));
  p.idle_cap =
      std::chrono::microseconds(std::clamp<std::int64_t>(std::llround(chunk_us / 50), 20, 2000));
  return p;
}

}  // namespace cvp::mpi
