"""Tests for .ci/check_results.py: a result file passes only with every listed benchmark, no
row in error and, on a workload's rows, each task's latency counters."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "check_results.py"
NAME = "io_sleep/serial/tasks:4/workers:1/sleep_us:1000"
LIST = f"printf '{NAME}/manual_time\\n'"  # stands for a harness's --benchmark_list_tests


def result(path: Path, harness: str, **counters) -> Path:
    row = {"name": NAME + "/manual_time", "run_name": NAME + "/manual_time",
           "run_type": "iteration", "real_time": 4.2, **counters}
    path.write_text(json.dumps({"context": {"cvp_harness": harness}, "benchmarks": [row]}))
    return path


def check(path: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), LIST, str(path)], capture_output=True,
                          text=True, timeout=60)


def test_a_workload_row_with_its_latencies_passes(tmp_path):
    r = check(result(tmp_path / "io_sleep.json", "io_sleep", latency_p50_ms=1.1,
                     latency_p99_ms=1.3))
    assert r.returncode == 0, r.stdout
    assert "1 passed, 0 failed" in r.stdout


@pytest.mark.parametrize("have", [{}, {"latency_p50_ms": 1.1}])
def test_a_workload_row_without_a_latency_counter_fails_naming_it(tmp_path, have):
    r = check(result(tmp_path / "io_sleep.json", "py_io_sleep", **have))
    assert r.returncode == 1
    assert f"FAIL {tmp_path / 'io_sleep.json'}: {NAME}/manual_time: no latency_p99_ms" in r.stdout


def test_the_limits_harness_runs_no_tasks_and_needs_no_latency(tmp_path):
    r = check(result(tmp_path / "limits.json", "limits"))
    assert r.returncode == 0, r.stdout
