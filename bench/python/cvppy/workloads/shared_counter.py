"""shared_counter: each task reads a shared counter, waits, and writes it plus one.

A lost update is a write of a value some other task had already written: the
run's `lost_updates` is N minus the final counter. The claim it tests: tasks
on one thread (an event loop) lose updates exactly when a wait sits between
the read and the write, since only an `await` lets another task run there;
threads and processes can lose them anywhere unless a lock covers the
read-modify-write.

Variants (in the benchmark name as `/lock:0|1/wait:0|1`):
- wait:1  read, wait sleep_us, write: the race window is the wait;
- wait:0  read, write, then wait sleep_us: the same run time, no window on a loop;
- lock:1  the read-(wait-)write holds the model's lock (asyncio.Lock on a loop,
          threading.Lock in threads, the multiprocessing.Value's own lock in
          processes).
Each task's digest is io_sleep's token of its index, so runs are checked as
any other.
"""

from __future__ import annotations

import asyncio
import time

from cvppy.params import check_sleep_us, check_tasks
from cvppy.workloads.io_sleep import token
from cvppy.workloads.workload import BlockingEnv, LoopEnv, Params, Workload


class SharedCounter(Workload):
    name = "shared_counter"

    def __init__(self, params: Params) -> None:
        check_tasks(params.tasks)
        check_sleep_us(params.sleep_us)
        super().__init__(Params(tasks=params.tasks, sleep_us=params.sleep_us, lock=params.lock,
                                wait_between=params.wait_between))

    def compute(self, index: int) -> bytes:
        return token(index)

    def _sleep(self) -> None:
        if self.wait_s > 0:
            time.sleep(self.wait_s)

    def _increment(self, env: BlockingEnv) -> None:
        seen = env.counter.value
        if self.params.wait_between:
            self._sleep()
        env.counter.value = seen + 1

    def task(self, index: int, env: BlockingEnv) -> bytes:
        env.gauge.enter(index)
        if self.params.lock:
            with env.lock:
                self._increment(env)
        else:
            self._increment(env)
        if not self.params.wait_between:
            self._sleep()
        env.gauge.leave(index)
        return self.compute(index)

    async def _increment_async(self, env: LoopEnv) -> None:
        seen = env.counter.value
        if self.params.wait_between and self.wait_s > 0:
            await asyncio.sleep(self.wait_s)
        env.counter.value = seen + 1

    async def task_async(self, index: int, env: LoopEnv) -> bytes:
        env.gauge.enter(index)
        if self.params.lock:
            async with env.lock:
                await self._increment_async(env)
        else:
            await self._increment_async(env)
        if not self.params.wait_between and self.wait_s > 0:
            await asyncio.sleep(self.wait_s)
        env.gauge.leave(index)
        return self.compute(index)
