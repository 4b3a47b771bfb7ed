"""Tests for bench/harness.cpp's command line: bad input, result files, failed children."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

TINY = ["--benchmark_repetitions=1", "--benchmark_min_time=0.01"]


def run(binary: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, message", [
    (["--tasks=0"], "io_sleep: error: tasks is 0; allowed: 1 to 1000000"),
    (["--tasks=-3"], "io_sleep: error: tasks is -3; allowed: 1 to 1000000"),
    (["--workers=999"], "io_sleep: error: workers is 999; allowed: 1 to 256"),
    (["--sleep_us=99999999999"], "io_sleep: error: sleep_us is 99999999999; allowed: 0 to 10000000"),
    (["--models=asyncio"],
     "io_sleep: error: unknown model 'asyncio'; allowed: serial, event_loop_sequential, "
     "event_loop, event_loop_blocking, event_loop_offload, tbb, fork"),
    (["--profile=fast"], "io_sleep: error: profile is 'fast'; allowed: quick, default, full"),
    (["--tasks=ten"], "io_sleep: error: --tasks: 'ten' is not a whole number"),
    (["--bytes=64"], "io_sleep: error: --bytes does not apply to io_sleep"),
    (["--frobnicate"], "io_sleep: error: unknown argument '--frobnicate'; see io_sleep --help"),
])
def test_bad_input_is_one_line_and_exit_2(io_sleep, tmp_path, args, message):
    out = tmp_path / "io_sleep.json"
    out.write_text("earlier results")
    r = run(io_sleep, *args, f"--out={out}")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [message]
    assert out.read_text() == "earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["io_sleep.json"]


def test_cpu_hash_rejects_absurd_message_size(cpu_hash):
    r = run(cpu_hash, "--bytes=0")
    assert r.returncode == 2
    assert r.stderr.strip() == "cpu_hash: error: bytes is 0; allowed: 1 to 67108864"


def test_help_describes_the_flags(io_sleep):
    r = run(io_sleep, "--help")
    assert r.returncode == 0
    for flag in ("--profile", "--out", "--models", "--tasks", "--workers", "--sleep_us"):
        assert flag in r.stdout
    assert ("allowed: serial, event_loop_sequential, event_loop, event_loop_blocking, "
            "event_loop_offload, tbb, fork") in r.stdout


def test_run_writes_json_with_grammar_names_and_counters(cpu_hash, tmp_path):
    out = tmp_path / "cpu_hash.json"
    r = run(cpu_hash, "--models=serial,tbb,fork", "--tasks=5", "--workers=2", "--bytes=64",
            "--rounds=2", *TINY, f"--out={out}")
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    rows = [b for b in data["benchmarks"] if b["run_type"] == "iteration"]
    assert {b["run_name"] for b in rows} == {
        "cpu_hash/serial/tasks:5/workers:1/bytes:64/manual_time",
        "cpu_hash/tbb/tasks:5/workers:2/bytes:64/manual_time",
        "cpu_hash/fork/tasks:5/workers:2/bytes:64/manual_time",
    }
    for b in rows:
        assert not b.get("error_occurred")
        for counter in ("tasks", "workers", "sleep_us", "bytes", "parallelism", "peak_inflight",
                        "ideal_ms", "efficiency", "items_per_second", "bytes_per_second",
                        "speedup", "task_cpu_us"):
            assert counter in b, counter
        assert b["tasks"] == 5
    ctx = data["context"]
    for key in ("cvpbench_version", "libuv_version", "tbb_version", "openssl_version",
                "uv_threadpool_size", "tbb_default_concurrency", "cpus_usable", "timer_slack_ns",
                "cvp_profile"):
        assert key in ctx, key
    assert ctx["timer_slack_ns"] == "1"


def test_second_run_keeps_the_first_as_previous(io_sleep, tmp_path):
    out = tmp_path / "io_sleep.json"
    args = ["--models=event_loop", "--tasks=3", "--sleep_us=1000", *TINY, f"--out={out}"]
    assert run(io_sleep, *args).returncode == 0
    first = out.read_text()
    assert run(io_sleep, *args).returncode == 0
    assert (tmp_path / "previous" / "io_sleep.json").read_text() == first
    assert out.read_text() != first  # a new run, with a new date and timings
    assert not list(tmp_path.glob("*.partial"))


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def test_killed_child_fails_the_run_and_keeps_earlier_results(io_sleep, tmp_path):
    out = tmp_path / "io_sleep.json"
    out.write_text("earlier results")
    proc = subprocess.Popen(
        [str(io_sleep), "--models=fork", "--tasks=2", "--workers=2", "--sleep_us=5000000", *TINY,
         f"--out={out}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    kids = _children(proc.pid)
    assert len(kids) == 2
    os.kill(kids[0], signal.SIGKILL)
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "killed by signal 9" in stdout + stderr
    assert out.read_text() == "earlier results"
    assert (tmp_path / "io_sleep.json.failed").exists()
    assert not list(tmp_path.glob("*.partial"))
