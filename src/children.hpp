// Child processes that never outlive the harness: forked with a parent-death signal, killed and
// reaped on SIGINT/SIGTERM, and waited for with a deadline.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

namespace cvp::children {

// Forks a child that dies with this process. In the child (return 0):
// PR_SET_PDEATHSIG(SIGKILL), then a check that the parent did not die
// before that (it would never send the signal then), and SIGINT, SIGTERM
// and SIGHUP back to their default actions. In the parent: the child's pid,
// registered so that a fatal signal kills and reaps it. Throws
// std::system_error when fork fails.
// The parent-death signal fires when the forking *thread* ends: call this
// from a thread that lives as long as the child (the harness's main thread).
pid_t fork_owned();

// The pid was reaped: a fatal signal must not kill what may be a new process.
void forget(pid_t pid) noexcept;

// The pids registered and not forgotten, for tests.
std::vector<pid_t> registered();

// SIGINT and SIGTERM (and SIGHUP unless it was ignored, as under nohup):
// kill every registered child with SIGKILL, reap it, remove the cleanup
// file, then end the process by the same signal. SIGXFSZ is ignored, so
// that a write beyond RLIMIT_FSIZE fails with EFBIG instead of killing the
// process without a word; SIGPIPE too, so that a write to a connection the
// peer reset (a server killed in the middle of a run: libuv writes with
// writev, which raises it) fails with EPIPE, an error row.
void install_exit_handlers();

// A file a fatal signal removes (a temporary result file), or nullptr.
// The path is copied; one at a time.
void set_cleanup_path(const char* path) noexcept;

// Removes the file set_cleanup_path names, if any. Async-signal-safe: for
// a signal handler of a process that notes a stop signal instead of dying
// at once (an mpi rank), so that a result being written when the signal
// came is never left behind as a complete temporary file.
void remove_cleanup_file() noexcept;

// The state letter of /proc/<pid>/stat: 'R', 'S', 'T' (stopped), 'Z'
// (ended, not yet reaped)...; '?' when it cannot be read.
char proc_state(pid_t pid);

// How one child ended, after wait_all.
struct Ended {
  pid_t pid = -1;
  int status = 0;          // as from waitpid
  bool stalled = false;    // killed because it made no progress in time
  bool cancelled = false;  // killed because another child stalled: not a failure of its own
  char state_seen = '?';   // its /proc state when it was found stalled ('T': stopped)
  // "" when it exited 0; else "pid 1234 was killed by signal 9 (Killed)",
  // "pid 1234 exited with status 70", or "pid 1234 made no progress
  // within 10.0 s (it was stopped); killed".
  std::string failure(std::chrono::milliseconds timeout) const;
};

// Waits for every child in `pids` to end, and reaps it. `progress` is read
// every tick; when it has not changed (and no child ended) for `timeout`,
// the children still alive are killed with SIGKILL, reaped and marked
// stalled. Never blocks longer than `timeout` past the last progress.
std::vector<Ended> wait_all(std::span<const pid_t> pids, std::chrono::milliseconds timeout,
                            const std::function<std::int64_t()>& progress);

// wait_all with progress per child: `progress_of(i)` is child i's own
// count. When a child still running has not changed its count for
// `timeout`, it is killed and marked stalled, and the others are killed and
// marked cancelled, whatever progress they make: a stalled child is found
// within `timeout`, not after the others finish their work.
std::vector<Ended> wait_each(std::span<const pid_t> pids, std::chrono::milliseconds timeout,
                             const std::function<std::int64_t(std::size_t)>& progress_of);

// "pid 1234 was killed by signal 9 (Killed)" for every child that failed, joined by "; ".
std::string failures(const std::vector<Ended>& ended, std::chrono::milliseconds timeout);

}  // namespace cvp::children
