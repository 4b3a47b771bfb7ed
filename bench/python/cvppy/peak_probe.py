"""The memory levels at a run's in-flight peak (src/peak_probe.cpp): a one-shot trigger that
forked workers share, and a thread that reads the levels when it fires, so that no task
waits on /proc.

Why once, at the peak, and not sampled: a thread reading /proc every few ms during every
timed run would take the GIL and CPU from the tasks and add context switches to the ones
counted; one extra, untimed, sampled run per benchmark would cost one run of each
benchmark of the default profile (about 30 s, over its 5 s budget). At the peak the tasks
in flight are the most, and the kernel's level and the count are taken together, so their
ratio is the cost per task in flight.

The trigger: a gauge, on a new peak equal to its `fire_at` (the armed target, taken when
the gauge is made or reset), writes the count to a pipe made at import, before any pool
forks, so a forked worker's write reaches the parent. A new peak passes each count once,
so a run fires at most once. The probe's thread waits on the pipe (without the GIL), reads
the levels when a count arrives, and answers disarm() after the run.
"""

from __future__ import annotations

import os
import struct
import threading
from dataclasses import dataclass
from typing import Callable, Generic, TypeVar

T = TypeVar("T")

_FORMAT = "=i"  # one count, written whole (below PIPE_BUF: never interleaved)
_DISARM = 0  # the count disarm() writes: the end of a run's messages

_read_fd, _write_fd = os.pipe()
_target = 0  # the armed target in this process (0: not armed); workers take it at reset()


def target() -> int:
    """The tasks in flight at which a gauge made or reset now fires (0: never)."""
    return _target


def note(inflight: int) -> None:
    """A gauge reached its `fire_at`: wakes the probe's thread, from any process."""
    os.write(_write_fd, struct.pack(_FORMAT, inflight))


def next_target(earlier_peak: int, first_guess: int) -> int:
    """Half the most tasks in flight in the benchmark's earlier runs, or before any run
    `first_guess` (the model's concurrency); at least 1 (why half: src/peak_probe.hpp)."""
    if earlier_peak <= 0:
        return max(first_guess, 1)
    return max((earlier_peak + 1) // 2, 1)


@dataclass(frozen=True)
class Reading(Generic[T]):
    inflight: int  # the tasks in flight that fired the probe
    levels: T


class PeakProbe(Generic[T]):
    """The process's probe: arm() before a run, disarm() after it."""

    def __init__(self) -> None:
        self._read: Callable[[], T] | None = None
        self._reading: Reading[T] | None = None
        self._disarmed = threading.Event()
        self._thread: threading.Thread | None = None
        self.native_id = 0  # the probe thread's, once started

    def arm(self, target_: int, read: Callable[[], T]) -> None:
        """Fires once `target_` tasks are in flight in a gauge made or reset after this,
        calling `read` on the probe's thread."""
        global _target
        if self._thread is not None and _target > 0:
            self.disarm()  # a run that failed before its disarm() left it armed
        if self._thread is None:
            self._thread = threading.Thread(target=self._serve, name="peak_probe", daemon=True)
            self._thread.start()
            self.native_id = self._thread.native_id or 0
        self._read, self._reading = read, None
        self._disarmed.clear()
        _target = max(target_, 0)

    def disarm(self) -> Reading[T] | None:
        """After the run: the reading, or None when the target was not reached."""
        global _target
        _target = 0
        os.write(_write_fd, struct.pack(_FORMAT, _DISARM))
        self._disarmed.wait()
        reading, self._reading = self._reading, None
        return reading

    def _serve(self) -> None:
        size = struct.calcsize(_FORMAT)
        while True:
            data = os.read(_read_fd, size)
            if len(data) < size:
                data += os.read(_read_fd, size - len(data))  # never split below PIPE_BUF
            (inflight,) = struct.unpack(_FORMAT, data)
            if inflight == _DISARM:
                self._disarmed.set()
            elif self._read is not None and self._reading is None:
                try:
                    self._reading = Reading(inflight, self._read())
                except OSError:
                    pass  # a reading that failed is no reading; the run's other figures stand


_probe: PeakProbe = PeakProbe()


def probe() -> PeakProbe:
    """The process's one probe."""
    return _probe
