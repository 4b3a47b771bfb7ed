"""Gauges of tasks in flight, one per kind of sharing, and what the models' tasks share.

C++ has one gauge of lock-free atomics in shared memory. CPython has no
atomics, so each model takes the cheapest gauge that is right for it: plain
integers on one thread (a lock there would add to every one of 10 000
coroutines), a threading.Lock among threads, and an array in shared memory
with a process-shared lock among forked workers.

Each gauge fires the peak probe (cvppy/peak_probe.py) on the new peak that equals the
target armed when it was made (or, shared, reset): a check on new peaks only.
"""

from __future__ import annotations

import multiprocessing.context
import threading

from cvppy import peak_probe


class LocalGauge:
    """For tasks that all run on one thread: nothing can interleave an update."""

    def __init__(self) -> None:
        self.current = 0
        self.peak = 0
        self.fire_at = peak_probe.target()

    def enter(self) -> None:
        self.current += 1
        if self.current > self.peak:
            self.peak = self.current
            if self.current == self.fire_at:
                peak_probe.note(self.current)

    def leave(self) -> None:
        self.current -= 1


class ThreadGauge:
    """For tasks on several threads of one process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current = 0
        self.peak = 0
        self.fire_at = peak_probe.target()

    def enter(self) -> None:
        with self._lock:
            self.current += 1
            if self.current > self.peak:
                self.peak = self.current
                if self.current == self.fire_at:
                    peak_probe.note(self.current)

    def leave(self) -> None:
        with self._lock:
            self.current -= 1


class SharedGauge:
    """For tasks in forked processes: two counts in shared memory behind a
    process-shared lock. Must be made before the processes are forked."""

    def __init__(self, ctx: multiprocessing.context.BaseContext) -> None:
        self._counts = ctx.RawArray("q", 3)  # current, peak, the probe's fire_at
        self._lock = ctx.Lock()

    def reset(self) -> None:
        """Before a run, in the parent: no task in flight, and the probe's target now."""
        with self._lock:
            self._counts[0] = 0
            self._counts[1] = 0
            self._counts[2] = peak_probe.target()

    def enter(self) -> None:
        with self._lock:
            self._counts[0] += 1
            if self._counts[0] > self._counts[1]:
                self._counts[1] = self._counts[0]
                if self._counts[0] == self._counts[2]:
                    peak_probe.note(self._counts[0])

    def leave(self) -> None:
        with self._lock:
            self._counts[0] -= 1

    @property
    def peak(self) -> int:
        with self._lock:
            return self._counts[1]
