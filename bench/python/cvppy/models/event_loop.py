"""What the asyncio models share: a fresh loop per benchmark, made in prepare, closed after.

Each model module (asyncio_sequential, asyncio_gather, uvloop_gather,
asyncio_blocking, asyncio_offload) says only how its coroutine runs the tasks.
"""

from __future__ import annotations

import asyncio
from abc import abstractmethod
from typing import Any, Callable, Coroutine, TypeVar

from cvppy.models.gauge import LocalGauge
from cvppy.models.model import Deadline, Limits, Model, RunFailed, RunReport
from cvppy.workloads.workload import Cell, Gauge, LoopEnv, Workload

T = TypeVar("T")


class LoopModel(Model):
    """A model whose run is one coroutine on an event loop of its own."""

    def __init__(self, workers: int, new_loop: Callable[[], asyncio.AbstractEventLoop]) -> None:
        super().__init__(workers)
        self._new_loop = new_loop
        self._loop: asyncio.AbstractEventLoop | None = None

    def prepare(self, workload: Workload) -> None:
        self.close()  # a loop of an earlier prepare, with its workload's streams
        super().prepare(workload)
        try:
            self._loop = self._new_loop()
        except OSError as e:  # no descriptor left for its selector, self-pipe or signals
            raise RunFailed(f"cannot create the event loop: [Errno {e.errno}] {e.strerror}"
                            ) from None
        if self.runs_coroutines:
            # What the coroutines keep (net_rpc's streams) belongs to this loop.
            self._until_complete(workload.open_async(), "opening the workload")

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        if self._loop is None:
            raise RuntimeError(f"{self.name}: run before prepare")
        return self._loop

    def run(self, deadline: Deadline) -> RunReport:
        return self._until_complete(self._main(), "the event loop failed")

    def _until_complete(self, coro: Coroutine[Any, Any, T], what: str) -> T:
        try:
            return self.loop.run_until_complete(coro)
        except OSError as e:  # one with no errno (a ConnectionError of ours) says it all
            detail = f"[Errno {e.errno}] {e.strerror}" if e.errno is not None else str(e)
            raise RunFailed(f"{what}: {detail}") from None
        finally:
            coro.close()  # a loop that could not start never awaited it: no warning

    async def _main(self) -> RunReport:
        # The lock is made inside the running loop, the loop it belongs to.
        env = LoopEnv(self.new_gauge(), Cell(), asyncio.Lock())
        digests = await self.run_tasks(env)
        return RunReport(digests, env.gauge.peak, env.counter.value, env.gauge.task_ns())

    def new_gauge(self) -> Gauge:
        """A gauge for one run: plain counts, as every task runs on the loop's thread."""
        return LocalGauge(self.workload.tasks)

    @abstractmethod
    async def run_tasks(self, env: LoopEnv) -> list[bytes]: ...

    def close(self) -> None:
        loop, self._loop = self._loop, None
        if loop is None:
            return
        if loop.is_running():
            return  # a loop that failed to start says it runs, and cannot be closed
        _cancel_pending(loop)
        if self.runs_coroutines and self._workload is not None:
            release = self._workload.close_async()
            try:
                loop.run_until_complete(release)
            finally:
                release.close()
        shutdown = loop.shutdown_asyncgens()
        try:
            loop.run_until_complete(shutdown)
        finally:
            shutdown.close()
            loop.close()


def _cancel_pending(loop: asyncio.AbstractEventLoop) -> None:
    """Cancels the tasks a failed run left (gather returns at the first failure and
    leaves the others running) and lets them end, as asyncio.run does: a loop
    closed with tasks pending says "Task was destroyed but it is pending!"."""
    pending = asyncio.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))


class OneAtATimeLoopModel(LoopModel):
    """A loop model on asyncio's default loop whose tasks never overlap."""

    def __init__(self, workers: int) -> None:
        super().__init__(workers, asyncio.new_event_loop)

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(1, 1)
