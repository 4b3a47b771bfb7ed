"""A deadline for coroutines that wait on a peer (net_rpc's exchanges): when none of them
has finished for `limit_s`, the ones still waiting are cancelled, and each says so.

The asyncio form of SO_RCVTIMEO. asyncio.timeout around every exchange would do
it too, at a timer armed and cancelled per task: measured on this machine, more
than the rest of a gathered task's loop work. Here a task only joins a set and
leaves it; one timer per loop re-arms itself about once per limit while tasks
are in flight, for the time left since the last one finished, so a stall is
found when the limit has passed.
"""

from __future__ import annotations

import asyncio


class IdleWatch:
    def __init__(self, limit_s: float) -> None:
        self.limit_s = limit_s
        self._loop: asyncio.AbstractEventLoop | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._waiting: set[asyncio.Task] = set()
        self._cut: set[asyncio.Task] = set()
        self._moved = 0.0  # loop time a watched task last finished (or the first started)

    def enter(self) -> asyncio.Task:
        """The calling task is watched until leave(); returns it."""
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new loop (each benchmark makes its own)
            self._loop, self._timer, self._waiting, self._cut = loop, None, set(), set()
        task = asyncio.current_task()
        assert task is not None
        if not self._waiting:
            self._moved = loop.time()  # no stall counts from before the first task
        self._waiting.add(task)
        if self._timer is None:
            self._timer = loop.call_later(self.limit_s, self._check)
        return task

    def leave(self, task: asyncio.Task) -> None:
        self._waiting.discard(task)
        self._cut.discard(task)
        if self._loop is not None:
            self._moved = self._loop.time()

    def was_cut(self, task: asyncio.Task) -> bool:
        """Whether `task`'s CancelledError came from this watch (not from its caller)."""
        return task in self._cut

    def _check(self) -> None:
        assert self._loop is not None
        self._timer = None
        if not self._waiting:
            return  # armed again by the next task that enters
        idle = self._loop.time() - self._moved
        if idle < self.limit_s:
            self._timer = self._loop.call_later(self.limit_s - idle, self._check)
            return
        for task in self._waiting:
            task.cancel()
        self._cut |= self._waiting
        self._waiting = set()
