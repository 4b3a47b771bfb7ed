"""py_asyncio_offload: an asyncio loop handing every task to loop.run_in_executor on a
ThreadPoolExecutor of W threads (the twin of src/models/event_loop_offload.cpp, whose
pool is libuv's; here W is chosen per benchmark)."""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from cvppy.models.event_loop import LoopModel
from cvppy.models.gauge import ThreadGauge
from cvppy.models.model import Limits
from cvppy.models.threads import started_thread_pool
from cvppy.workloads.workload import BlockingEnv, Gauge, LoopEnv, Workload


class AsyncioOffloadModel(LoopModel):
    name = "py_asyncio_offload"

    def __init__(self, workers: int) -> None:
        super().__init__(workers, asyncio.new_event_loop)
        self._pool: ThreadPoolExecutor | None = None

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(self.workers, min(self.workers, cpus))

    def prepare(self, workload: Workload) -> None:
        super().prepare(workload)
        self._pool = started_thread_pool(self.workers, self.name)

    def new_gauge(self) -> Gauge:
        return ThreadGauge(self.workload.tasks)  # the tasks run on the pool's threads

    async def run_tasks(self, env: LoopEnv) -> list[bytes]:
        if self._pool is None:
            raise RuntimeError(f"{self.name}: run before prepare")
        w = self.workload
        loop = asyncio.get_running_loop()
        blocking = BlockingEnv(env.gauge, env.counter, threading.Lock())
        return list(await asyncio.gather(
            *(loop.run_in_executor(self._pool, w.task, i, blocking) for i in range(w.tasks))))

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        super().close()
