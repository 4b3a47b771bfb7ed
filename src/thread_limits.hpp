// How many threads the machine lets this process add, read from /proc and getrlimit, and the
// one line that refuses a run which would not fit, before anything runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "proc_text.hpp"

namespace cvp {

// The limits a thread counts against, and what is already using them.
// Unknown values (a file that cannot be read) are nullopt and not checked.
struct ThreadRoom {
  std::optional<std::int64_t> threads_max;    // kernel.threads-max: threads on the machine
  std::optional<std::int64_t> pid_max;        // kernel.pid_max: every thread takes a pid
  std::optional<std::int64_t> max_map_count;  // vm.max_map_count: mappings of this process
  std::optional<std::int64_t> nproc;          // RLIMIT_NPROC that binds (nullopt: none, or root)
  std::optional<std::int64_t> mem_available;  // MemAvailable, bytes
  std::int64_t machine_threads = 0;           // threads on the machine now (/proc/loadavg)
  std::int64_t own_threads = 1;               // this process's threads now
  std::int64_t own_maps = 0;                  // this process's mappings now
};

// The room as `read` reports /proc/sys/kernel/{threads-max,pid_max},
// /proc/sys/vm/max_map_count, /proc/loadavg, /proc/self/{status,maps} and
// /proc/meminfo; `nproc` is the RLIMIT_NPROC soft limit that binds.
ThreadRoom read_thread_room(const ReadText& read, std::optional<std::int64_t> nproc);
// The room on this machine now. RLIMIT_NPROC does not bind root (the kernel
// exempts CAP_SYS_RESOURCE and CAP_SYS_ADMIN) or an unlimited one.
ThreadRoom read_thread_room();

// The most threads of `stack_bytes` each that fit, and the limit that says
// so ("kernel.pid_max is 32768 and 412 threads exist"). Each limit keeps a
// margin for the rest of the machine: 256 threads (and pids 1-299, which
// the kernel reserves), 1024 mappings, half of MemAvailable. A thread takes
// a pid, one of threads-max and of RLIMIT_NPROC, two mappings (its stack and
// guard page) and, in the worst case, its whole stack in memory.
struct ThreadFit {
  std::int64_t most = 0;
  std::string limit;  // empty when nothing is known to limit
};
ThreadFit threads_that_fit(const ThreadRoom& room, std::int64_t stack_bytes);

// The one line refusing `threads` more threads of `stack_bytes` each
// ("10000 threads of 256 KiB do not fit: kernel.pid_max is 32768 and ...;
// allowed: up to 31956"), or nullopt when they fit.
std::optional<std::string> thread_refusal(const ThreadRoom& room, std::int64_t threads,
                                          std::int64_t stack_bytes);

}  // namespace cvp
