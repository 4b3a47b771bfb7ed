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
digests; its tasks' latencies need not travel with them: the workers stamp
them in the gauge's shared arrays, as the C++ workers do in a shared mapping. getrusage cannot see the workers' CPU (RUSAGE_CHILDREN counts only
reaped children, and these live on between runs), so worker_cpu_seconds sums
each worker's /proc/<pid>/schedstat run time, in nanoseconds, before and after
a run.

Nothing is left behind: a worker dies with the harness (PR_SET_PDEATHSIG),
a worker that spends on one task longer than its deadline (20 x the task's
expected time, at least 10 s: near the C++ progress timeout whatever N is)
is killed and named, a run in which no chunk comes back for 20 x a chunk's
expected time (at least 10 s) fails, and
the pool is torn down within a bounded time, the workers killed if they do
not leave, so neither the run nor the exit-time join of multiprocessing can
hang on a stopped or stuck worker.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.process
import os
import signal
import threading
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Iterator

from cvppy import sysinfo
from cvppy.models.gauge import SharedGauge
from cvppy.models.model import Deadline, Limits, Model, RunFailed, RunReport
from cvppy.workloads.workload import BlockingEnv, Workload

START_TIMEOUT_S = 10.0
JOIN_TIMEOUT_S = 5.0  # for each step of a teardown: leaving when asked, then after SIGKILL
MANAGER_CHECK_S = 1.0  # how often a waiting run looks whether the executor's thread is alive


@dataclass(frozen=True)
class Ledger:
    """Shared memory in which each worker says, in its own slot, its pid and since when
    (CLOCK_MONOTONIC ns, the same clock in every process) it runs its current task:
    0 when it holds no chunk."""

    next_slot: Any  # multiprocessing.Value
    pids: Any  # multiprocessing.Array, one slot per worker
    busy_since_ns: Any

    @classmethod
    def make(cls, ctx: multiprocessing.context.BaseContext, workers: int) -> Ledger:
        return cls(ctx.Value("i", 0), ctx.Array("q", workers, lock=False),
                   ctx.Array("q", workers, lock=False))


# The worker process's own state, written once by the pool's initializer in
# each worker (a pool's documented way to hand workers what they inherit);
# the parent never writes it.
_worker: dict[str, Any] = {}


def _init_worker(parent_pid: int, workload: Workload, env: BlockingEnv,
                 barrier: threading.Barrier, ledger: Ledger) -> None:
    sysinfo.die_with_parent(parent_pid)
    # A worker dies of SIGTERM, SIGHUP or SIGINT as C code would, not with the
    # parent's handlers and a traceback: the parent reports it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
    with ledger.next_slot.get_lock():
        slot = ledger.next_slot.value
        ledger.next_slot.value += 1
    ledger.pids[slot] = os.getpid()
    _worker.update(workload=workload, env=env, barrier=barrier, ledger=ledger, slot=slot)


def _started() -> int:
    """Waits until every worker runs one of these, so each starts in a distinct worker."""
    _worker["barrier"].wait(START_TIMEOUT_S)
    return os.getpid()


def _run_chunk(start: int, stop: int) -> list[bytes]:
    workload: Workload = _worker["workload"]
    env: BlockingEnv = _worker["env"]
    ledger: Ledger = _worker["ledger"]
    slot: int = _worker["slot"]
    digests = []
    try:
        for i in range(start, stop):
            # Stamped per task, not per chunk: a chunk is N/(4W) tasks, so a deadline
            # on the chunk grows with N (50 s at N = 2000 of 10 ms), while one on a
            # task finds a stopped worker in about 10 s whatever N is.
            ledger.busy_since_ns[slot] = time.monotonic_ns()
            digests.append(workload.task(i, env))
        return digests
    finally:
        ledger.busy_since_ns[slot] = 0


def pool_map_chunksize(tasks: int, workers: int) -> int:
    """multiprocessing.Pool.map's choice: about four chunks per worker."""
    chunksize, extra = divmod(tasks, workers * 4)
    return chunksize + 1 if extra else chunksize


def schedstat_seconds(pid: int) -> float:
    """CPU time a worker has run (sysinfo.schedstat_seconds); 0 once it is gone."""
    try:
        return sysinfo.schedstat_seconds(pid)
    except (OSError, ValueError, IndexError):
        return 0.0  # gone: the run fails anyway


def describe_exit(exitcode: int) -> str:
    if exitcode < 0:
        return f"was killed by signal {-exitcode} ({signal.Signals(-exitcode).name})"
    return f"exited with status {exitcode}"


@contextlib.contextmanager
def deferred_signals() -> Iterator[None]:
    """Holds SIGTERM, SIGHUP and SIGINT back until the block ends, then delivers them to
    the handlers they had: a teardown cut short would leave workers for the exit-time
    join of multiprocessing to wait on. Only the main thread can set handlers."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []
    held = (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
    previous = {s: signal.signal(s, lambda signum, frame: caught.append(signum)) for s in held}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in dict.fromkeys(caught):
            signal.raise_signal(s)


def _kill(processes: list[multiprocessing.process.BaseProcess]) -> None:
    for p in processes:
        if p.pid is not None and p.exitcode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(p.pid, signal.SIGKILL)


def _join_all(processes: list[multiprocessing.process.BaseProcess], timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    for p in processes:
        if p.pid is not None:
            p.join(max(0.0, deadline - time.monotonic()))


class ProcessesModel(Model):
    name = "py_processes"

    def __init__(self, workers: int) -> None:
        super().__init__(workers)
        self._pool: ProcessPoolExecutor | None = None
        self._processes: list[multiprocessing.process.BaseProcess] = []
        self._env: BlockingEnv | None = None
        self._ledger: Ledger | None = None
        self._submitted: list[Future] = []  # the last run's chunks, until they are collected

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(self.workers, min(self.workers, cpus))

    def prepare(self, workload: Workload) -> None:
        super().prepare(workload)
        self.close()
        ctx = multiprocessing.get_context("fork")
        counter = ctx.Value("q", 0)  # shared memory with its own lock
        self._env = BlockingEnv(SharedGauge(ctx, workload.tasks), counter, counter.get_lock())
        self._ledger = Ledger.make(ctx, self.workers)
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=ctx, initializer=_init_worker,
            initargs=(os.getpid(), workload, self._env, ctx.Barrier(self.workers),
                      self._ledger))
        # With fork the executor starts all W workers at the first submit.
        try:
            started = [self._pool.submit(_started) for _ in range(self.workers)]
        except (OSError, RuntimeError) as e:  # no pipe, process or thread left (ulimit -n, -u)
            self._teardown(kill=True)
            raise RunFailed(f"cannot start {self.workers} worker processes: {e}") from None
        self._processes = self._pool_processes()
        self._collect(started, START_TIMEOUT_S * 2, "starting the workers")

    def _pool_processes(self) -> list[multiprocessing.process.BaseProcess]:
        """The executor's workers: kept for their pids and exit codes, as the executor
        reaps a dead worker itself. (_processes is the executor's table of its
        workers; no public API has it.)"""
        table = getattr(self._pool, "_processes", None) or {}
        return list(table.values())

    def worker_cpu_seconds(self) -> float:
        return sum(schedstat_seconds(p.pid) for p in self._processes if p.pid is not None)

    def run(self, deadline: Deadline) -> RunReport:
        if self._pool is None or self._env is None:
            raise RuntimeError(f"{self.name}: run before prepare")
        w, env = self.workload, self._env
        env.gauge.reset()
        env.counter.value = 0
        size = pool_map_chunksize(w.tasks, self.workers)
        self._submitted = [self._pool.submit(_run_chunk, start, min(start + size, w.tasks))
                           for start in range(0, w.tasks, size)]
        chunks = self._collect(self._submitted, deadline.for_tasks(1), "the run",
                               run_limit_s=deadline.for_tasks(size))
        self._submitted = []
        return RunReport([d for chunk in chunks for d in chunk], env.gauge.peak,
                         env.counter.value, env.gauge.task_ns())

    def _collect(self, futures: list[Future], limit_s: float, what: str,
                 run_limit_s: float | None = None) -> list[Any]:
        """The futures' results in order; RunFailed naming the worker that died, or the
        one that spent limit_s on one task, killed; or, when no future completed for
        run_limit_s (limit_s if not given), the run's failure with every worker killed."""
        run_limit_s = limit_s if run_limit_s is None else run_limit_s
        pending = set(futures)
        last_progress = time.monotonic()
        while pending:
            timeout = min(self._next_check(last_progress, limit_s, run_limit_s),
                          MANAGER_CHECK_S)
            done, pending = wait(pending, timeout=timeout, return_when=FIRST_COMPLETED)
            failed = [f for f in done if f.exception() is not None]
            if failed:
                raise RunFailed(self._death_message(failed[0].exception()))
            if pending and not self._manager_alive():
                self._teardown(kill=True)
                raise RunFailed(f"{what}: the pool's manager thread ended (see above); "
                                "workers killed")
            if done:
                last_progress = time.monotonic()
            # Looked at even when a chunk came back: the other workers' progress must
            # not hide one that is stuck.
            if pending:
                self._fail_if_stuck(last_progress, limit_s, run_limit_s, what)
        return [f.result() for f in futures]

    def _manager_alive(self) -> bool:
        """Whether the executor's thread that feeds and watches the workers still runs
        (it ends when it cannot start its queue's feeder thread, under ulimit -u)."""
        manager = getattr(self._pool, "_executor_manager_thread", None)
        return manager is not None and manager.is_alive()

    def _busy(self) -> list[tuple[int, float]]:
        """(pid, seconds holding its chunk) of every worker holding one."""
        if self._ledger is None:
            return []
        now = time.monotonic_ns()
        return [(pid, (now - since) * 1e-9)
                for pid, since in zip(self._ledger.pids, self._ledger.busy_since_ns)
                if since != 0]

    def _next_check(self, last_progress: float, limit_s: float, run_limit_s: float) -> float:
        """Seconds until the earliest moment a task or the whole run can overrun."""
        held = max((s for _, s in self._busy()), default=0.0)
        return max(0.01, min(limit_s - held, last_progress + run_limit_s - time.monotonic()))

    def _fail_if_stuck(self, last_progress: float, limit_s: float, run_limit_s: float,
                       what: str) -> None:
        busy = sorted(self._busy(), key=lambda b: -b[1])
        stuck = [pid for pid, held in busy if held >= limit_s]
        if not stuck and time.monotonic() - last_progress < run_limit_s:
            return
        self._teardown(kill=True)
        if stuck or busy:
            pid, limit = (stuck[0], limit_s) if stuck else (busy[0][0], run_limit_s)
            raise RunFailed(f"worker process {pid} made no progress in {what} within "
                            f"{limit:.1f} s; killed")
        raise RunFailed(f"{what} made no progress within {run_limit_s:.1f} s; workers killed")

    def _death_message(self, error: BaseException | None) -> str:
        # The worker that died is gone before the teardown kills any straggler;
        # the executor's manager terminates (SIGTERM) the others.
        died = [(p.pid, p.exitcode) for p in self._processes
                if p.exitcode not in (None, 0, -signal.SIGTERM)]
        self._teardown(kill=False)
        codes = [(p.pid, p.exitcode) for p in self._processes]
        dead = died or [(pid, c) for pid, c in codes if c not in (None, 0)]
        if dead:
            pid, code = dead[0]
            return f"worker process {pid} {describe_exit(code)}"
        return f"worker pool failed: {error}"

    def _teardown(self, kill: bool) -> None:
        """Ends the pool within a bounded time: asks the workers to leave (or kills them),
        kills those still there after JOIN_TIMEOUT_S, and joins them all, with
        SIGTERM and SIGHUP held back meanwhile."""
        with deferred_signals():
            processes = list({id(p): p for p in self._processes + self._pool_processes()}
                             .values())
            pool, self._pool = self._pool, None
            manager = getattr(pool, "_executor_manager_thread", None)
            manager_running = manager is not None and manager.is_alive()
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
            if kill or not manager_running:  # without its manager, no worker is told to leave
                _kill(processes)
            _join_all(processes, JOIN_TIMEOUT_S)
            _kill(processes)
            _join_all(processes, JOIN_TIMEOUT_S)
            if manager_running:
                manager.join(JOIN_TIMEOUT_S)
            self._processes = self._processes or processes

    def close(self) -> None:
        # Closed in the middle of a run (an interrupt, a termination): the
        # workers would finish their chunks first; they are stopped instead.
        self._teardown(kill=any(not f.done() for f in self._submitted))
        self._submitted = []
        self._processes = []
        self._env = None
        self._ledger = None
