"""py_processes: W worker processes forked once per benchmark, before the clock, and
fed chunks of task indices (the twin of the C++ process_pool model).

concurrent.futures.ProcessPoolExecutor with the fork start method, not
multiprocessing.Pool: a Pool whose worker dies replaces the worker and waits
forever for the lost chunk; the executor notices the death at once (it
watches every worker's sentinel), fails the run, and its manager terminates
and joins the rest, so no zombie is left. The chunks are those
multiprocessing.Pool.map would make: chunksize = ceil(N / (4 W)).

The workers inherit the workload (with its messages), the gauge and the
shared counter at fork, so a chunk travels as two integers and returns its
digests. getrusage cannot see the workers' CPU (RUSAGE_CHILDREN counts only
reaped children, and these live on between runs), so worker_cpu_seconds sums
each worker's /proc/<pid>/schedstat run time, in nanoseconds, before and after
a run.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.process
import os
import signal
import threading
from concurrent.futures import FIRST_EXCEPTION, Future, ProcessPoolExecutor, wait
from typing import Any

from cvppy.models.gauge import SharedGauge
from cvppy.models.model import Limits, Model, RunFailed, RunReport
from cvppy.workloads.workload import BlockingEnv, Workload

START_TIMEOUT_S = 10.0

# The worker process's own state, written once by the pool's initializer in
# each worker (a pool's documented way to hand workers what they inherit);
# the parent never writes it.
_worker: dict[str, Any] = {}


def _init_worker(workload: Workload, env: BlockingEnv, barrier: threading.Barrier) -> None:
    # A worker dies of SIGTERM or SIGINT as C code would, not with a traceback:
    # the parent reports it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _worker.update(workload=workload, env=env, barrier=barrier)


def _started() -> int:
    """Waits until every worker runs one of these, so each starts in a distinct worker."""
    _worker["barrier"].wait(START_TIMEOUT_S)
    return os.getpid()


def _run_chunk(start: int, stop: int) -> list[bytes]:
    workload: Workload = _worker["workload"]
    env: BlockingEnv = _worker["env"]
    return [workload.task(i, env) for i in range(start, stop)]


def pool_map_chunksize(tasks: int, workers: int) -> int:
    """multiprocessing.Pool.map's choice: about four chunks per worker."""
    chunksize, extra = divmod(tasks, workers * 4)
    return chunksize + 1 if extra else chunksize


def schedstat_seconds(pid: int) -> float:
    """CPU time a task has run, from /proc/<pid>/schedstat (nanoseconds, first field)."""
    try:
        with open(f"/proc/{pid}/schedstat", encoding="ascii") as f:
            return int(f.read().split()[0]) * 1e-9
    except (OSError, ValueError, IndexError):
        return 0.0  # gone: the run fails anyway


def describe_exit(exitcode: int) -> str:
    if exitcode < 0:
        return f"was killed by signal {-exitcode} ({signal.Signals(-exitcode).name})"
    return f"exited with status {exitcode}"


class ProcessesModel(Model):
    name = "py_processes"

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self._pool: ProcessPoolExecutor | None = None
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._env: BlockingEnv | None = None
        self._submitted: list[Future] = []  # the last run's chunks, until they are collected

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(self.workers, min(self.workers, cpus))

    def prepare(self, workload: Workload) -> None:
        super().prepare(workload)
        self.close()
        ctx = multiprocessing.get_context("fork")
        counter = ctx.Value("q", 0)  # shared memory with its own lock
        self._env = BlockingEnv(SharedGauge(ctx), counter, counter.get_lock())
        self._pool = ProcessPoolExecutor(self.workers, mp_context=ctx, initializer=_init_worker,
                                         initargs=(workload, self._env, ctx.Barrier(self.workers)))
        # With fork the executor starts all W workers at the first submit.
        started = [self._pool.submit(_started) for _ in range(self.workers)]
        # Kept for their pids and exit codes: the executor reaps a dead worker
        # itself. (_processes is the executor's table of its workers; no public
        # API has it.)
        self._processes = list(getattr(self._pool, "_processes", {}).values())
        self._collect(started, START_TIMEOUT_S * 2, "starting the workers")

    def worker_cpu_seconds(self) -> float:
        return sum(schedstat_seconds(p.pid) for p in self._processes if p.pid is not None)

    def run(self, timeout_s: float) -> RunReport:
        if self._pool is None or self._env is None:
            raise RuntimeError(f"{self.name}: run before prepare")
        w, env = self.workload, self._env
        env.gauge.reset()
        env.counter.value = 0
        size = pool_map_chunksize(w.tasks, self.workers)
        self._submitted = [self._pool.submit(_run_chunk, start, min(start + size, w.tasks))
                           for start in range(0, w.tasks, size)]
        chunks = self._collect(self._submitted, timeout_s, "the run")
        self._submitted = []
        return RunReport([d for chunk in chunks for d in chunk], env.gauge.peak,
                         env.counter.value)

    def _collect(self, futures: list[Future], timeout_s: float, what: str) -> list[Any]:
        """The futures' results in order; RunFailed naming the worker that died, or
        after timeout_s with every worker killed."""
        done, pending = wait(futures, timeout=timeout_s, return_when=FIRST_EXCEPTION)
        failed = [f for f in done if f.exception() is not None]
        if failed:
            raise RunFailed(self._death_message(failed[0].exception()))
        if pending:
            self._kill_workers()
            self._shutdown_pool()
            raise RunFailed(f"{what} did not finish within {timeout_s:.0f} s; workers killed")
        return [f.result() for f in futures]

    def _death_message(self, error: BaseException | None) -> str:
        # The executor's manager reaps the dead worker and terminates (SIGTERM)
        # the others; once it has joined them all, every exit code is known.
        self._shutdown_pool()
        codes = [(p.pid, p.exitcode) for p in self._processes]
        dead = [(pid, c) for pid, c in codes if c not in (None, 0, -signal.SIGTERM)]
        dead = dead or [(pid, c) for pid, c in codes if c not in (None, 0)]
        if dead:
            pid, code = dead[0]
            return f"worker process {pid} {describe_exit(code)}"
        return f"worker pool failed: {error}"

    def _kill_workers(self) -> None:
        for p in self._processes:
            if p.pid is not None and p.exitcode is None:
                try:
                    os.kill(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def _shutdown_pool(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        # Closed in the middle of a run (an interrupt, a termination): the
        # workers would finish their chunks first; they are stopped instead.
        if any(not f.done() for f in self._submitted):
            self._kill_workers()
        self._submitted = []
        self._shutdown_pool()
        for p in self._processes:
            p.join()  # already joined by the executor; makes sure no zombie is left
        self._processes = []
        self._env = None
