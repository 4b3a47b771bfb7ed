// Rank 0's side of one run: it hands out chunks of tasks on demand, runs a share itself and
// gathers every rank's digests.
#pragma once

#include <cstdint>
#include <span>

#include "comm.hpp"
#include "runner.hpp"

namespace cvp::mpi {

// Rank 0 runs its share of the tasks and, between two tasks (and in slices
// of a task's wait), answers the other ranks' requests. A dispatcher thread
// beside its worker would make three busy threads on a 2-core machine; a
// dispatcher rank would leave W - 1 workers, and nothing to do at W = 1.
// Timed from the barrier that starts run number `run`; out[i] receives task
// i's digest, task_ns[i] its latency (as the rank that ran it measured it).
// A rank that dies or sends nothing for longer than `pace.progress_timeout`
// throws RankLost.
RunOutcome dispatch_run(const World& world, int run, const Workload& w, std::span<Digest> out,
                        std::span<std::int64_t> task_ns, const Pace& pace);

}  // namespace cvp::mpi
