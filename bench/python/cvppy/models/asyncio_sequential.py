"""py_asyncio_sequential: one asyncio loop, each task awaited before the next starts
(src/models/event_loop_sequential.hpp)."""

from __future__ import annotations

from cvppy.models.event_loop import OneAtATimeLoopModel
from cvppy.workloads.workload import LoopEnv


class AsyncioSequentialModel(OneAtATimeLoopModel):
    name = "py_asyncio_sequential"
    runs_coroutines = True

    async def run_tasks(self, env: LoopEnv) -> list[bytes]:
        w = self.workload
        return [await w.task_async(i, env) for i in range(w.tasks)]
