// What tasks in flight cost the process and its workers: context switches, user memory (PSS)
// and kernel memory (thread stacks, socket buffers), as snapshots and their difference.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

#include "proc_text.hpp"

namespace cvp {

struct Switches {
  std::int64_t voluntary = 0;    // the thread waited (a sleep, a lock, IO)
  std::int64_t involuntary = 0;  // the scheduler took the CPU away
};

// One snapshot. Switches only grow; the memory fields are levels, so the
// difference of two snapshots is what was added (or, negative, released).
struct TaskCost {
  // This process (every thread: RUSAGE_SELF counts them all), its reaped
  // children (RUSAGE_CHILDREN) and the live children named to the snapshot
  // (their /proc/<pid>/status: the main thread, which is the whole of a
  // single-threaded worker).
  Switches switches;
  // Proportional set size of this process and the named children: each
  // page counted once across them, shared pages split between sharers.
  std::int64_t pss_bytes = 0;
  // The kernel's memory for thread stacks (meminfo KernelStack) and for
  // socket buffers (sockstat's TCP and UDP mem pages). Machine-wide: a
  // difference over a run is this run's only on an otherwise quiet machine.
  std::int64_t kernel_stack_bytes = 0;
  std::int64_t socket_bytes = 0;
};

// after - before, field by field.
TaskCost operator-(const TaskCost& after, const TaskCost& before);
// The larger of each memory level (switches from `b`, the later snapshot):
// the peak over a series of snapshots.
TaskCost peak_levels(const TaskCost& a, const TaskCost& b);

// Parsers of the /proc texts (nullopt when the field is missing).
std::optional<std::int64_t> pss_bytes_in(std::string_view smaps_rollup);
std::optional<std::int64_t> kernel_stack_bytes_in(std::string_view meminfo);
std::optional<std::int64_t> socket_bytes_in(std::string_view sockstat, std::int64_t page_bytes);
Switches switches_in_status(std::string_view status);

// A snapshot from `read` (/proc/self/smaps_rollup, /proc/<pid>/smaps_rollup
// and /proc/<pid>/status of each child, /proc/meminfo, /proc/net/sockstat)
// and `own`, the switches getrusage reports for this process and its reaped
// children. A child whose files are gone (it ended) adds nothing.
TaskCost read_task_cost(const ReadText& read, Switches own, std::span<const pid_t> children,
                        std::int64_t page_bytes);
// A snapshot of this process and its live `children` now.
TaskCost read_task_cost(std::span<const pid_t> children = {});

// One run's cost without sampling (the Python runner's twin): the kernel
// keeps each process's RSS high-water mark (VmHWM) and resets it to the
// current RSS when "5" is written to /proc/self/clear_refs, so the run's
// peak costs nothing during the run. RSS of this process, not PSS, and not
// its workers: for one process's new private pages (thread stacks, heap,
// loop handles) the two are the same.
struct RunStart {
  std::int64_t rss_bytes = 0;
  Switches switches;
  bool peak_reset = false;  // false where clear_refs cannot be written
};
struct RunCost {
  std::optional<std::int64_t> peak_rss_above_start;  // none without a reset
  Switches switches;  // this process (every thread) and its reaped children
};
RunStart run_start(const ReadText& read = read_text_file);
RunCost run_end(const RunStart& start, const ReadText& read = read_text_file);

}  // namespace cvp
