"""The execution-model interface, its limits, and the ideal run time (src/models/model.hpp).

A model is made with its worker count, prepared for one workload before the
clock starts (its loop, threads or processes made then, as Model::prepare),
run any number of times, and closed after: one fresh loop or pool per
benchmark, as pyperf's runner and pyperformance's bm_async_tree do.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from dataclasses import dataclass
from types import TracebackType
from typing import Sequence

from cvppy.params import check_workers
from cvppy.workloads.workload import Workload


@dataclass(frozen=True)
class Limits:
    """How many tasks a model can have in flight, and how many at one instant on different CPUs."""

    concurrency: int = 1
    parallelism: int = 1


@dataclass
class RunReport:
    """What one run returns: every task's digest in index order, the peak of tasks in
    flight, the shared counter's final value (shared_counter; 0 otherwise), and every
    task's latency in index order: ns from its start to its end (the gauge's enter
    and leave), 0 or less for a task that did not end (only a failed run has one)."""

    digests: list[bytes]
    peak_inflight: int
    counter: int = 0
    task_ns: Sequence[int] = ()


@dataclass(frozen=True)
class Deadline:
    """How long a part of a run may take before a model that can stop it (processes)
    does: `factor` times the expected time of its tasks, and at least `floor_s`, so
    only a hang reaches it. for_tasks(1) bounds one task (a worker's progress), so a
    hang is found in about `floor_s` whatever N, as in C++."""

    task_s: float  # the expected time of one task: its calibrated compute and its wait
    floor_s: float = 10.0
    factor: float = 20.0

    def for_tasks(self, tasks: int) -> float:
        return max(self.floor_s, self.factor * tasks * self.task_s)


class RunFailed(RuntimeError):
    """A run that did not complete: a worker died, hung, or the pool could not start."""


class Model(ABC):
    name: str = ""
    # Whether the tasks run as coroutines (task_async) on the model's own loop;
    # the others block (task). It says which preparation the workload gets.
    runs_coroutines: bool = False

    def __init__(self, workers: int) -> None:
        self.workers = check_workers(workers)
        self._workload: Workload | None = None

    @abstractmethod
    def limits(self, tasks: int, cpus: int) -> Limits: ...

    def prepare(self, workload: Workload) -> None:
        """Makes what a run of `workload` needs (loop, threads, processes) before the clock,
        and has the workload make what its blocking tasks keep (its kept connections)."""
        self._workload = workload
        if not self.runs_coroutines:
            workload.open_blocking()

    @property
    def workload(self) -> Workload:
        if self._workload is None:
            raise RuntimeError(f"{self.name}: run before prepare")
        return self._workload

    @abstractmethod
    def run(self, deadline: Deadline) -> RunReport:
        """Runs every task of the prepared workload once. Models that can stop a stuck
        run (processes) fail it when a part of it overruns `deadline`; raises RunFailed."""

    def worker_cpu_seconds(self) -> float:
        """CPU seconds so far of workers that getrusage cannot see (live, unreaped
        children); 0 for the models without such workers."""
        return 0.0

    def close(self) -> None:
        """Releases the loop, threads or processes; safe to call twice."""

    def __enter__(self) -> Model:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()


def ideal_run_time(limits: Limits, tasks: int, cpu_s: float, wait_s: float) -> float:
    """The model's own lower bound for one run, ideal_run_time of src/models/model.cpp:
    max(ceil(N/C) * (cpu + wait), ceil(N/P) * cpu + wait). Each of C slots runs its
    tasks back to back; the computes need ceil(N/P) turns of P CPUs, and the task
    whose compute ends last still has its wait to do."""
    slots = min(max(limits.concurrency, 1), tasks)
    cpus = min(max(limits.parallelism, 1), slots)
    return max(math.ceil(tasks / slots) * (cpu_s + wait_s),
               math.ceil(tasks / cpus) * cpu_s + wait_s)
