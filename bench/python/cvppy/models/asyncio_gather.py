"""py_asyncio: asyncio.gather of every task on the default asyncio loop (src/models/event_loop.cpp).

Waits are timers; computes run one at a time on the loop's thread, so the
run is concurrent (N tasks in flight) and never parallel.
"""

from __future__ import annotations

import asyncio
from typing import Callable

from cvppy.models.event_loop import LoopModel
from cvppy.models.model import Limits
from cvppy.workloads.workload import LoopEnv


class AsyncioGatherModel(LoopModel):
    name = "py_asyncio"
    runs_coroutines = True

    def __init__(self, workers: int, new_loop: Callable[[], asyncio.AbstractEventLoop]
                 = asyncio.new_event_loop) -> None:
        super().__init__(workers, new_loop)

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(tasks, 1)

    async def run_tasks(self, env: LoopEnv) -> list[bytes]:
        w = self.workload
        return list(await asyncio.gather(*(w.task_async(i, env) for i in range(w.tasks))))
