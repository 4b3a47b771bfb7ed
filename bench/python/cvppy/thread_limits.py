"""How many threads the machine lets this process add, and the one line that refuses a run
which would not fit, before anything runs (src/thread_limits.cpp, the same rules and words).

A thread takes a pid (kernel.pid_max), one of kernel.threads-max and of
RLIMIT_NPROC (which does not bind root), two mappings (its stack and guard
page; vm.max_map_count) and, in the worst case, its whole stack in memory.
Each limit keeps a margin for the rest of the machine: 256 threads (and
pids 1-299, which the kernel reserves), 1024 mappings, half of MemAvailable.
"""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass

from cvppy.proc_text import ReadText, proc_field, proc_number, read_text_file

SPARE_THREADS = 256
RESERVED_PIDS = 300
SPARE_MAPS = 1024
MAPS_PER_THREAD = 2


@dataclass(frozen=True)
class ThreadRoom:
    """The limits a thread counts against (None: unknown, not checked) and what uses them."""

    threads_max: int | None = None
    pid_max: int | None = None
    max_map_count: int | None = None
    nproc: int | None = None  # the RLIMIT_NPROC that binds; None: unlimited, or root
    mem_available: int | None = None  # bytes
    machine_threads: int = 0
    own_threads: int = 1
    own_maps: int = 0


def read_room(read: ReadText, nproc: int | None) -> ThreadRoom:
    """The room as `read` reports /proc; `nproc` is the RLIMIT_NPROC that binds."""
    mem_kb = proc_field(read("/proc/meminfo"), "MemAvailable:")
    loadavg = read("/proc/loadavg")
    # /proc/loadavg's fourth field is running/total: the total counts every thread.
    total = proc_number(loadavg.split("/", 1)[1]) if loadavg and "/" in loadavg else None
    maps = read("/proc/self/maps")
    return ThreadRoom(
        threads_max=proc_number(read("/proc/sys/kernel/threads-max")),
        pid_max=proc_number(read("/proc/sys/kernel/pid_max")),
        max_map_count=proc_number(read("/proc/sys/vm/max_map_count")),
        nproc=nproc,
        mem_available=mem_kb * 1024 if mem_kb is not None else None,
        machine_threads=total or 0,
        own_threads=proc_field(read("/proc/self/status"), "Threads:") or 1,
        own_maps=maps.count("\n") if maps is not None else 0)


def read_room_now() -> ThreadRoom:
    """The room on this machine now (RLIMIT_NPROC does not bind root)."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    binding = os.geteuid() != 0 and soft != resource.RLIM_INFINITY
    return read_room(read_text_file, soft if binding else None)


def _size(n: int) -> str:
    return f"{n >> 20} MiB" if n % (1 << 20) == 0 else f"{n >> 10} KiB"


def threads_that_fit(room: ThreadRoom, stack_bytes: int) -> tuple[int, str]:
    """The most threads of `stack_bytes` that fit, and the tightest limit, in words."""
    in_use = f"{room.machine_threads} threads exist"
    fits: list[tuple[int, str]] = []
    if room.threads_max is not None:
        fits.append((room.threads_max - room.machine_threads - SPARE_THREADS,
                     f"kernel.threads-max is {room.threads_max} and {in_use}"))
    if room.pid_max is not None:
        fits.append((room.pid_max - RESERVED_PIDS - room.machine_threads - SPARE_THREADS,
                     f"kernel.pid_max is {room.pid_max} and {in_use}"))
    if room.nproc is not None:
        fits.append((room.nproc - room.own_threads - SPARE_THREADS,
                     f"RLIMIT_NPROC is {room.nproc} and this process has {room.own_threads} "
                     "threads (the user's other processes count too)"))
    if room.max_map_count is not None:
        fits.append(((room.max_map_count - room.own_maps - SPARE_MAPS) // MAPS_PER_THREAD,
                     f"vm.max_map_count is {room.max_map_count}, this process has "
                     f"{room.own_maps} mappings and a thread takes 2"))
    if room.mem_available is not None and stack_bytes > 0:
        fits.append((room.mem_available // 2 // stack_bytes,
                     f"half of MemAvailable is {_size(room.mem_available // 2)} and a thread's "
                     f"stack {_size(stack_bytes)}"))
    if not fits:
        return (1 << 62, "")
    most, limit = min(fits, key=lambda f: f[0])
    return max(most, 0), limit


def refusal(room: ThreadRoom, threads: int, stack_bytes: int) -> str | None:
    """The one line refusing `threads` threads of `stack_bytes`, or None when they fit."""
    most, limit = threads_that_fit(room, stack_bytes)
    if threads <= most:
        return None
    return (f"{threads} threads of {_size(stack_bytes)} stack do not fit: {limit}; "
            f"allowed: up to {most}")
