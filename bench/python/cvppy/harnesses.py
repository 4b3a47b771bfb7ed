"""One harness per workload (as bench/<workload>.cpp): its grid per profile, its workload
and the name grammar of docs/result-format.md.

    <workload>/<model>/tasks:<N>/workers:<W>[/sleep_us:<T>][/bytes:<B>][/rounds:<R>]

`sleep_us` for every workload but cpu_hash; `bytes` when B > 0; `rounds` only
when it differs from the default rounds for that size (cpu_hash). shared_counter
adds `/lock:<0|1>/wait:<0|1>`: whether a lock covers the read-modify-write, and
whether the wait sits between the read and the write (1) or after the write (0).
net_rpc adds `/conn_per_task:<0|1>` after its sleep_us (the server's delay) and bytes.
file_read has no sleep_us: `/bytes:<B>/cold:<0|1>` (the page cache dropped before each run).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable

from cvppy import grid_facts, net_server
from cvppy.models import registry
from cvppy.runner import Point, Profile
from cvppy.workloads import cpu_hash, file_read, mixed
from cvppy.workloads.cpu_hash import CpuHash
from cvppy.workloads.io_sleep import IoSleep
from cvppy.workloads.mixed import Mixed
from cvppy.workloads.net_rpc import NetRpc
from cvppy.workloads.shared_counter import SharedCounter
from cvppy.workloads.workload import Params, Workload

# The axes a grid row may give, in bench/axes.cpp's order (so both languages
# list a row's points in the same order).
AXES = ("tasks", "workers", "sleep_us", "bytes", "rounds", "cpu_share_pct", "lock", "wait",
        "conn_per_task", "cold")

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
    conn_per_task: tuple[int, ...] | None = None
    cold: tuple[int, ...] | None = None

    def any(self) -> bool:
        return any(v is not None for v in (self.models, self.tasks, self.workers, self.sleep_us,
                                           self.bytes, self.rounds, self.conn_per_task,
                                           self.cold))


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
    make_workload: Callable[..., Workload]  # Params, then `options` as keywords
    suffix: Callable[[Params], str]  # the name's parts after workers:<W>
    options: tuple[str, ...] = ()  # flags that are no axis, given to make_workload (data_dir)

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
    `complete` turning a row's values into the workload's Params; tasks stop at the
    workload's caps for the models they select."""
    out: list[Point] = []
    for selector, axes in grid_facts.rows(workload, req.profile.name, req.cpus):
        names = [a for a in AXES if a in axes]
        for facts in registry.MODELS:
            if not grid_facts.selects(selector, facts):
                continue
            most = grid_facts.max_tasks(workload, req.profile.name, facts)
            for combo in itertools.product(*(axes[a] for a in names)):
                values = dict(zip(names, combo))
                if most is not None and values["tasks"] > most:
                    continue
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

def fits_budget(point: Point, workload: str = "io_sleep") -> bool:
    """Only the worker series is capped: a gathered loop's run is one wait whatever N."""
    if registry.find(point.model).concurrency_rule != "W":
        return True
    runs = math.ceil(point.params.tasks / point.workers)
    return runs * point.params.sleep_us * 1e-6 <= grid_facts.value(f"{workload}.max_run_s")


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


# net_rpc -----------------------------------------------------------------------

def _net_rpc_params(v: dict[str, int]) -> Params:
    return Params(tasks=v["tasks"], sleep_us=v["sleep_us"], bytes=v["bytes"],
                  conn_per_task=bool(v["conn_per_task"]))


def net_rpc_grid(req: GridRequest) -> list[Point]:
    ov = req.overrides
    # Every model, whatever its delay: a task always waits on its socket.
    if not ov.any():
        return expand("net_rpc", req, _net_rpc_params, keep=lambda p: fits_budget(p, "net_rpc"))
    out: list[Point] = []
    given = {"sleep_us": ov.sleep_us, "bytes": ov.bytes, "conn_per_task": ov.conn_per_task}
    values = [given[a] or _row_axis("net_rpc", req, a) for a in given]
    for t, b, c in itertools.product(*values):
        out += cross(_models(ov), list(ov.tasks or (100,)), list(ov.workers or (req.cpus,)),
                     lambda n, t=t, b=b, c=c: _net_rpc_params(
                         {"tasks": n, "sleep_us": t, "bytes": b, "conn_per_task": c}))
    return out


def net_rpc_suffix(p: Params) -> str:
    return f"/sleep_us:{p.sleep_us}/bytes:{p.bytes}/conn_per_task:{int(p.conn_per_task)}"


def make_net_rpc(params: Params) -> NetRpc:
    """The workload on the shared server, started by the first one, before any timing."""
    return NetRpc(params, net_server.shared_server())


# file_read ---------------------------------------------------------------------

def _file_read_params(v: dict[str, int]) -> Params:
    return Params(tasks=v["tasks"], bytes=v["bytes"], cold=bool(v["cold"]))


def file_read_grid(req: GridRequest) -> list[Point]:
    ov = req.overrides
    # Every model: a read is a wait, which the one-at-a-time loops await or block in.
    if not ov.any():
        return expand("file_read", req, _file_read_params, keep=lambda p: True)
    out: list[Point] = []
    given = {"bytes": ov.bytes, "cold": ov.cold}
    for b, c in itertools.product(*(given[a] or _row_axis("file_read", req, a) for a in given)):
        out += cross(_models(ov), list(ov.tasks or (100,)), list(ov.workers or (req.cpus,)),
                     lambda n, b=b, c=c: _file_read_params({"tasks": n, "bytes": b, "cold": c}))
    return out


def file_read_suffix(p: Params) -> str:
    return f"/bytes:{p.bytes}/cold:{int(p.cold)}"


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
    Harness("net_rpc", "real IO: each task asks a server process over loopback TCP and hashes "
            "its reply", ("sleep_us", "bytes", "conn_per_task"), net_rpc_grid, make_net_rpc,
            net_rpc_suffix),
    Harness("file_read", "disk IO: each task reads bytes at an offset of a 64 MiB file made "
            "before timing, its page cache warm or dropped (cold)", ("bytes", "cold"),
            file_read_grid, file_read.make, file_read_suffix, options=("data_dir",)),
)}
