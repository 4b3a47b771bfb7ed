"""One harness per workload (as bench/<workload>.cpp): its grid per profile, its workload
and the name grammar of docs/result-format.md.

    <workload>/<model>/tasks:<N>/workers:<W>[/sleep_us:<T>][/bytes:<B>][/rounds:<R>]

`sleep_us` for every workload but cpu_hash; `bytes` when B > 0; `rounds` only
when it differs from the default rounds for that size (cpu_hash). shared_counter
adds `/lock:<0|1>/wait:<0|1>`: whether a lock covers the read-modify-write, and
whether the wait sits between the read and the write (1) or after the write (0).
net_rpc adds `/conn_per_task:<0|1>` after its sleep_us (the server's delay) and bytes.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import Callable

from cvppy import net_server
from cvppy.models import registry
from cvppy.runner import Point, Profile
from cvppy.workloads import cpu_hash, mixed
from cvppy.workloads.cpu_hash import CpuHash
from cvppy.workloads.io_sleep import IoSleep
from cvppy.workloads.mixed import Mixed
from cvppy.workloads.net_rpc import NetRpc
from cvppy.workloads.shared_counter import SharedCounter
from cvppy.workloads.workload import Params, Workload

SLEEP_US = 10_000  # io_sleep: 10 ms, a slow network round trip, as bench/harnesses/io_sleep.cpp
# The longest one run of a thread or process io_sleep series, in every profile:
# the same cap as bench/harnesses/io_sleep.cpp's, so both grids hold the same points.
MAX_RUN_S = 0.25

ONE_THREAD = ["py_serial", "py_asyncio_sequential", "py_asyncio_blocking"]
LOOPS = ["py_asyncio", "py_uvloop"]
POOLS = ["py_threads", "py_asyncio_offload", "py_processes"]

# cpu_hash: tasks per message size for about 50 ms per serial run in CPython
# (a 64-byte message chained 256 rounds costs some 150 us here, 4 KiB x 16 and
# 64 KiB some 50 us), so each size is timed as long as the others and five
# repetitions of the grid fit the default profile's budget.
CPU_HASH_SIZES = {"quick": ((64, 192), (65536, 512)),
                  "default": ((64, 384), (4096, 1024), (65536, 1024)),
                  # 1 MiB: where hashing dwarfs the per-call cost, to show where
                  # the threads' time goes at 4 KiB and 64 KiB.
                  "full": ((64, 768), (4096, 2048), (65536, 2048), (1 << 20, 128))}

MIXED_TASKS = 8  # as bench/harnesses/mixed.cpp
MIXED_SHARES = {"quick": (0.0, 0.5, 1.0), "default": (0.0, 0.5, 1.0),
                "full": (0.0, 0.1, 0.25, 0.5, 0.75, 1.0)}

COUNTER_SLEEP_US = 1000
COUNTER_TASKS = {"quick": 20, "default": 50, "full": 100}
COUNTER_VARIANTS = ((False, True), (True, True), (False, False), (True, False))  # (lock, wait)


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

    def any(self) -> bool:
        return any(v is not None for v in (self.models, self.tasks, self.workers, self.sleep_us,
                                           self.bytes, self.rounds, self.conn_per_task))


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


def worker_counts(cpus: int, profile: Profile) -> list[int]:
    """1, 2, 4, ... up to the usable CPUs, the CPUs themselves, then 2x (and 4x in
    full) for oversubscription: the grid follows the machine."""
    counts = {1 << k for k in range(cpus.bit_length()) if 1 << k <= cpus} | {cpus, 2 * cpus}
    if profile.name == "full":
        counts.add(4 * cpus)
    return sorted(counts)


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


def _models(ov: Overrides) -> list[str]:
    return list(ov.models) if ov.models is not None else registry.names()


# io_sleep ----------------------------------------------------------------------

def io_sleep_grid(req: GridRequest) -> list[Point]:
    ov, name = req.overrides, req.profile.name
    if ov.any():
        return [pt for t in (ov.sleep_us or (SLEEP_US,))
                for pt in cross(_models(ov), list(ov.tasks or (100,)),
                                list(ov.workers or (req.cpus,)),
                                lambda n, t=t: Params(tasks=n, sleep_us=t))]
    params = lambda n: Params(tasks=n, sleep_us=SLEEP_US)  # noqa: E731
    # One task after another: 10 show the line N waits make; 100 would cost a second a run.
    out = cross(ONE_THREAD, {"quick": [1, 4], "default": [1, 10], "full": [1, 10, 100]}[name],
                [1], params)
    out += cross(LOOPS, {"quick": [1, 100, 1000], "default": [1, 10, 100, 1000, 10000],
                         "full": [1, 10, 100, 1000, 10000, 100000]}[name], [1], params)
    workers = {"quick": [1, 2, 4], "default": [1, 2, 4, 8], "full": [1, 2, 4, 8, 16, 64]}[name]
    tasks = {"quick": [8], "default": [10, 100], "full": [10, 100, 1000]}[name]
    for model in POOLS:
        for w in workers:
            for n in tasks:
                if math.ceil(n / w) * SLEEP_US * 1e-6 <= MAX_RUN_S:
                    out += cross([model], [n], [w], params)
    return out


def io_sleep_suffix(p: Params) -> str:
    return f"/sleep_us:{p.sleep_us}"


# cpu_hash ----------------------------------------------------------------------

def cpu_hash_grid(req: GridRequest) -> list[Point]:
    ov, name = req.overrides, req.profile.name
    sizes = CPU_HASH_SIZES[name]
    if ov.any():
        tasks_of = dict(sizes)
        out: list[Point] = []
        for b in ov.bytes or tuple(tasks_of):
            for r in ov.rounds or (cpu_hash.default_rounds(b),):
                out += cross(_models(ov), list(ov.tasks or (tasks_of.get(b, 512),)),
                             list(ov.workers or (req.cpus,)),
                             lambda n, b=b, r=r: Params(tasks=n, bytes=b, rounds=r))
        return out
    workers = worker_counts(req.cpus, req.profile) if name != "quick" else [1, req.cpus]
    out = []
    for nbytes, tasks in sizes:
        params = lambda n, b=nbytes: Params(tasks=n, bytes=b,  # noqa: E731
                                            rounds=cpu_hash.default_rounds(b))
        # Without waits the sequential and the blocking loop run the gathered
        # one's code path; io_sleep and mixed tell them apart.
        out += cross(["py_serial"] + LOOPS, [tasks], [1], params)
        out += cross(["py_asyncio_offload"], [tasks], sorted({1, req.cpus}), params)
        out += cross(["py_threads", "py_processes"], [tasks], workers, params)
    return out


def cpu_hash_suffix(p: Params) -> str:
    rounds = "" if p.rounds == cpu_hash.default_rounds(p.bytes) else f"/rounds:{p.rounds}"
    return f"/bytes:{p.bytes}{rounds}"


# mixed -------------------------------------------------------------------------

def mixed_grid(req: GridRequest) -> list[Point]:
    ov = req.overrides
    seconds_per_round = mixed.round_seconds()
    out: list[Point] = []
    for share in MIXED_SHARES[req.profile.name]:
        params = lambda n, s=share: mixed.share_params(n, s, seconds_per_round)  # noqa: E731
        if ov.any():
            out += cross(_models(ov), list(ov.tasks or (MIXED_TASKS,)),
                         list(ov.workers or (req.cpus,)), params)
            continue
        out += cross(["py_serial"] + LOOPS, [MIXED_TASKS], [1], params)
        out += cross(["py_asyncio_offload", "py_processes"], [MIXED_TASKS], [req.cpus], params)
        out += cross(["py_threads"], [MIXED_TASKS], [req.cpus, MIXED_TASKS], params)
    return out


def mixed_suffix(p: Params) -> str:
    return f"/sleep_us:{p.sleep_us}" + (f"/bytes:{p.bytes}" if p.bytes > 0 else "")


# shared_counter ----------------------------------------------------------------

def shared_counter_grid(req: GridRequest) -> list[Point]:
    ov = req.overrides
    models = _models(ov) if ov.models is not None else (
        ["py_serial"] + LOOPS + ["py_asyncio_offload", "py_threads", "py_processes"])
    tasks = list(ov.tasks or (COUNTER_TASKS[req.profile.name],))
    workers = list(ov.workers or (req.cpus,))
    out: list[Point] = []
    for t in ov.sleep_us or (COUNTER_SLEEP_US,):
        for lock, wait in COUNTER_VARIANTS:
            out += cross(models, tasks, workers,
                         lambda n, t=t, lock=lock, wait=wait: Params(
                             tasks=n, sleep_us=t, lock=lock, wait_between=wait))
    return out


def shared_counter_suffix(p: Params) -> str:
    return f"/sleep_us:{p.sleep_us}/lock:{int(p.lock)}/wait:{int(p.wait_between)}"


# net_rpc -----------------------------------------------------------------------

# The rows of bench/harnesses/net_rpc.cpp, models selected by a registry fact
# ("<field>:<value>"), tasks and workers per profile; each row crossed with
# NET_RPC_AXES. The default profile runs the C++ default's points but one:
# py_processes at W = 8 (forking and joining 8 workers costs some 0.9 s a
# repetition here, 9 s of the 25 s this harness may add to the default run).
NET_RPC_AXES = {"sleep_us": (1000,),  # 1 ms: a fast service behind the socket
                "bytes": (1024,), "conn_per_task": (0, 1)}
NET_RPC_ROWS = (
    {"models": "concurrency:1", "tasks": {"quick": [4], "default": [10], "full": [10, 100]},
     "workers": {"quick": [1], "default": [1], "full": [1]}},
    {"models": "concurrency:N",
     "tasks": {"quick": [1, 100], "default": [1, 100, 1000], "full": [1, 100, 1000, 10000]},
     "workers": {"quick": [1], "default": [1], "full": [1]}},
    {"models": "family:threads", "tasks": {"quick": [8], "default": [100], "full": [100, 1000]},
     "workers": {"quick": [2], "default": [2, 8], "full": [2, 8, 64]}},
    {"models": "family:processes", "tasks": {"quick": [8], "default": [100], "full": [100, 1000]},
     "workers": {"quick": [2], "default": [2], "full": [2, 8, 64]}},
)


def _selected(selector: str) -> list[str]:
    field, _, value = selector.partition(":")
    return [m.name for m in registry.MODELS if str(getattr(m, field)) == value]


def _net_rpc_params(tasks: int, sleep_us: int, nbytes: int, per_task: int) -> Params:
    return Params(tasks=tasks, sleep_us=sleep_us, bytes=nbytes, conn_per_task=bool(per_task))


def _fits_run_cap(point: Point) -> bool:
    """As io_sleep's cap on a worker series: W tasks at a time, each a delay long."""
    if registry.find(point.model).concurrency != "W":
        return True
    return math.ceil(point.params.tasks / point.workers) * point.params.sleep_us * 1e-6 \
        <= MAX_RUN_S


def net_rpc_grid(req: GridRequest) -> list[Point]:
    ov, name = req.overrides, req.profile.name
    delays = ov.sleep_us or NET_RPC_AXES["sleep_us"]
    sizes = ov.bytes or NET_RPC_AXES["bytes"]
    modes = ov.conn_per_task or NET_RPC_AXES["conn_per_task"]
    out: list[Point] = []
    if ov.any():
        for t, b, c in itertools.product(delays, sizes, modes):
            out += cross(_models(ov), list(ov.tasks or (100,)), list(ov.workers or (req.cpus,)),
                         lambda n, t=t, b=b, c=c: _net_rpc_params(n, t, b, c))
        return out
    for row in NET_RPC_ROWS:
        models = _selected(row["models"])
        for t, b, c in itertools.product(delays, sizes, modes):
            out += [p for p in cross(models, row["tasks"][name], row["workers"][name],
                                     lambda n, t=t, b=b, c=c: _net_rpc_params(n, t, b, c))
                    if _fits_run_cap(p)]
    return out


def net_rpc_suffix(p: Params) -> str:
    return f"/sleep_us:{p.sleep_us}/bytes:{p.bytes}/conn_per_task:{int(p.conn_per_task)}"


def make_net_rpc(params: Params) -> NetRpc:
    """The workload on the shared server, started by the first one, before any timing."""
    return NetRpc(params, net_server.shared_server())


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
)}
