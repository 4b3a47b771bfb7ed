"""py_threads_n: N threading.Threads made before timing, each running one task per run
(src/models/threads_n.cpp).

A thread per task without the cost of starting it: beside py_thread_per_task it
separates what a thread costs to make from what it costs to hold and wake.
Each thread waits on a lock of its own, released once per run, so a run
wakes each thread once instead of N threads racing for one condition.
"""

from __future__ import annotations

import threading

from cvppy.models import task_threads
from cvppy.models.gauge import ThreadGauge
from cvppy.models.model import Deadline, Limits, Model, RunReport
from cvppy.workloads.workload import BlockingEnv, Cell, Workload


class ThreadsNModel(Model):
    name = "py_threads_n"

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self._threads: list[threading.Thread] = []
        self._gates: list[threading.Lock] = []
        self._stopping = False
        self._done = threading.Lock()
        self._count_lock = threading.Lock()
        self._remaining = 0
        self._env = BlockingEnv(ThreadGauge(0), Cell(), threading.Lock())
        self._digests: list[bytes] = []
        self._errors: list[BaseException] = []

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(tasks, min(tasks, cpus))

    def prepare(self, workload: Workload) -> None:
        super().prepare(workload)
        if len(self._threads) == workload.tasks:
            return
        self.close()
        self._stopping = False
        with task_threads.small_stacks():
            for k in range(workload.tasks):
                gate = threading.Lock()
                gate.acquire()  # closed until a run opens it
                t = threading.Thread(target=self._serve, args=(k, gate),
                                     name=f"{self.name}-{k}", daemon=True)
                try:
                    task_threads.start(t, k + 1, workload.tasks, self.name)
                except BaseException:
                    self.close()  # the threads made so far
                    raise
                self._threads.append(t)
                self._gates.append(gate)

    def _serve(self, k: int, gate: threading.Lock) -> None:
        while True:
            gate.acquire()
            if self._stopping:
                return
            try:
                self._digests[k] = self.workload.task(k, self._env)
            except BaseException as e:  # noqa: BLE001 - re-raised by run()
                self._errors.append(e)
            with self._count_lock:
                self._remaining -= 1
                if self._remaining == 0:
                    self._done.release()

    def run(self, deadline: Deadline) -> RunReport:
        w = self.workload
        self.prepare(w)  # without prepare for this N, the pool is made here, inside the run
        self._env = BlockingEnv(ThreadGauge(w.tasks), Cell(), threading.Lock())
        self._digests = [b""] * w.tasks
        self._errors = []
        self._remaining = w.tasks
        self._done.acquire(blocking=False)  # closed: the last task opens it
        for gate in self._gates:
            gate.release()
        self._done.acquire()
        if self._errors:
            raise self._errors[0]
        return RunReport(self._digests, self._env.gauge.peak, self._env.counter.value,
                         self._env.gauge.task_ns())

    def close(self) -> None:
        self._stopping = True
        for gate in self._gates:
            gate.release()
        for t in self._threads:
            t.join()
        self._threads, self._gates = [], []
