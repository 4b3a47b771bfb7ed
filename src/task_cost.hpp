// What tasks in flight cost the process and its workers: context switches, user memory (PSS)
// and kernel memory (thread stacks, socket buffers), as snapshots and their difference.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <map>
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

// The memory levels read at a run's in-flight peak (src/peak_probe.hpp) and
// before the run, whose difference is what the tasks in flight hold beyond
// the model's idle level.
struct Levels {
  // Machine-wide, as in TaskCost.
  std::int64_t kernel_stack_bytes = 0;
  std::int64_t socket_bytes = 0;
  // Private pages (smaps_rollup Private_Clean + Private_Dirty) of each worker:
  // a child of the measuring thread running this same program (a forked
  // worker, not an exec'd server). Private, not PSS: a child's PSS takes a
  // share of the pages it still shares with this process, whose whole RSS
  // this process's high-water mark already counts.
  std::map<pid_t, std::int64_t> worker_private_bytes;
};

std::optional<std::int64_t> private_bytes_in(std::string_view smaps_rollup);

// The levels from `read`: /proc/meminfo, /proc/net/sockstat, and each pid of
// /proc/self/task/<tid>/children whose cmdline is this process's (a worker,
// forked without exec) with its /proc/<pid>/smaps_rollup.
Levels read_levels(const ReadText& read, pid_t tid, std::int64_t page_bytes);
Levels read_levels(pid_t tid);

// Kernel memory (stacks and socket buffers) at `peak` above `idle`, per
// task of `inflight`; 0 when the level fell (another process freed some).
double kernel_bytes_per_task(const Levels& idle, const Levels& peak, int inflight);
// What the workers alive at `peak` added above `idle` (a worker absent
// from `idle`, forked in the run, added all of its private pages); 0 when
// they released more than they added.
std::int64_t workers_growth_bytes(const Levels& idle, const Levels& peak);

// One run's cost. This process's user memory without sampling: the kernel
// keeps each process's RSS high-water mark (VmHWM) and resets it to the
// current RSS when "5" is written to /proc/self/clear_refs, so the run's peak
// costs nothing during the run (RSS, not PSS: for one process's new private
// pages, thread stacks, heap, loop handles, the two are the same). The
// kernel's memory and the workers' private pages are read before the run and
// once during it, at its in-flight peak (src/peak_probe.hpp), when a target
// of tasks in flight is given.
struct RunStart {
  std::int64_t rss_bytes = 0;
  Switches switches;      // of the run's threads: the probe's own are left out
  Switches probe_switches;
  bool peak_reset = false;  // false where clear_refs cannot be written
  bool armed = false;       // the probe waits for the in-flight peak
  Levels idle;              // the levels before the run, when armed
};
struct RunCost {
  std::optional<std::int64_t> peak_rss_above_start;  // none without a reset
  Switches switches;  // this process (every thread but the probe's) and its reaped children
  // What the workers alive at the in-flight peak added to their private pages.
  std::int64_t workers_growth_bytes = 0;
  // Kernel stacks and socket buffers at the in-flight peak above the level
  // before the run, per task then in flight; none when the probe did not fire.
  std::optional<double> kernel_bytes_per_task;
};
// `inflight_target`: the tasks in flight at which to read the levels (0: none).
RunStart run_start(int inflight_target = 0, const ReadText& read = read_text_file);
RunCost run_end(const RunStart& start, const ReadText& read = read_text_file);

// User memory per task holding it: this process's peak RSS above the start
// and the workers' growth, over `holding` (the tasks in flight at the peak,
// or, for a thread per task, the threads started: a finished thread keeps its
// stack until the run joins it). None without a high-water mark reset.
std::optional<double> user_bytes_per_task(const RunCost& cost, int holding);

}  // namespace cvp
