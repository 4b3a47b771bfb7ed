"""Tests for the file_read harness's command line: --data-dir, its refusals, and a small run."""

import json
import os
import subprocess
from pathlib import Path

import pytest

TINY = ["--benchmark_repetitions=1", "--benchmark_min_time=0.01"]


def run(binary: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def refused(binary: Path, tmp_path: Path, *args: str, env: dict | None = None) -> str:
    """The one line of a run refused as bad input, which wrote nothing over earlier results."""
    out = tmp_path / "file_read.json"
    out.write_text("earlier results")
    r = run(binary, "--models=serial", "--tasks=4", *TINY, f"--out={out}", *args, env=env)
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert out.read_text() == "earlier results"
    return lines[0]


def test_a_missing_data_dir_is_one_line_and_exit_2(file_read, tmp_path):
    missing = tmp_path / "missing"
    assert refused(file_read, tmp_path, f"--data-dir={missing}") == (
        f"file_read: error: cannot make file_read's 64 MiB data file in {missing}: "
        "No such file or directory (set --data-dir or CVP_DATA_DIR)")


def test_a_data_dir_that_is_a_file_is_refused(file_read, tmp_path):
    plain = tmp_path / "plain"
    plain.write_text("x")
    line = refused(file_read, tmp_path, f"--data-dir={plain}")
    assert line.startswith(f"file_read: error: cannot make file_read's 64 MiB data file in {plain}: ")
    assert "Not a directory" in line


def test_an_unwritable_data_dir_is_refused(file_read, tmp_path):
    if os.geteuid() == 0:
        # Root writes through permission bits; /proc takes no new file from anyone.
        where = Path("/proc")
    else:
        where = tmp_path / "locked"
        where.mkdir(mode=0o500)
    line = refused(file_read, tmp_path, f"--data-dir={where}")
    assert line.startswith(f"file_read: error: cannot make file_read's 64 MiB data file in {where}: ")


def test_cvp_data_dir_is_the_default(file_read, tmp_path):
    missing = tmp_path / "from_env"
    line = refused(file_read, tmp_path, env={"CVP_DATA_DIR": str(missing)})
    assert f"data file in {missing}: No such file or directory" in line


def test_cold_on_tmpfs_is_refused_naming_the_directory(file_read, tmp_path):
    if not Path("/dev/shm").is_dir() or "tmpfs" not in Path("/proc/mounts").read_text():
        pytest.skip("no tmpfs at /dev/shm")
    line = refused(file_read, tmp_path, "--data-dir=/dev/shm", "--cold=1")
    assert line.startswith("file_read: error: cold=1 cannot run on a data file in /dev/shm: tmpfs")


@pytest.mark.parametrize("args, message", [
    (["--data-dir="], "file_read: error: --data-dir needs a value: --data-dir=..."),
    (["--cold=2"], "file_read: error: cold is 2; allowed: 0 to 1"),
    (["--bytes=2000000"], "file_read: error: bytes is 2000000; allowed: 1 to 1048576"),
])
def test_bad_values_are_one_line(file_read, tmp_path, args, message):
    assert refused(file_read, tmp_path, *args) == message


def test_help_names_the_data_dir_and_cold(file_read):
    out = run(file_read, "--help").stdout
    assert "--data-dir=DIR" in out and "CVP_DATA_DIR" in out
    assert "--cold=LIST" in out


def test_a_small_run_names_its_rows_and_counts_cold(file_read, tmp_path):
    out = tmp_path / "file_read.json"
    r = run(file_read, "--models=serial,event_loop,threads_n", "--tasks=20", "--cold=0,1", *TINY,
            f"--out={out}")
    assert r.returncode == 0, r.stderr
    rows = [b for b in json.loads(out.read_text())["benchmarks"] if b["run_type"] == "iteration"]
    assert {b["run_name"] for b in rows} == {
        f"file_read/{m}/tasks:20/workers:1/bytes:4096/cold:{c}/manual_time"
        for m in ("serial", "event_loop", "threads_n") for c in (0, 1)}
    for b in rows:
        assert not b.get("error_occurred"), b.get("error_message")
        assert b["cold"] == int(b["run_name"].split("cold:")[1][0])
        assert b["bytes"] == 4096 and b["sleep_us"] == 0
        assert b["limit_ms"] > 0  # 20 bare preads in the row's cache state
        assert "speedup" not in b  # reads are not paired with a serial run of hashing
