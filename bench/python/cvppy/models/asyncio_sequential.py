"""py_asyncio_sequential: one asyncio loop, each task awaited before the next starts
(src/models/event_loop_sequential.hpp)."""

from __future__ import annotations

import asyncio

from cvppy.models.event_loop import LoopModel
from cvppy.models.model import Limits
from cvppy.workloads.workload import LoopEnv


class AsyncioSequentialModel(LoopModel):
    name = "py_asyncio_sequential"

    def __init__(self, workers: int) -> None:
        super().__init__(workers, asyncio.new_event_loop)

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(1, 1)

    async def run_tasks(self, env: LoopEnv) -> list[bytes]:
        w = self.workload
        return [await w.task_async(i, env) for i in range(w.tasks)]
