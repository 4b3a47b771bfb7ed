"""Tests for the harnesses' result publishing: one writer per --out, planted links, failed writes."""

import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

# A run of a few milliseconds: the test is about the files, not the timings.
TINY = ["--models=serial", "--bytes=64", "--benchmark_repetitions=1",
        "--benchmark_min_time=0.001"]


def run(binary: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=timeout)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith((".partial", ".lock")))


def test_three_concurrent_writers_never_interleave(cpu_hash, tmp_path):
    out = tmp_path / "r.json"
    refused = 0
    for round_ in range(30):
        # Each writer runs its own task count, so the published file says whose it is.
        procs = {64 + k: subprocess.Popen(
            [str(cpu_hash), *TINY, f"--tasks={64 + k}", f"--out={out}"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for k in range(3)}
        results = {tasks: (p.wait(timeout=120), p.stderr.read()) for tasks, p in procs.items()}
        pids = {p.pid for p in procs.values()}
        winners = [tasks for tasks, (rc, _) in results.items() if rc == 0]
        assert winners, f"round {round_}: no run published: {results}"
        for tasks, (rc, err) in results.items():
            if rc == 0:
                assert f"cpu_hash: wrote {out}" in err
                continue
            assert rc == 2, f"round {round_}: {err}"
            refused += 1
            lines = err.strip().splitlines()
            assert len(lines) == 1, err
            m = re.fullmatch(rf"cpu_hash: error: {re.escape(str(out))} is being written by "
                             r"another run \(pid (\d+)\); nothing was run", lines[0])
            assert m, lines[0]
            assert int(m.group(1)) in pids - {procs[tasks].pid}
        data = json.loads(out.read_text())
        rows = [b for b in data["benchmarks"] if b["run_type"] == "iteration"]
        assert len(rows) == 1 and not rows[0].get("error_occurred")
        assert int(rows[0]["tasks"]) in winners, "the published file is not a winner's"
        assert leftovers(tmp_path) == []
        assert not (tmp_path / "r.json.failed").exists()
    # Three runs started together meet at least once in 30 rounds.
    assert refused > 0, "no run was ever refused: the writers were not serialised"


def test_a_run_refused_by_the_lock_names_the_holder_and_runs_nothing(cpu_hash, tmp_path):
    out = tmp_path / "r.json"
    out.write_text("earlier results")
    # A run of several seconds: 64 tasks of 64 MiB each.
    holder = subprocess.Popen([str(cpu_hash), "--models=serial", "--tasks=64",
                               "--bytes=67108864", "--benchmark_repetitions=3", f"--out={out}"],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lock = tmp_path / "r.json.lock"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not (lock.exists() and lock.read_text().strip()):
            time.sleep(0.01)
        assert lock.read_text() == f"{holder.pid}\n"
        r = run(cpu_hash, *TINY, "--tasks=64", f"--out={out}")
        assert r.returncode == 2
        assert r.stderr.strip().splitlines() == [
            f"cpu_hash: error: {out} is being written by another run (pid {holder.pid}); "
            "nothing was run"]
        assert out.read_text() == "earlier results"
    finally:
        holder.kill()
        holder.wait()
    # The holder died without releasing: the file is left, its lock is not.
    r = run(cpu_hash, *TINY, "--tasks=64", f"--out={out}")
    assert r.returncode == 0, r.stderr
    assert leftovers(tmp_path) == []


@pytest.fixture
def outside():
    """A file outside the output folder that a planted link points at."""
    with tempfile.TemporaryDirectory() as d:
        target = Path(d) / "target"
        target.write_text("not yours")
        yield target
        assert target.read_text() == "not yours", "a write went through a planted link"
        assert sorted(p.name for p in Path(d).iterdir()) == ["target"]


@pytest.mark.parametrize("planted", ["r.json.partial", "r.json.failed", ".r.json.partial"])
def test_planted_links_beside_the_result_are_not_followed(cpu_hash, tmp_path, outside, planted):
    (tmp_path / planted).symlink_to(outside)
    r = run(cpu_hash, *TINY, "--tasks=64", f"--out={tmp_path / 'r.json'}")
    assert r.returncode == 0, r.stderr
    assert json.loads((tmp_path / "r.json").read_text())["benchmarks"]
    assert (tmp_path / planted).is_symlink()


@pytest.mark.parametrize("planted, message", [
    ("r.json.lock", "r.json.lock is a symbolic link, which is never followed; remove it"),
    ("previous", "previous' is not a folder (a symbolic link?); it is never followed: remove it"),
])
def test_a_planted_lock_or_previous_link_is_refused(cpu_hash, tmp_path, outside, planted, message):
    out = tmp_path / "r.json"
    out.write_text("{}")
    # previous pointing at a folder that holds the target: a kept copy would land there.
    (tmp_path / planted).symlink_to(outside.parent if planted == "previous" else outside)
    r = run(cpu_hash, *TINY, "--tasks=64", f"--out={out}")
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cpu_hash: error: ") and message in lines[0]
    assert out.read_text() == "{}"


def test_a_hard_linked_lock_file_is_refused(cpu_hash, tmp_path, outside):
    os.link(outside, tmp_path / "r.json.lock")
    r = run(cpu_hash, *TINY, "--tasks=64", f"--out={tmp_path / 'r.json'}")
    assert r.returncode == 2
    assert "r.json.lock is not a plain file with one link" in r.stderr


def test_a_file_size_limit_is_one_line_and_leaves_the_old_result(cpu_hash, tmp_path):
    """Under ulimit -f the harness used to die by SIGXFSZ (exit 153) and leave a truncated file."""
    out = tmp_path / "r.json"
    out.write_text("earlier results")
    r = subprocess.run(["bash", "-c", 'ulimit -f 2; exec "$@"', "bash", str(cpu_hash), *TINY,
                        "--tasks=64", f"--out={out}"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, (r.returncode, r.stderr)
    errors = [l for l in r.stderr.splitlines() if "error" in l]
    assert errors == [f"cpu_hash: error: write {out}: File too large"], r.stderr
    assert out.read_text() == "earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


def test_a_full_disk_is_one_line_and_leaves_the_old_result(cpu_hash, tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(disk)],
                      capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs is not permitted here")
    try:
        out = disk / "r.json"
        out.write_text("earlier results")
        # Fill it: what is left holds the lock file's page but not the result.
        fd = os.open(disk / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            while os.write(fd, b"x" * 4096) == 4096:
                pass
        except OSError:
            pass
        finally:
            os.close(fd)
        os.truncate(disk / "filler", os.path.getsize(disk / "filler") - 4096)
        r = run(cpu_hash, *TINY, "--tasks=64", f"--out={out}")
        assert r.returncode == 1, r.stderr
        errors = [l for l in r.stderr.splitlines() if "error" in l]
        assert errors == [f"cpu_hash: error: write {out}: No space left on device"], r.stderr
        assert out.read_text() == "earlier results"
        assert sorted(p.name for p in disk.iterdir()) == ["filler", "r.json"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_no_free_descriptors_at_the_end_still_keeps_the_result(cpu_hash, tmp_path):
    """Under ulimit -n 8 the run used every descriptor and then could not create its
    result file: "create a file in ...: Too many open files", and no .failed."""
    out = tmp_path / "c.json"
    r = subprocess.run(["bash", "-c", 'ulimit -n 8; exec "$@"', "bash", str(cpu_hash),
                        "--models=process_pool,event_loop_offload,tbb,fork", "--tasks=64",
                        "--workers=2", "--bytes=64", "--benchmark_repetitions=1",
                        "--benchmark_min_time=0.001", f"--out={out}"],
                       capture_output=True, text=True, timeout=300)
    assert "create a file in" not in r.stderr, r.stderr
    kept = out if r.returncode == 0 else tmp_path / "c.json.failed"
    assert r.returncode in (0, 1), r.stderr
    assert json.loads(kept.read_text())["benchmarks"], r.stderr
    assert not [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")]
