"""The workload interface: what one task computes, how long it then waits, and what it shares.

A task is a CPU phase (compute) and an IO phase (the wait). Models differ
only in how they run the phases: a thread or a process blocks through the
wait (`task`), an event loop awaits a timer and moves on (`task_async`).
The wait is a timer unless a workload says otherwise (net_rpc: a request
over a socket), in its own `task` and `task_async`: a task owns its waits.
Mirrors src/workloads/workload.hpp.
"""

from __future__ import annotations

import asyncio
import time
from abc import ABC, abstractmethod
from contextlib import AbstractAsyncContextManager, AbstractContextManager
from dataclasses import dataclass
from typing import Protocol, Sequence


@dataclass(frozen=True)
class Params:
    """A workload's parameters, as the C++ WorkloadParams plus the shared_counter axes."""

    tasks: int
    sleep_us: int = 0  # the wait after compute; 0 for none
    bytes: int = 0  # message size hashed by compute; 0 for none
    rounds: int = 0  # chained hash rounds; 0 when bytes is 0
    lock: bool = False  # shared_counter: the read-wait-write holds a lock
    wait_between: bool = False  # shared_counter: the wait sits between the read and the write
    conn_per_task: bool = False  # net_rpc: a connection per task, not one kept across runs
    cold: bool = False  # file_read: the page cache dropped before each run, not kept warm


class Gauge(Protocol):
    """Counts tasks in flight (`peak` is the most at one instant) and stamps task
    `index`'s start (enter) and end (leave): its latency."""

    def enter(self, index: int) -> None: ...

    def leave(self, index: int) -> None: ...

    def task_ns(self) -> Sequence[int]:
        """Each task's time from enter to leave in ns, in index order (0 or less: it
        has not left)."""


class Counter(Protocol):
    """The shared_counter cell: anything with a read-write `value`."""

    value: int


class Cell:
    """A counter cell for the models whose tasks share one process."""

    def __init__(self) -> None:
        self.value = 0


@dataclass
class BlockingEnv:
    """What a blocking task touches besides its index; made by the model for each run."""

    gauge: Gauge
    counter: Counter
    lock: AbstractContextManager


@dataclass
class LoopEnv:
    """What a coroutine task touches besides its index; made inside the running loop."""

    gauge: Gauge
    counter: Counter
    lock: AbstractAsyncContextManager


class Workload(ABC):
    """One configuration of a workload: N tasks, each derived from its index alone."""

    name: str = ""

    def __init__(self, params: Params) -> None:
        self.params = params
        self.wait_s = params.sleep_us * 1e-6

    @property
    def tasks(self) -> int:
        return self.params.tasks

    @abstractmethod
    def compute(self, index: int) -> bytes:
        """The CPU phase of task `index`: its digest, which every model must reproduce."""

    def task(self, index: int, env: BlockingEnv) -> bytes:
        """Task `index` the blocking way (serial, threads, processes): compute, then sleep."""
        env.gauge.enter(index)
        digest = self.compute(index)
        if self.wait_s > 0:
            time.sleep(self.wait_s)
        env.gauge.leave(index)
        return digest

    async def task_async(self, index: int, env: LoopEnv) -> bytes:
        """Task `index` on an event loop: compute, then await a timer.

        A task without a wait does not await at all, as the C++ loop arms no
        timer for it: `asyncio.sleep(0)` would add a trip through the loop."""
        env.gauge.enter(index)
        digest = self.compute(index)
        if self.wait_s > 0:
            await asyncio.sleep(self.wait_s)
        env.gauge.leave(index)
        return digest

    @property
    def hashes_only(self) -> bool:
        """True when a task is its compute alone (bytes hashed, no wait): the runner
        then times a serial run beside each run, for the speedup."""
        return self.params.bytes > 0 and self.wait_s == 0

    # What tasks keep across runs (net_rpc's kept connections), made before the
    # clock by the model that runs them: each task still performs its own waits.
    # Nothing for the workloads whose tasks keep nothing.

    def open_blocking(self) -> None:
        """Before timing, in a model whose tasks block (`task`): threads, processes
        (before they fork, so the workers inherit it), serial."""

    async def open_async(self) -> None:
        """Before timing, on the running loop of a model whose tasks are coroutines
        (`task_async`): what they keep must belong to that loop."""

    async def close_async(self) -> None:
        """On that loop, before it closes: undoes open_async."""

    def before_run(self) -> None:
        """Outside the clock, before every timed run: what each run must start from
        (file_read's page cache, dropped or warm). Raises when it cannot be had."""

    def release(self) -> None:
        """After a failed run, whose tasks may have left a reply unread: what is kept
        is dropped, so the next benchmark starts on fresh state."""

    def server_cpu_seconds(self) -> float | None:
        """CPU seconds so far of the server process the tasks talk to (net_rpc), which
        no model counts; None for the workloads without one."""
        return None

    def reference(self) -> list[bytes]:
        """The serial digests every model's run is checked against (waits skipped)."""
        return [self.compute(i) for i in range(self.tasks)]
