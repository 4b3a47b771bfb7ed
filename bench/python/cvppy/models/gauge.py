"""Gauges of tasks in flight, one per kind of sharing, and what the models' tasks share.

C++ has one gauge of lock-free atomics in shared memory. CPython has no
atomics, so each model takes the cheapest gauge that is right for it: plain
integers on one thread (a lock there would add to every one of 10 000
coroutines), a threading.Lock among threads, and an array in shared memory
with a process-shared lock among forked workers.

Every gauge also measures each task's latency, its time from enter to leave,
as C++'s does: one 64-bit slot per task (an array, not a list of int objects,
so that a run's memory per task barely moves), to which enter writes minus
the time and leave adds the time. The clock is CLOCK_MONOTONIC
(time.monotonic_ns; on Linux time.perf_counter_ns reads the same clock), one
clock for every process. A slot is written only by the one thread running its
task, so the slots need no lock; the model reads them after its run has ended.

Each gauge fires the peak probe (cvppy/peak_probe.py) on the new peak that equals the
target armed when it was made (or, shared, reset): a check on new peaks only.
"""

from __future__ import annotations

import ctypes
import multiprocessing.context
import threading
import time
from array import array

from cvppy import peak_probe

_now_ns = time.monotonic_ns


def _slots(tasks: int) -> array:
    return array("q", bytes(8 * tasks))


class LocalGauge:
    """For tasks that all run on one thread: nothing can interleave an update."""

    def __init__(self, tasks: int) -> None:
        self.current = 0
        self.peak = 0
        self._ns = _slots(tasks)
        self.fire_at = peak_probe.target()

    def enter(self, index: int) -> None:
        self.current += 1
        if self.current > self.peak:
            self.peak = self.current
            if self.current == self.fire_at:
                peak_probe.note(self.current)
        self._ns[index] = -_now_ns()

    def leave(self, index: int) -> None:
        self._ns[index] += _now_ns()
        self.current -= 1

    def task_ns(self) -> array:
        return self._ns  # a gauge serves one run: no copy


class ThreadGauge:
    """For tasks on several threads of one process."""

    def __init__(self, tasks: int) -> None:
        self._lock = threading.Lock()
        self.current = 0
        self.peak = 0
        self._ns = _slots(tasks)
        self.fire_at = peak_probe.target()

    def enter(self, index: int) -> None:
        with self._lock:
            self.current += 1
            if self.current > self.peak:
                self.peak = self.current
                if self.current == self.fire_at:
                    peak_probe.note(self.current)
        self._ns[index] = -_now_ns()

    def leave(self, index: int) -> None:
        self._ns[index] += _now_ns()
        with self._lock:
            self.current -= 1

    def task_ns(self) -> array:
        return self._ns  # a gauge serves one run: no copy


class SharedGauge:
    """For tasks in forked processes: two counts in shared memory behind a
    process-shared lock, and the latency slots in a shared array. Must be made
    before the processes are forked."""

    def __init__(self, ctx: multiprocessing.context.BaseContext, tasks: int) -> None:
        self._counts = ctx.RawArray("q", 3)  # current, peak, the probe's fire_at
        self._lock = ctx.Lock()
        self._ns = ctx.RawArray("q", tasks)

    def reset(self) -> None:
        """Before a run, in the parent: no task in flight, and the probe's target now."""
        with self._lock:
            self._counts[0] = 0
            self._counts[1] = 0
            self._counts[2] = peak_probe.target()
        ctypes.memset(self._ns, 0, ctypes.sizeof(self._ns))

    def enter(self, index: int) -> None:
        with self._lock:
            self._counts[0] += 1
            if self._counts[0] > self._counts[1]:
                self._counts[1] = self._counts[0]
                if self._counts[0] == self._counts[2]:
                    peak_probe.note(self._counts[0])
        self._ns[index] = -_now_ns()

    def leave(self, index: int) -> None:
        self._ns[index] += _now_ns()
        with self._lock:
            self._counts[0] -= 1

    @property
    def peak(self) -> int:
        with self._lock:
            return self._counts[1]

    def task_ns(self) -> array:
        """A copy of the slots the workers wrote, read after every chunk came back (a
        chunk's digests travel through a pipe after its tasks' slots were written)."""
        return array("q", bytes(self._ns))
