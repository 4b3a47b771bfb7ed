"""py_asyncio_blocking: gathered coroutines that wait with time.sleep, the mistake the
seeds warn about (src/models/event_loop_blocking.hpp): the loop's one thread sleeps
through every wait, so the tasks run one after another."""

from __future__ import annotations

import asyncio
import threading

from cvppy.models.event_loop import OneAtATimeLoopModel
from cvppy.workloads.workload import BlockingEnv, LoopEnv


class AsyncioBlockingModel(OneAtATimeLoopModel):
    name = "py_asyncio_blocking"

    async def run_tasks(self, env: LoopEnv) -> list[bytes]:
        w = self.workload
        # The blocking task body counts in the same gauge and counter; its lock
        # is never contended, as nothing else runs while a coroutine sleeps.
        blocking = BlockingEnv(env.gauge, env.counter, threading.Lock())

        async def blocking_task(index: int) -> bytes:
            return w.task(index, blocking)

        return list(await asyncio.gather(*(blocking_task(i) for i in range(w.tasks))))
