// The bare primitives under the models, timed with none of the suite's code in the path.
#pragma once

#include "models/registry.hpp"
#include "workloads/workload.hpp"

namespace cvp::bench {

// One run of the primitive a model is built on, doing the work of one run
// of a workload with `params` on `workers`, and its wall seconds. Each task
// hashes its message (made from its index, as the workloads make it) with
// raw EVP calls, then waits with a raw clock_nanosleep or a raw libuv timer;
// no Workload, gauge, model or digest collection is in the path.
//   kLoop        the calling thread, task after task
//   kUvTimers    one libuv loop: `concurrency` 1 chains the tasks, otherwise
//                all start in one turn; each timer re-armed until T has
//                passed by uv_hrtime (`never_early`) or not
//   kOsThreads   W std::threads made for the run (N when `concurrency` is
//                kTasks), taking tasks one at a time from an atomic counter
//   kOsThreadsMade  N std::threads made before the clock starts, released
//                together by a latch, one task each (threads_n)
//   kForked      W processes forked for the run, taking chunks of N/(32W)
//                from a counter in shared memory, reaped with waitpid
double bare_run_seconds(Primitive primitive, CapacityRule concurrency, const WorkloadParams& params,
                        int workers, bool never_early = true);

// The bare primitive's own costs, for the limits harness: each returns the
// wall seconds of `n` repetitions of one round.
double fork_exit_wait_seconds(int children, int n);  // fork W, _exit, waitpid each
double thread_spawn_seconds(int threads, int n);     // std::thread create + join W
double tbb_round_seconds(int threads, int n);        // one empty parallel_for over W items
double uv_queue_work_seconds(int n);                 // uv_queue_work of an empty job, back
double pipe_round_trip_seconds(int n);               // a byte to a child and back

// The bare primitive under file_read: pread of `bytes` bytes at the offsets
// of file_read's tasks 0 to tasks - 1 (FileRead::offset), one after another
// on the calling thread, in the file open as `fd`, in whatever state its
// page cache is; the wall seconds of all of them.
double pread_seconds(int fd, int tasks, std::int64_t bytes);

}  // namespace cvp::bench
