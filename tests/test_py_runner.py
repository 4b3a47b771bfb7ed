"""Tests for bench/python/cvppy/runner.py: the line per finished benchmark (shared with
the C++ harnesses) and the interleaving of a question's repetitions."""

import random
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench" / "python"))

from cvppy import runner  # noqa: E402
from cvppy.runner import (Context, Outcome, Point, Prepared, Profile, Progress, clock,  # noqa: E402
                          progress_line)
from cvppy.workloads.io_sleep import IoSleep  # noqa: E402
from cvppy.workloads.workload import Params  # noqa: E402

LINE = re.compile(
    r"\[(\d+)/(\d+)\] (\S+): (?:error: .+|\d+\.\d{3} ms, parallelism \d+\.\d\d, "
    r"peak_inflight \d+, efficiency \d+\.\d\d(, speedup \d+\.\d\d)?(, lost_updates \d+\.\d)?"
    r"(, noisy \(cv \d+\.\d%\))?)  \(elapsed \d+:\d\d, ~\d+:\d\d left\)")


def row(**counters) -> dict:
    base = {"run_name": "cpu_hash/py_threads/tasks:8/workers:2/bytes:64", "run_type": "iteration",
            "real_time": 12.3456, "parallelism": 1.234, "peak_inflight": 2.0, "efficiency": 0.5,
            "noisy": 0.0, "cv_pct": 1.0}
    return {**base, **counters}


def test_a_finished_benchmark_is_one_line_with_its_counters_and_the_time_left():
    outcome = Outcome([row(speedup=1.5, real_time=10.0), row(speedup=1.7, real_time=12.0),
                       row(speedup=1.6, real_time=11.0)])
    line = progress_line(outcome, Progress(finished=3, total=12, elapsed_s=75.9))
    assert line == ("[3/12] cpu_hash/py_threads/tasks:8/workers:2/bytes:64: 11.000 ms, "
                    "parallelism 1.23, peak_inflight 2, efficiency 0.50, speedup 1.60  "
                    "(elapsed 1:15, ~3:47 left)")  # 75.9 / 3 x 9 = 227.7 s
    assert LINE.fullmatch(line)


def test_lost_updates_and_noise_are_said_in_that_order():
    outcome = Outcome([row(lost_updates=4.0, noisy=1.0, cv_pct=12.345)])
    line = progress_line(outcome, Progress(finished=1, total=1, elapsed_s=0.4))
    assert line.endswith(", efficiency 0.50, lost_updates 4.0, noisy (cv 12.3%)  "
                         "(elapsed 0:00, ~0:00 left)")
    assert LINE.fullmatch(line)


def test_a_failed_benchmark_says_its_error():
    failed = {"run_name": "io_sleep/py_processes/tasks:8/workers:2/sleep_us:10000",
              "run_type": "iteration", "error_occurred": True,
              "error_message": "worker process 42 was killed by signal 9 (SIGKILL)"}
    line = progress_line(Outcome([failed], failed=True),
                         Progress(finished=2, total=4, elapsed_s=3601))
    assert line == ("[2/4] io_sleep/py_processes/tasks:8/workers:2/sleep_us:10000: error: "
                    "worker process 42 was killed by signal 9 (SIGKILL)  "
                    "(elapsed 60:01, ~60:01 left)")
    assert LINE.fullmatch(line)


def test_clock_is_minutes_and_whole_seconds():
    assert [clock(s) for s in (0, 59.99, 60, 3599, 6000)] == [
        "0:00", "0:59", "1:00", "59:59", "100:00"]


def test_questions_group_every_model_of_a_workload_point_in_first_seen_order():
    a, b = Params(tasks=10, sleep_us=100), Params(tasks=100, sleep_us=100)
    points = [Point("py_serial", 1, a), Point("py_serial", 1, b), Point("py_asyncio", 1, a),
              Point("py_threads", 2, b), Point("py_threads", 4, a)]
    assert runner.questions(points) == [[0, 2, 4], [1, 3]]


def test_interleaving_runs_each_benchmark_reps_times_and_mixes_them():
    order = runner.interleaved([0, 2, 4], 5, random.Random(1))
    assert sorted(order) == [0] * 5 + [2] * 5 + [4] * 5
    # Shuffled, not one benchmark's repetitions after another's.
    assert order != sorted(order)


def test_run_all_interleaves_and_keeps_grid_order_in_the_rows():
    w = IoSleep(Params(tasks=2, sleep_us=1000))
    prep = {w.params: Prepared(w, w.reference(), task_cpu_s=1e-6)}
    points = [Point("py_serial", 1, w.params), Point("py_asyncio", 1, w.params)]
    ctx = Context(Profile("test", 3, 0.001), 2, lambda p: f"io_sleep/{p.model}")
    seen: list[str] = []
    real = runner.BenchmarkRun.repetition

    def spy(self: runner.BenchmarkRun) -> None:
        seen.append(self.point.model)
        real(self)

    lines: list[str] = []
    try:
        runner.BenchmarkRun.repetition = spy
        rows, failed = runner.run_all(ctx, points, prep, log=lines.append, rng=random.Random(3))
    finally:
        runner.BenchmarkRun.repetition = real
    assert failed == 0 and sorted(seen) == ["py_asyncio"] * 3 + ["py_serial"] * 3
    assert seen != sorted(seen) and seen != sorted(seen, reverse=True)  # interleaved
    iterations = [r for r in rows if r["run_type"] == "iteration"]
    assert [r["name"] for r in iterations] == ["io_sleep/py_serial"] * 3 + ["io_sleep/py_asyncio"] * 3
    assert [r["repetition_index"] for r in iterations] == [0, 1, 2] * 2
    assert [line[:5] for line in lines] == ["[1/2]", "[2/2]"]


def test_a_failed_repetition_ends_its_benchmark_while_the_others_go_on():
    w = IoSleep(Params(tasks=2, sleep_us=1000))
    wrong = w.reference()
    wrong[1] = bytes(32)
    prep = {w.params: Prepared(w, wrong, task_cpu_s=1e-6)}
    points = [Point("py_serial", 1, w.params), Point("py_asyncio", 1, w.params)]
    ctx = Context(Profile("test", 3, 0.001), 2, lambda p: f"io_sleep/{p.model}")
    rows, failed = runner.run_all(ctx, points, prep, log=lambda line: None)
    assert failed == 2
    assert all(r["error_occurred"] for r in rows)
    assert len(rows) == 6  # three error rows each, never a number
