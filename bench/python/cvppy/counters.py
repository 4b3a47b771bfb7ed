"""The user counters of one repetition, from its timed runs (bench/tally.cpp's arithmetic).

The runner times the runs (runner.py); this module turns the samples of one
repetition into the counters every row carries, with the meaning they have in
C++: the axes, parallelism, the ideal and the efficiency, speedup when paired,
lost updates, the server's CPU, what a task cost, and its latency.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from typing import Sequence

from cvppy import task_cost
from cvppy.models.model import Limits, ideal_run_time
from cvppy.workloads.workload import Params, Workload


@dataclass
class Sample:
    """One timed run."""

    wall_s: float
    cpu_s: float
    serial_s: float | None
    peak_inflight: int
    counter: int
    server_cpu_s: float | None = None  # the server process's CPU in the run (net_rpc)
    cost: task_cost.RunCost | None = None
    task_ns: Sequence[int] = ()  # every task's latency, from the model's RunReport


def _median(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def counters(params: Params, workers: int, workload: Workload, calibrated_task_cpu_s: float,
             limits: Limits, samples: list[Sample]) -> dict[str, float]:
    """The user counters of one repetition, with the meaning they have in C++: a paired
    run's serial twin gives the time of a task, else the calibrated figure does."""
    p, w = params, workload
    paired = samples[0].serial_s is not None
    wall = sum(s.wall_s for s in samples)
    task_s = [s.serial_s / p.tasks if s.serial_s is not None else calibrated_task_cpu_s
              for s in samples]
    task_cpu_s = _median(task_s)

    def ideal(cpu_s: float) -> float:
        return ideal_run_time(limits, p.tasks, cpu_s, w.wait_s)

    c: dict[str, float] = {
        "tasks": float(p.tasks),
        "workers": float(workers),
        "sleep_us": float(p.sleep_us),
        "bytes": float(p.bytes),
        "rounds": float(p.rounds),
        "parallelism": sum(s.cpu_s for s in samples) / wall if wall > 0 else 0.0,
        "peak_inflight": float(max(s.peak_inflight for s in samples)),
        "task_cpu_us": task_cpu_s * 1e6,
        "ideal_ms": ideal(task_cpu_s) * 1e3,
        "efficiency": _median([ideal(t) / s.wall_s for t, s in zip(task_s, samples)]),
        "cpu_share": task_cpu_s / (task_cpu_s + w.wait_s) if task_cpu_s + w.wait_s > 0 else 0.0,
        "items_per_second": p.tasks * len(samples) / wall,
    }
    c.update(cost_counters(p.tasks, samples))
    c.update(latency_counters(samples))
    if p.bytes > 0:
        c["bytes_per_second"] = p.tasks * p.bytes * p.rounds * len(samples) / wall
    if paired:
        c["speedup"] = _median([s.serial_s / s.wall_s for s in samples])
    if w.name == "shared_counter":
        c["lock"] = float(p.lock)
        c["wait"] = float(p.wait_between)
        c["lost_updates"] = statistics.fmean(p.tasks - s.counter for s in samples)
    if w.name == "net_rpc":
        c["conn_per_task"] = float(p.conn_per_task)
    if w.name == "file_read":
        c["cold"] = float(p.cold)
    server = [s.server_cpu_s for s in samples if s.server_cpu_s is not None]
    if server:  # apart from parallelism: the server is no worker of the model
        c["server_cpu_ms"] = 1e3 * statistics.median(server)
    return c


def cost_counters(tasks: int, samples: list[Sample]) -> dict[str, float]:
    """What a task cost: switches, user and kernel memory (task_cost.per_task_counters)."""
    return task_cost.per_task_counters(
        tasks, [(s.cost, s.peak_inflight) for s in samples if s.cost is not None])


def nearest_rank(ascending: Sequence[int], percent: int) -> int:
    """The nearest-rank `percent`th percentile (1 to 100) of values in ascending
    order, as src/models/task_latency.cpp: the value at rank ceil(percent * n / 100),
    always one of the values. 0 for none."""
    if not 1 <= percent <= 100:
        raise ValueError(f"percentile {percent}; allowed: 1 to 100")
    if not ascending:
        return 0
    return ascending[(percent * len(ascending) + 99) // 100 - 1]


def latency_counters(samples: list[Sample]) -> dict[str, float]:
    """latency_p50_ms and latency_p99_ms over every task of every run, as C++'s Tally:
    each task's time from its start to its end (for a wait, T and its lateness)."""
    ns = sorted(n for s in samples for n in s.task_ns)
    if not ns:
        return {}
    return {"latency_p50_ms": nearest_rank(ns, 50) / 1e6,
            "latency_p99_ms": nearest_rank(ns, 99) / 1e6}
