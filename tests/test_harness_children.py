"""Tests for the harnesses' children: stopped or killed in the bare primitive, signals, orphans, limits."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest


def children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def ended(pid: int) -> bool:
    """Gone, or a zombie left to a pid 1 that may not reap."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return True
    return stat.rsplit(")", 1)[1].split()[0] == "Z"


def state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return "gone"


def settled_children(pid: int, count: int) -> list[int] | None:
    """`count` children, every one asleep in its run: past fork's first
    instructions, where it asks to die with its parent. A child stopped in
    the microseconds before that would outlive a SIGKILLed harness: a window
    the tests must not aim at by chance."""
    kids = children(pid)
    return kids if len(kids) >= count and all(state(k) == "S" for k in kids) else None


def wait_for(condition, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


# process_pool keeps its W workers from before the first run, so the bare
# primitive's children are the ones beyond them.
POOL = ["--models=process_pool", "--tasks=400", "--workers=2", "--sleep_us=10000",
        "--benchmark_repetitions=1", "--benchmark_min_time=0.01"]


def start_and_find_bare_children(io_sleep: Path, out: Path) -> tuple[subprocess.Popen, list[int]]:
    proc = subprocess.Popen([str(io_sleep), *POOL, f"--out={out}"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    assert wait_for(lambda: len(children(proc.pid)) >= 2, 60)
    pool = set(children(proc.pid))
    assert wait_for(lambda: len(set(children(proc.pid)) - pool) >= 2, 60), "no bare children"
    return proc, sorted(set(children(proc.pid)) - pool)


@pytest.mark.parametrize("sig, says", [
    (signal.SIGSTOP, "made no progress within"),
    (signal.SIGKILL, "was killed by signal 9 (Killed)"),
])
def test_a_bare_child_stopped_or_killed_is_an_error_row_naming_it(io_sleep, tmp_path, sig, says):
    """A stopped bare child used to hang the harness forever in a plain waitpid."""
    out = tmp_path / "io.json"
    proc, bare = start_and_find_bare_children(io_sleep, out)
    os.kill(bare[0], sig)
    try:
        # The deadline is the models' own (about 10 s here); 90 s leaves a loaded machine room.
        _, stderr = proc.communicate(timeout=90)
    finally:
        proc.kill()
    assert proc.returncode == 1, stderr
    assert f"bare processes: child pid {bare[0]} {says}" in stderr
    if sig == signal.SIGSTOP:
        assert f"pid {bare[0]} made no progress within" in stderr and "(it was stopped)" in stderr
    assert ended(bare[0])
    failed = json.loads((tmp_path / "io.json.failed").read_text())
    assert any(b.get("error_occurred") for b in failed["benchmarks"])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_sigint_and_sigterm_end_the_run_killing_every_child(io_sleep, tmp_path, sig):
    """Started as a shell starts a background job: with SIGINT ignored."""
    out = tmp_path / "io.json"
    proc = subprocess.Popen(
        [str(io_sleep), "--models=process_pool", "--tasks=2", "--workers=2",
         "--sleep_us=5000000", f"--out={out}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert wait_for(lambda: settled_children(proc.pid, 2), 60)
    kids = settled_children(proc.pid, 2) or children(proc.pid)
    os.kill(kids[0], signal.SIGSTOP)
    os.kill(proc.pid, sig)
    proc.communicate(timeout=30)
    assert proc.returncode == -sig
    for kid in kids:
        assert not Path(f"/proc/{kid}").exists(), f"child {kid} left behind"
    assert not out.exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".partial")] == []


def test_children_die_when_the_harness_is_killed(io_sleep, tmp_path):
    proc = subprocess.Popen(
        [str(io_sleep), "--models=process_pool", "--tasks=2", "--workers=2",
         "--sleep_us=5000000", f"--out={tmp_path / 'io.json'}"], stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL)
    assert wait_for(lambda: settled_children(proc.pid, 2), 60)
    kids = settled_children(proc.pid, 2) or children(proc.pid)
    os.kill(kids[1], signal.SIGSTOP)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert wait_for(lambda: all(ended(k) for k in kids), 10), \
        [k for k in kids if not ended(k)]


@pytest.mark.parametrize("model, says", [
    ("event_loop_offload", "event_loop_offload: libuv's threadpool (UV_THREADPOOL_SIZE=4): "
                           "cannot create thread"),
    ("tbb", "cannot create thread"),
])
def test_a_thread_that_cannot_be_made_is_an_error_row(cpu_hash, as_nobody, model, says):
    """Under ulimit -u 3 libuv aborted (exit 134) and tbb ended in std::terminate."""
    prefix, folder = as_nobody
    out = folder / "r.json"
    r = subprocess.run([*prefix, "bash", "-c", 'ulimit -u 3; exec "$@"', "bash", str(cpu_hash),
                        f"--models={model}", "--tasks=64", "--bytes=64",
                        "--benchmark_repetitions=1", "--benchmark_min_time=0.001",
                        f"--out={out}"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert says in r.stderr and os.strerror(11) in r.stderr, r.stderr
    failed = json.loads((folder / "r.json.failed").read_text())
    rows = [b for b in failed["benchmarks"] if b["run_type"] == "iteration"]
    assert rows and all(b.get("error_occurred") for b in rows)
    assert says in rows[0]["error_message"]


def test_a_stopped_bare_child_is_found_while_the_other_keeps_working(io_sleep, tmp_path):
    """Progress was counted over all children: a stopped one was found only after the
    others had done all the work (about 40 s here) plus 10 s; now in about 10 s."""
    out = tmp_path / "io.json"
    proc = subprocess.Popen(
        [str(io_sleep), "--models=process_pool", "--tasks=4000", "--workers=2",
         "--sleep_us=10000", "--benchmark_repetitions=1", "--benchmark_min_time=0.01",
         f"--out={out}"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert wait_for(lambda: len(children(proc.pid)) >= 2, 60)
        pool = set(children(proc.pid))
        assert wait_for(lambda: len(set(children(proc.pid)) - pool) >= 2, 120), "no bare children"
        bare = sorted(set(children(proc.pid)) - pool)
        os.kill(bare[0], signal.SIGSTOP)
        t0 = time.monotonic()
        _, stderr = proc.communicate(timeout=120)
        # 10 s plus a chunk's waits is the deadline; the other child's work alone is 40 s.
        assert time.monotonic() - t0 < 35, stderr
    finally:
        proc.kill()
    assert proc.returncode == 1, stderr
    assert f"bare processes: child pid {bare[0]} made no progress within" in stderr
    assert f"pid {bare[1]}" not in stderr
