"""py_threads: concurrent.futures.ThreadPoolExecutor(W) (the twin of src/models/tbb.cpp).

Concurrent up to W; parallel only where the work releases the GIL (hashlib
does for messages of 2048 bytes or more; the rest of a task holds it).
"""

from __future__ import annotations

import itertools
import os
import resource
import threading
from concurrent.futures import Future, ThreadPoolExecutor

from cvppy.models.gauge import ThreadGauge
from cvppy.models.model import Deadline, Limits, Model, RunFailed, RunReport
from cvppy.workloads.workload import BlockingEnv, Cell, Workload

START_TIMEOUT_S = 10.0


def started_thread_pool(workers: int, prefix: str) -> ThreadPoolExecutor:
    """A ThreadPoolExecutor whose W threads all exist already.

    The executor starts a thread per submit while none is idle, so W tasks
    that wait for each other at a barrier make exactly W threads: a run then
    times the model, not thread creation."""
    pool = ThreadPoolExecutor(workers, thread_name_prefix=prefix)
    barrier = threading.Barrier(workers)
    started: list[Future] = []
    try:
        for _ in range(workers):
            started.append(pool.submit(barrier.wait, START_TIMEOUT_S))
    except RuntimeError as e:  # "can't start new thread": CPython gives no errno
        cause = thread_limit_cause(len(os.listdir("/proc/self/task")))  # before they leave
        barrier.abort()  # the threads already started leave the barrier at once
        pool.shutdown(wait=True, cancel_futures=True)
        raise RunFailed(f"cannot start thread {len(started) + 1} of {workers}: {e}"
                        f"{cause}") from None
    for f in started:
        f.result()
    return pool


def thread_limit_cause(threads: int) -> str:
    """Why a thread could not start, as far as the limits tell (CPython says only
    "can't start new thread"), given this process's thread count: RLIMIT_NPROC counts
    the user's threads, every process's; RLIMIT_AS must leave room for a thread's
    stack. Empty if neither is set."""
    nproc, _ = resource.getrlimit(resource.RLIMIT_NPROC)
    as_bytes, _ = resource.getrlimit(resource.RLIMIT_AS)
    if nproc != resource.RLIM_INFINITY and threads >= nproc:
        return f" (RLIMIT_NPROC {nproc} reached)"
    if as_bytes != resource.RLIM_INFINITY:
        return f" (RLIMIT_AS is {as_bytes >> 20} MiB: no room for another thread's stack?)"
    if nproc != resource.RLIM_INFINITY:
        return (f" (RLIMIT_NPROC is {nproc}: {threads} threads here, and the user's other "
                "processes count too)")
    return ""


class ThreadsModel(Model):
    name = "py_threads"

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self._pool: ThreadPoolExecutor | None = None

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(self.workers, min(self.workers, cpus))

    def prepare(self, workload: Workload) -> None:
        super().prepare(workload)
        self.close()
        self._pool = started_thread_pool(self.workers, self.name)

    def run(self, deadline: Deadline) -> RunReport:
        if self._pool is None:
            raise RuntimeError(f"{self.name}: run before prepare")
        w = self.workload
        env = BlockingEnv(ThreadGauge(w.tasks), Cell(), threading.Lock())
        digests = list(self._pool.map(w.task, range(w.tasks), itertools.repeat(env, w.tasks)))
        return RunReport(digests, env.gauge.peak, env.counter.value, env.gauge.task_ns())

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
