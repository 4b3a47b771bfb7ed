"""Tests for bench/python/cvppy/runner.py's console: the line per finished benchmark,
shared with the C++ harnesses."""

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench" / "python"))

from cvppy.runner import Outcome, Progress, clock, progress_line  # noqa: E402

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
