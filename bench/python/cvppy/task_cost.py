"""What tasks in flight cost the process and its workers (src/task_cost.cpp): context
switches, user memory (PSS) and kernel memory (thread stacks, socket buffers), as
snapshots and their difference.

Switches are of this process (every thread: RUSAGE_SELF counts them all), its
reaped children (RUSAGE_CHILDREN) and the live children named to a snapshot
(their /proc/<pid>/status: the main thread, the whole of a single-threaded
worker). PSS counts each page once across this process and the named
children. Kernel memory is machine-wide (meminfo KernelStack; sockstat's TCP
and UDP mem pages): a difference over a run is the run's on a quiet machine.
"""

from __future__ import annotations

import re
import resource
import statistics
import threading
from dataclasses import dataclass, field
from typing import Iterable

from cvppy import peak_probe
from cvppy.proc_text import ReadText, proc_field, read_text_file


@dataclass(frozen=True)
class Switches:
    voluntary: int = 0  # the thread waited (a sleep, a lock, IO)
    involuntary: int = 0  # the scheduler took the CPU away


@dataclass(frozen=True)
class TaskCost:
    """One snapshot: switches only grow; the memory fields are levels."""

    switches: Switches = Switches()
    pss_bytes: int = 0
    kernel_stack_bytes: int = 0
    socket_bytes: int = 0

    def __sub__(self, before: TaskCost) -> TaskCost:
        return TaskCost(Switches(self.switches.voluntary - before.switches.voluntary,
                                 self.switches.involuntary - before.switches.involuntary),
                        self.pss_bytes - before.pss_bytes,
                        self.kernel_stack_bytes - before.kernel_stack_bytes,
                        self.socket_bytes - before.socket_bytes)


def peak_levels(a: TaskCost, b: TaskCost) -> TaskCost:
    """The larger of each memory level, switches from `b` (the later snapshot)."""
    return TaskCost(b.switches, max(a.pss_bytes, b.pss_bytes),
                    max(a.kernel_stack_bytes, b.kernel_stack_bytes),
                    max(a.socket_bytes, b.socket_bytes))


def pss_bytes_in(smaps_rollup: str) -> int | None:
    kb = proc_field(smaps_rollup, "Pss:")
    return kb * 1024 if kb is not None else None


def kernel_stack_bytes_in(meminfo: str) -> int | None:
    kb = proc_field(meminfo, "KernelStack:")
    return kb * 1024 if kb is not None else None


def socket_bytes_in(sockstat: str, page_bytes: int) -> int | None:
    """TCP and UDP "mem" (pages; UDPLITE shares UDP's count)."""
    pages = [int(m.group(1)) for m in re.finditer(r"^(?:TCP|UDP): .*?\bmem (\d+)", sockstat,
                                                  re.MULTILINE)]
    return sum(pages) * page_bytes if pages else None


def switches_in_status(status: str) -> Switches:
    return Switches(proc_field(status, "voluntary_ctxt_switches:") or 0,
                    proc_field(status, "nonvoluntary_ctxt_switches:") or 0)


def read_task_cost(read: ReadText, own: Switches, children: Iterable[int],
                   page_bytes: int) -> TaskCost:
    """A snapshot from `read` and `own` (getrusage's switches); a child whose files are
    gone (it ended) adds nothing."""
    text = read("/proc/self/smaps_rollup")
    pss = (pss_bytes_in(text) or 0) if text is not None else 0
    vol, invol = own.voluntary, own.involuntary
    for pid in children:
        text = read(f"/proc/{pid}/smaps_rollup")
        pss += (pss_bytes_in(text) or 0) if text is not None else 0
        text = read(f"/proc/{pid}/status")
        if text is not None:
            s = switches_in_status(text)
            vol, invol = vol + s.voluntary, invol + s.involuntary
    meminfo, sockstat = read("/proc/meminfo"), read("/proc/net/sockstat")
    return TaskCost(Switches(vol, invol), pss,
                    (kernel_stack_bytes_in(meminfo) or 0) if meminfo is not None else 0,
                    (socket_bytes_in(sockstat, page_bytes) or 0) if sockstat is not None else 0)


def rusage_switches() -> Switches:
    self_, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return Switches(self_.ru_nvcsw + kids.ru_nvcsw, self_.ru_nivcsw + kids.ru_nivcsw)


def snapshot(children: Iterable[int] = ()) -> TaskCost:
    """This process and its live `children` now."""
    return read_task_cost(read_text_file, rusage_switches(), children, resource.getpagesize())


@dataclass(frozen=True)
class Levels:
    """The memory levels read before a run and at its in-flight peak (cvppy/peak_probe.py),
    whose difference is what the tasks in flight hold above the model's idle level.

    Kernel stacks and socket bytes are machine-wide. Workers are the children of the
    measuring thread that run this same program (forked, not an exec'd server), each with
    its private pages (smaps_rollup Private_Clean + Private_Dirty): not PSS, as a child's
    PSS takes a share of the pages it still shares with this process, whose whole RSS
    this process's high-water mark already counts."""

    kernel_stack_bytes: int = 0
    socket_bytes: int = 0
    worker_private_bytes: dict[int, int] = field(default_factory=dict)


def private_bytes_in(smaps_rollup: str) -> int | None:
    clean = proc_field(smaps_rollup, "Private_Clean:")
    dirty = proc_field(smaps_rollup, "Private_Dirty:")
    if clean is None and dirty is None:
        return None
    return ((clean or 0) + (dirty or 0)) * 1024


def read_levels(read: ReadText, tid: int, page_bytes: int) -> Levels:
    """/proc/meminfo, /proc/net/sockstat, and each child of thread `tid` whose cmdline is
    this process's, with its smaps_rollup."""
    meminfo, sockstat = read("/proc/meminfo"), read("/proc/net/sockstat")
    workers: dict[int, int] = {}
    own, children = read("/proc/self/cmdline"), read(f"/proc/self/task/{tid}/children")
    if own is not None and children is not None:
        for pid in (int(p) for p in children.split()):
            if read(f"/proc/{pid}/cmdline") != own:
                continue  # not a worker: the net_rpc server, say
            rollup = read(f"/proc/{pid}/smaps_rollup")
            private = private_bytes_in(rollup) if rollup is not None else None
            if private is not None:
                workers[pid] = private
    return Levels((kernel_stack_bytes_in(meminfo) or 0) if meminfo is not None else 0,
                  (socket_bytes_in(sockstat, page_bytes) or 0) if sockstat is not None else 0,
                  workers)


def kernel_bytes_per_task(idle: Levels, peak: Levels, inflight: int) -> float:
    """Kernel stacks and socket buffers at `peak` above `idle`, per task of `inflight`;
    0 when the level fell (another process freed some)."""
    added = (peak.kernel_stack_bytes - idle.kernel_stack_bytes
             + peak.socket_bytes - idle.socket_bytes)
    return max(added, 0) / max(inflight, 1)


def workers_growth_bytes(idle: Levels, peak: Levels) -> int:
    """What the workers alive at `peak` added above `idle` (one absent from `idle`, forked
    in the run, added all its private pages); 0 when they released more than they added."""
    added = sum(b - idle.worker_private_bytes.get(pid, 0)
                for pid, b in peak.worker_private_bytes.items())
    return max(added, 0)


# One run's cost. This process's user memory without sampling: the kernel keeps each
# process's RSS high-water mark (VmHWM) and resets it to the current RSS when "5" is
# written to /proc/self/clear_refs, so the run's peak costs nothing during the run (a
# sampling thread would compete with the tasks for the GIL and, reading smaps_rollup,
# for the mmap lock every thread's stack takes). It is RSS, not PSS: for one process's
# new private pages (stacks, heap) the two are the same. The kernel's memory and the
# workers' private pages are read before the run and once during it, at its in-flight
# peak (cvppy/peak_probe.py), when a target of tasks in flight is given.

@dataclass(frozen=True)
class RunStart:
    """What run_cost() needs from before the run."""

    rss_bytes: int
    switches: Switches  # of the run's threads: the probe's own are left out
    peak_reset: bool  # False where clear_refs cannot be written: no memory figure then
    probe_switches: Switches = Switches()
    idle: Levels | None = None  # the levels before the run, when the probe is armed


@dataclass(frozen=True)
class RunCost:
    peak_rss_above_start: int | None  # bytes; None when the mark could not be reset
    switches: Switches
    workers_growth_bytes: int = 0  # the workers' private pages at the in-flight peak above idle
    kernel_bytes_per_task: float | None = None  # None when the probe did not fire


def rss_levels_in(status: str) -> tuple[int, int]:
    """VmRSS and VmHWM of a /proc/<pid>/status text, in bytes."""
    return ((proc_field(status, "VmRSS:") or 0) * 1024, (proc_field(status, "VmHWM:") or 0) * 1024)


def _probe_switches() -> Switches:
    tid = peak_probe.probe().native_id
    status = read_text_file(f"/proc/self/task/{tid}/status") if tid else None
    return switches_in_status(status) if status is not None else Switches()


def run_start(inflight_target: int = 0, read: ReadText = read_text_file) -> RunStart:
    """With a target, arms the probe (the workers are the children of the calling
    thread) and reads the levels before the run; then resets this process's RSS
    high-water mark and notes the level. Armed first: the probe's thread starts before
    the levels and the RSS are read, so no run counts it."""
    idle = None
    if inflight_target > 0:
        tid, page = threading.get_native_id(), resource.getpagesize()
        peak_probe.probe().arm(inflight_target,
                               lambda: read_levels(read_text_file, tid, page))
        idle = read_levels(read_text_file, tid, page)
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        reset = True
    except OSError:
        reset = False
    rss, _ = rss_levels_in(read("/proc/self/status") or "")
    return RunStart(rss, rusage_switches(), reset, _probe_switches(), idle)


def run_cost(start: RunStart, read: ReadText = read_text_file) -> RunCost:
    """The run's peak RSS above its start, its switches (this process, every thread but
    the probe's, and its reaped children) and, armed, what the peak reading says."""
    # The switches first: disarm() waits for the probe's thread, a switch of this one.
    now, probe = rusage_switches(), _probe_switches()
    growth, kernel = 0, None
    if start.idle is not None:
        reading = peak_probe.probe().disarm()
        if reading is not None:
            growth = workers_growth_bytes(start.idle, reading.levels)
            kernel = kernel_bytes_per_task(start.idle, reading.levels, reading.inflight)
    _, hwm = rss_levels_in(read("/proc/self/status") or "")
    peak = max(hwm - start.rss_bytes, 0) if start.peak_reset else None
    return RunCost(peak, Switches(
        now.voluntary - start.switches.voluntary
        - (probe.voluntary - start.probe_switches.voluntary),
        now.involuntary - start.switches.involuntary
        - (probe.involuntary - start.probe_switches.involuntary)), growth, kernel)


def user_bytes_per_task(cost: RunCost, holding: int) -> float | None:
    """This process's peak RSS above the start and the workers' growth, over the tasks
    holding memory at the peak (in flight: CPython's threads are detached, so a finished
    one keeps no stack); None without a high-water mark reset."""
    if cost.peak_rss_above_start is None:
        return None
    return (cost.peak_rss_above_start + cost.workers_growth_bytes) / max(holding, 1)


def per_task_counters(tasks: int, costs: list[tuple[RunCost, int]]) -> dict[str, float]:
    """The counters of what a task cost, from each run's cost and peak in flight:
    switches per task (voluntary and involuntary, the mean over the runs); user memory
    per task in flight (the largest: the first run may touch pages later runs reuse);
    kernel memory per task in flight at the peak (the median: the kernel's levels are
    machine-wide, and the median keeps another process's burst in one run out)."""
    if not costs:
        return {}
    out = {"ctx_vol_per_task": statistics.fmean(c.switches.voluntary for c, _ in costs) / tasks,
           "ctx_invol_per_task":
               statistics.fmean(c.switches.involuntary for c, _ in costs) / tasks}
    mems = [m for m in (user_bytes_per_task(c, peak) for c, peak in costs) if m is not None]
    if mems:
        out["mem_kib_per_task"] = max(mems) / 1024
    kmems = [c.kernel_bytes_per_task for c, _ in costs if c.kernel_bytes_per_task is not None]
    if kmems:
        out["kmem_kib_per_task"] = statistics.median(kmems) / 1024
    return out
