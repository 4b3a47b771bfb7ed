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
from dataclasses import dataclass
from typing import Iterable

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


# The peak of a run without sampling: the kernel keeps each process's RSS
# high-water mark (VmHWM) and resets it to the current RSS when "5" is written
# to /proc/self/clear_refs. A sampling thread would compete with the tasks for
# the GIL and, reading smaps_rollup, for the mmap lock that every thread's stack
# takes; the mark costs nothing during the run. It is RSS, not PSS: for one
# process's new private pages (stacks, heap) the two are the same.

@dataclass(frozen=True)
class RunStart:
    """What run_cost() needs from before the run."""

    rss_bytes: int
    switches: Switches
    peak_reset: bool  # False where clear_refs cannot be written: no memory figure then


@dataclass(frozen=True)
class RunCost:
    peak_rss_above_start: int | None  # bytes; None when the mark could not be reset
    switches: Switches


def rss_levels_in(status: str) -> tuple[int, int]:
    """VmRSS and VmHWM of a /proc/<pid>/status text, in bytes."""
    return ((proc_field(status, "VmRSS:") or 0) * 1024, (proc_field(status, "VmHWM:") or 0) * 1024)


def run_start(read: ReadText = read_text_file) -> RunStart:
    """Resets this process's RSS high-water mark and notes the level before a run."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as f:
            f.write("5")
        reset = True
    except OSError:
        reset = False
    rss, _ = rss_levels_in(read("/proc/self/status") or "")
    return RunStart(rss, rusage_switches(), reset)


def run_cost(start: RunStart, read: ReadText = read_text_file) -> RunCost:
    """The run's peak RSS above its start, and its switches (this process, every thread,
    and its reaped children)."""
    _, hwm = rss_levels_in(read("/proc/self/status") or "")
    now = rusage_switches()
    peak = max(hwm - start.rss_bytes, 0) if start.peak_reset else None
    return RunCost(peak, Switches(now.voluntary - start.switches.voluntary,
                                  now.involuntary - start.switches.involuntary))
