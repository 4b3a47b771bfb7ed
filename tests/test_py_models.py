"""Tests for bench/python/cvppy/models and the runner: digests, concurrency, races, failures."""

import math
import multiprocessing
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench" / "python"))

from cvppy.models import registry  # noqa: E402
from cvppy.models.model import Deadline, RunFailed  # noqa: E402
from cvppy.models.processes import ProcessesModel  # noqa: E402
from cvppy.runner import Context, Point, Prepared, Profile, run_benchmark  # noqa: E402
from cvppy.workloads.cpu_hash import CpuHash  # noqa: E402
from cvppy.workloads.io_sleep import IoSleep  # noqa: E402
from cvppy.workloads.shared_counter import SharedCounter  # noqa: E402
from cvppy.workloads.workload import Params, Workload  # noqa: E402

# Models chosen by their registry facts, so a new model's row brings it into these tests.
# A thread per task holds N too, but how many are in flight at once depends on how
# fast CPython starts threads: test_py_task_threads.py tests it with long waits.
LOOPS = [m.name for m in registry.MODELS if m.concurrency_rule == "N" and m.family == "one_thread"]
ONE_AT_A_TIME = [m.name for m in registry.MODELS if m.concurrency_rule == "1"]
POOLS = [m.name for m in registry.MODELS if m.concurrency_rule == "W"]


def run_once(model_name: str, workers: int, workload: Workload):
    with registry.find(model_name).make(workers) as model:
        model.prepare(workload)
        return model.run(Deadline(task_s=0, floor_s=60))


def zombies() -> list[int]:
    kids = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return [k for k in kids if Path(f"/proc/{k}/stat").read_text().split(") ")[1][0] == "Z"]


def test_registry_rows_are_unique_ordered_and_name_their_twins():
    rows = [m.row() for m in registry.MODELS]
    names = [r["name"] for r in rows]
    assert len(set(names)) == len(names) and all(n.startswith("py_") for n in names)
    for r in rows:
        assert r["language"] == "python" and 100 <= r["order"] < 200
        assert r["family"] in ("one_thread", "threads", "processes")
        assert (r["fixed_workers"] is None) == r["takes_workers"]
        assert r["concurrency"] in ("1", "N", "W") and r["twin"]
    assert [r["order"] for r in rows] == sorted(r["order"] for r in rows)
    # The waits-only variants have a model that runs their code without waits.
    for m in registry.MODELS:
        if m.differs_only_in_waits:
            assert any(o.family == m.family and not o.differs_only_in_waits
                       for o in registry.MODELS), m.name


@pytest.mark.parametrize("name", registry.names())
def test_every_model_reproduces_the_serial_digests(name):
    w = CpuHash(Params(tasks=13, bytes=4096, rounds=2))
    report = run_once(name, 2, w)
    assert report.digests == w.reference()


@pytest.mark.parametrize("name", LOOPS)
def test_gathered_loops_have_every_task_in_flight(name):
    assert run_once(name, 1, IoSleep(Params(tasks=50, sleep_us=2000))).peak_inflight == 50


@pytest.mark.parametrize("name", ONE_AT_A_TIME)
def test_one_at_a_time_models_have_one_task_in_flight(name):
    assert run_once(name, 1, IoSleep(Params(tasks=5, sleep_us=1000))).peak_inflight == 1


@pytest.mark.parametrize("name", POOLS)
def test_pools_have_up_to_w_tasks_in_flight_across_threads_and_processes(name):
    # Sleeping tasks: all W workers are busy at once, whatever else loads the machine.
    assert run_once(name, 3, IoSleep(Params(tasks=9, sleep_us=20000))).peak_inflight == 3


def counter_lost(name: str, workers: int, lock: bool, wait: bool, tasks: int = 20) -> int:
    w = SharedCounter(Params(tasks=tasks, sleep_us=2000, lock=lock, wait_between=wait))
    report = run_once(name, workers, w)
    assert report.digests == w.reference()
    return tasks - report.counter


@pytest.mark.parametrize("name", LOOPS)
def test_event_loop_loses_updates_only_with_a_wait_between_read_and_write(name):
    assert counter_lost(name, 1, lock=False, wait=True) > 0
    assert counter_lost(name, 1, lock=False, wait=False) == 0
    assert counter_lost(name, 1, lock=True, wait=True) == 0
    assert counter_lost(name, 1, lock=True, wait=False) == 0


@pytest.mark.parametrize("name", POOLS)
def test_threads_and_processes_lose_updates_without_a_lock_and_none_with_it(name):
    assert counter_lost(name, 2, lock=False, wait=True) > 0
    assert counter_lost(name, 2, lock=True, wait=True) == 0
    assert counter_lost(name, 2, lock=True, wait=False) == 0


@pytest.mark.parametrize("name", ONE_AT_A_TIME)
def test_one_at_a_time_models_never_lose_an_update(name):
    assert counter_lost(name, 1, lock=False, wait=True) == 0


def test_a_killed_worker_fails_the_run_soon_and_leaves_no_zombie():
    before = set(multiprocessing.active_children())
    model = ProcessesModel(2)
    model.prepare(IoSleep(Params(tasks=2, sleep_us=5_000_000)))
    pid = model._processes[0].pid
    threading.Timer(0.3, os.kill, (pid, signal.SIGKILL)).start()
    t0 = time.monotonic()
    killed = rf"worker process {pid} was killed by signal 9 \(SIGKILL\)"
    with pytest.raises(RunFailed, match=killed):
        model.run(Deadline(task_s=0, floor_s=60))
    # Bounded well below the 5 s the tasks sleep; 2 s on an idle machine.
    assert time.monotonic() - t0 < 4.5
    model.close()
    assert set(multiprocessing.active_children()) <= before
    assert zombies() == []


def test_a_hung_run_is_killed_after_its_timeout():
    model = ProcessesModel(1)
    model.prepare(IoSleep(Params(tasks=1, sleep_us=10_000_000)))
    pid = model._processes[0].pid
    with pytest.raises(RunFailed,
                       match=f"worker process {pid} made no progress in the run within 1.0 s; "
                             "killed"):
        model.run(Deadline(task_s=0, floor_s=1))
    model.close()
    assert zombies() == []


def bench_context(reps: int = 2) -> Context:
    return Context(Profile("quick", reps, 0.0), 2,
                   lambda p: f"cpu_hash/{p.model}/tasks:{p.params.tasks}/workers:{p.workers}")


def test_runner_rows_carry_the_counters_and_aggregates():
    w = CpuHash(Params(tasks=16, bytes=64, rounds=8))
    prep = Prepared(w, w.reference(), task_cpu_s=1e-5)
    out = run_benchmark(bench_context(), 0, Point(POOLS[0], 2, w.params), prep)
    assert not out.failed
    iterations = [r for r in out.rows if r["run_type"] == "iteration"]
    aggregates = [r for r in out.rows if r["run_type"] == "aggregate"]
    assert [r["repetition_index"] for r in iterations] == [0, 1]
    assert [r["aggregate_name"] for r in aggregates] == ["mean", "median", "stddev", "cv",
                                                        "ci95_low", "ci95_high"]
    assert aggregates[3]["aggregate_unit"] == "percentage"
    low, high = aggregates[4], aggregates[5]
    assert low["real_time"] <= aggregates[0]["real_time"] <= high["real_time"]
    for r in iterations:
        for counter in ("tasks", "workers", "sleep_us", "bytes", "rounds", "parallelism",
                        "peak_inflight", "task_cpu_us", "ideal_ms", "efficiency", "cpu_share",
                        "items_per_second", "bytes_per_second", "speedup", "cv_pct", "noisy",
                        "ctx_vol_per_task", "ctx_invol_per_task"):
            assert counter in r, counter
        assert r["time_unit"] == "ms" and r["real_time"] > 0 and r["iterations"] >= 1
        assert r["cpu_share"] == 1.0 and 1 <= r["peak_inflight"] <= 2


def test_a_digest_mismatch_is_an_error_row_never_a_number():
    w = CpuHash(Params(tasks=4, bytes=64, rounds=1))
    wrong = w.reference()
    wrong[2] = bytes(32)
    out = run_benchmark(bench_context(reps=3), 0, Point(LOOPS[0], 1, w.params),
                        Prepared(w, wrong, task_cpu_s=1e-5))
    assert out.failed
    assert [r["repetition_index"] for r in out.rows] == [0, 1, 2]
    for r in out.rows:
        assert r["error_occurred"] is True
        assert r["error_message"] == "task 2: digest differs from the serial model's"
        assert "speedup" not in r


UVLOOP_WITH_FEW_DESCRIPTORS = """
import os, sys
sys.path.insert(0, {path!r})
from cvppy.models.model import Deadline, RunFailed
from cvppy.models.uvloop_gather import UvloopGatherModel
from cvppy.workloads.io_sleep import IoSleep
from cvppy.workloads.workload import Params
workload = IoSleep(Params(tasks=4, sleep_us=1000))
model = UvloopGatherModel(1)
fds = []
try:
    while True:
        fds.append(os.open(os.devnull, os.O_RDONLY))
except OSError:
    pass
for fd in fds[len(fds) - {free}:]:
    os.close(fd)
try:
    model.prepare(workload)
    model.run(Deadline(task_s=0, floor_s=60))
    print("ran")
except RunFailed as e:
    print(e)
model.close()
"""


@pytest.mark.parametrize("free", range(11))
def test_uvloop_without_descriptors_is_one_clear_error(free):
    """uvloop's own failures with few descriptors (an abort by libuv, a loop left marked
    running, 'deallocating an open event loop', never-awaited coroutines) never show."""
    code = UVLOOP_WITH_FEW_DESCRIPTORS.format(path=str(Path(__file__).resolve().parent.parent
                                                       / "bench" / "python"), free=free)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    assert r.stdout in ("ran\n", "cannot create the event loop: [Errno 24] Too many open files\n")


def earliest_end_ns(model: str, wait_ns: int) -> int:
    """The soonest a task that waits `wait_ns` can end, whatever the load. A sleep ends
    no sooner than asked; asyncio runs a timer once the clock is within its
    resolution (1 ns) of it; uvloop 0.17 starts libuv's timer from the loop's clock
    floored to whole ms, so its timer can fire up to 1 ms early (later uvloops pad
    it; the C++ loop re-arms a timer that fired early)."""
    if model == "py_uvloop":
        return wait_ns - 1_000_000
    return wait_ns - math.ceil(time.get_clock_info("monotonic").resolution * 1e9)


@pytest.mark.parametrize("name", registry.names())
def test_every_model_reports_each_tasks_latency_and_none_is_shorter_than_its_wait(name):
    # However loaded the machine, no task's time from its start to its end is below
    # its wait of T = 20 ms (earliest_end_ns), nor above the whole run.
    wait_ns = 20_000_000
    t0 = time.monotonic_ns()
    report = run_once(name, 2, IoSleep(Params(tasks=6, sleep_us=wait_ns // 1000)))
    run_ns = time.monotonic_ns() - t0
    assert len(report.task_ns) == 6
    for i, ns in enumerate(report.task_ns):
        assert earliest_end_ns(name, wait_ns) <= ns <= run_ns, (name, i, ns)
