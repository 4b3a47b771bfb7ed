"""py_thread_per_task: a threading.Thread started per task, all joined at the run's end
(src/models/thread_per_task.cpp).

The fair opponent of asyncio.gather: N tasks in flight on N threads, each
blocking in its own wait, with starting and joining them inside every run.
"""

from __future__ import annotations

import threading

from cvppy.models import task_threads
from cvppy.models.gauge import ThreadGauge
from cvppy.models.model import Deadline, Limits, Model, RunReport
from cvppy.workloads.workload import BlockingEnv, Cell


class ThreadPerTaskModel(Model):
    name = "py_thread_per_task"

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(tasks, min(tasks, cpus))

    def run(self, deadline: Deadline) -> RunReport:
        w = self.workload
        env = BlockingEnv(ThreadGauge(w.tasks), Cell(), threading.Lock())
        digests: list[bytes] = [b""] * w.tasks
        errors: list[BaseException] = []

        def one(i: int) -> None:
            try:
                digests[i] = w.task(i, env)
            except BaseException as e:  # noqa: BLE001 - re-raised by run() after the joins
                errors.append(e)

        started: list[threading.Thread] = []
        try:
            with task_threads.small_stacks():
                for i in range(w.tasks):
                    t = threading.Thread(target=one, args=(i,), name=f"{self.name}-{i}",
                                         daemon=True)
                    task_threads.start(t, i + 1, w.tasks, self.name)
                    started.append(t)
        finally:
            for t in started:  # after a failed start too: no thread outlives its run
                t.join()
        if errors:
            raise errors[0]
        return RunReport(digests, env.gauge.peak, env.counter.value, env.gauge.task_ns())
