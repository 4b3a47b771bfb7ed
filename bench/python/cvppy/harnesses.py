"""One harness per workload (as bench/<workload>.cpp): its grid per profile, its workload
and the name grammar of docs/result-format.md.

    <workload>/<model>/tasks:<N>/workers:<W>[/sleep_us:<T>][/bytes:<B>][/rounds:<R>]

`sleep_us` for every workload but cpu_hash; `bytes` when B > 0; `rounds` only
when it differs from the default rounds for that size (cpu_hash). shared_counter
adds `/lock:<0|1>/wait:<0|1>`: whether a lock covers the read-modify-write, and
whether the wait sits between the read and the write (1) or after the write (0).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable

from cvppy import grid_facts
from cvppy.models import registry
from cvppy.runner import Point, Profile
from cvppy.workloads import cpu_hash, mixed
from cvppy.workloads.cpu_hash import CpuHash
from cvppy.workloads.io_sleep import IoSleep
from cvppy.workloads.mixed import Mixed
from cvppy.workloads.shared_counter import SharedCounter
from cvppy.workloads.workload import Params, Workload

# The axes a grid row may give, in bench/axes.cpp's order (so both languages
# list a row's points in the same order).
AXES = ("tasks", "workers", "sleep_us", "bytes", "rounds", "cpu_share_pct", "lock", "wait")

# The grid values (task counts, sizes, sleeps, the io_sleep run cap) and the
# rows that select models by their registry facts are in bench/grid_facts.json,
# which the C++ harnesses read too.
SLEEP_US = grid_facts.value("io_sleep.axes.sleep_us")[0]


@dataclass(frozen=True)
class Overrides:
    """Grid axes given on the command line; each replaces the profile's values."""

    models: tuple[str, ...] | None = None
    tasks: tuple[int, ...] | None = None
    workers: tuple[int, ...] | None = None
    sleep_us: tuple[int, ...] | None = None
    bytes: tuple[int, ...] | None = None
    rounds: tuple[int, ...] | None = None

    def any(self) -> bool:
        return any(v is not None for v in (self.models, self.tasks, self.workers, self.sleep_us,
                                           self.bytes, self.rounds))


@dataclass(frozen=True)
class GridRequest:
    profile: Profile
    overrides: Overrides
    cpus: int


@dataclass(frozen=True)
class Harness:
    workload: str
    summary: str
    axes: tuple[str, ...]  # workload axes accepted as flags
    grid: Callable[[GridRequest], list[Point]]
    make_workload: Callable[[Params], Workload]
    suffix: Callable[[Params], str]  # the name's parts after workers:<W>

    def benchmark_name(self, point: Point) -> str:
        p = point.params
        return (f"{self.workload}/{point.model}/tasks:{p.tasks}/workers:{point.workers}"
                + self.suffix(p))


def cross(models: list[str], tasks: list[int], workers: list[int],
          params: Callable[[int], Params]) -> list[Point]:
    """Every (model, tasks, workers), with W fixed for the models that fix it and
    duplicates dropped; `params(tasks)` gives the workload configuration."""
    out: list[Point] = []
    for model in models:
        facts = registry.find(model)
        for n in tasks:
            for w in workers:
                point = Point(model, facts.workers_for(w), params(n))
                if point not in out:
                    out.append(point)
    return out


def worth_running(point: Point) -> bool:
    """False for a model that differs from another only in how its tasks wait, at a
    point without waits: there it runs the other model's code (bench/grid.cpp)."""
    return point.params.sleep_us > 0 or not registry.find(point.model).differs_only_in_waits


def expand(workload: str, req: GridRequest, complete: Callable[[dict[str, int]], Params],
           keep: Callable[[Point], bool] = worth_running) -> list[Point]:
    """The profile's grid of `workload` from the shared facts: every row's models (by
    their registry facts) crossed with its axis values, W forced for fixed models,
    `complete` turning a row's values into the workload's Params."""
    out: list[Point] = []
    for selector, axes in grid_facts.rows(workload, req.profile.name, req.cpus):
        names = [a for a in AXES if a in axes]
        for facts in registry.MODELS:
            if not grid_facts.selects(selector, facts):
                continue
            for combo in itertools.product(*(axes[a] for a in names)):
                values = dict(zip(names, combo))
                point = Point(facts.name, facts.workers_for(values.get("workers", 1)),
                              complete(values))
                if keep(point) and point not in out:
                    out.append(point)
    return out


def _models(ov: Overrides) -> list[str]:
    return list(ov.models) if ov.models is not None else registry.names()


def _row_axis(workload: str, req: GridRequest, axis: str) -> list[int]:
    """One axis's values over every row of the profile's grid, in order."""
    out: list[int] = []
    for _, axes in grid_facts.rows(workload, req.profile.name, req.cpus):
        out += [v for v in axes.get(axis, []) if v not in out]
    return out


# io_sleep ----------------------------------------------------------------------

def fits_budget(point: Point) -> bool:
    """Only the worker series is capped: a gathered loop's run is one wait whatever N."""
    if registry.find(point.model).concurrency_rule != "W":
        return True
    runs = math.ceil(point.params.tasks / point.workers)
    return runs * point.params.sleep_us * 1e-6 <= grid_facts.value("io_sleep.max_run_s")


def io_sleep_grid(req: GridRequest) -> list[Point]:
    ov = req.overrides
    if ov.any():
        return [pt for t in (ov.sleep_us or (SLEEP_US,))
                for pt in cross(_models(ov), list(ov.tasks or (100,)),
                                list(ov.workers or (req.cpus,)),
                                lambda n, t=t: Params(tasks=n, sleep_us=t))]
    return expand("io_sleep", req, lambda v: Params(tasks=v["tasks"], sleep_us=v["sleep_us"]),
                  keep=lambda p: worth_running(p) and fits_budget(p))


def io_sleep_suffix(p: Params) -> str:
    return f"/sleep_us:{p.sleep_us}"


# cpu_hash ----------------------------------------------------------------------

def _hash_params(v: dict[str, int]) -> Params:
    rounds = v.get("rounds") or cpu_hash.default_rounds(v["bytes"])
    return Params(tasks=v["tasks"], bytes=v["bytes"], rounds=rounds)


def cpu_hash_grid(req: GridRequest) -> list[Point]:
    ov = req.overrides
    if not ov.any():
        return expand("cpu_hash", req, _hash_params)
    tasks_of = {axes["bytes"][0]: axes["tasks"][0]
                for _, axes in grid_facts.rows("cpu_hash", req.profile.name, req.cpus)
                if axes["tasks"]}
    out: list[Point] = []
    for b in ov.bytes or tuple(tasks_of):
        for r in ov.rounds or (cpu_hash.default_rounds(b),):
            out += cross(_models(ov), list(ov.tasks or (tasks_of.get(b, 512),)),
                         list(ov.workers or (req.cpus,)),
                         lambda n, b=b, r=r: Params(tasks=n, bytes=b, rounds=r))
    return out


def cpu_hash_suffix(p: Params) -> str:
    rounds = "" if p.rounds == cpu_hash.default_rounds(p.bytes) else f"/rounds:{p.rounds}"
    return f"/bytes:{p.bytes}{rounds}"


# mixed -------------------------------------------------------------------------

def mixed_grid(req: GridRequest) -> list[Point]:
    ov = req.overrides
    seconds_per_round = mixed.round_seconds()
    if not ov.any():
        return expand("mixed", req, lambda v: mixed.share_params(
            v["tasks"], v["cpu_share_pct"] / 100, seconds_per_round))
    out: list[Point] = []
    for pct in _row_axis("mixed", req, "cpu_share_pct"):
        out += cross(_models(ov), list(ov.tasks or _row_axis("mixed", req, "tasks")),
                     list(ov.workers or (req.cpus,)),
                     lambda n, s=pct / 100: mixed.share_params(n, s, seconds_per_round))
    return out


def mixed_suffix(p: Params) -> str:
    return f"/sleep_us:{p.sleep_us}" + (f"/bytes:{p.bytes}" if p.bytes > 0 else "")


# shared_counter ----------------------------------------------------------------

def _counter_params(v: dict[str, int]) -> Params:
    return Params(tasks=v["tasks"], sleep_us=v["sleep_us"], lock=bool(v["lock"]),
                  wait_between=bool(v["wait"]))


def shared_counter_grid(req: GridRequest) -> list[Point]:
    ov = req.overrides
    if not ov.any():
        return expand("shared_counter", req, _counter_params)
    out: list[Point] = []
    for t in ov.sleep_us or tuple(_row_axis("shared_counter", req, "sleep_us")):
        for lock, wait in itertools.product((0, 1), (0, 1)):
            out += cross(_models(ov), list(ov.tasks or _row_axis("shared_counter", req, "tasks")),
                         list(ov.workers or (req.cpus,)),
                         lambda n, t=t, lock=lock, wait=wait: _counter_params(
                             {"tasks": n, "sleep_us": t, "lock": lock, "wait": wait}))
    return out


def shared_counter_suffix(p: Params) -> str:
    return f"/sleep_us:{p.sleep_us}/lock:{int(p.lock)}/wait:{int(p.wait_between)}"


HARNESSES: dict[str, Harness] = {h.workload: h for h in (
    Harness("io_sleep", "simulated IO: each task waits sleep_us without using the CPU",
            ("sleep_us",), io_sleep_grid, IoSleep, io_sleep_suffix),
    Harness("cpu_hash", "CPU-bound tasks: each hashes a message with SHA-256, chained rounds",
            ("bytes", "rounds"), cpu_hash_grid, CpuHash, cpu_hash_suffix),
    Harness("mixed", "tasks of 10 ms that hash (SHA-256, 4 KiB rounds) for a share of it and "
            "wait for the rest", (), mixed_grid, Mixed, mixed_suffix),
    Harness("shared_counter", "each task reads a shared counter, waits, writes it plus one: "
            "lost updates show races", ("sleep_us",), shared_counter_grid, SharedCounter,
            shared_counter_suffix),
)}
