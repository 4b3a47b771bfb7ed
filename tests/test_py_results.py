"""Tests for bench/python/cvppy/results.py: the one-writer lock, temporary files nobody can
predict or plant, previous/, and write failures that leave the old result untouched."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "python" / "cvp_py.py"
sys.path.insert(0, str(ROOT / "bench" / "python"))

from cvppy import results  # noqa: E402
from cvppy.params import BadInput  # noqa: E402

TINY = ["--repetitions=1", "--min_time=0"]
DOCUMENT = {"context": {"cvp_harness": "test"}, "benchmarks": [{"name": "a", "real_time": 1.0}]}
REFUSED = re.compile(r"py_io_sleep: error: (.*) is being written by another run \(pid (\d+)\); "
                     r"nothing was run")


def harness(*args: str) -> list[str]:
    return [sys.executable, str(SCRIPT), *args]


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(harness(*args), capture_output=True, text=True, timeout=timeout)


def tiny_run(out: Path, tasks: int = 1, sleep_us: int = 1000) -> list[str]:
    return ["io_sleep", "--models=py_serial", f"--tasks={tasks}", f"--sleep_us={sleep_us}",
            *TINY, f"--out={out}"]


def leftovers(folder: Path) -> list[str]:
    """Temporary, staged and lock files a run may leave behind; none should be."""
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if p.name.startswith(".") or p.name.endswith((".partial", ".lock", ".staged")))


# The lock ------------------------------------------------------------------


def test_a_held_lock_refuses_a_second_run_naming_the_holder(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("earlier results")
    with results.OutLock.take(out) as lock:
        assert lock.path.read_text() == f"{os.getpid()}\n"
        r = run(*tiny_run(out))
        assert lock.path.exists()
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"py_io_sleep: error: {out} is being written by another run (pid {os.getpid()}); "
        "nothing was run"]
    assert out.read_text() == "earlier results"
    assert not (tmp_path / "r.json.lock").exists()  # released: unlinked while held


def test_a_lock_left_by_a_dead_run_is_taken_over(tmp_path):
    out = tmp_path / "r.json"
    (tmp_path / "r.json.lock").write_text("999999999\n")  # no flock on it: its run is gone
    r = run(*tiny_run(out))
    assert r.returncode == 0, r.stderr
    assert json.loads(out.read_text())["benchmarks"]
    assert not (tmp_path / "r.json.lock").exists()


def test_a_lock_file_with_another_link_is_refused(tmp_path):
    out = tmp_path / "r.json"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.write_text("someone else's file")
    os.link(elsewhere, tmp_path / "r.json.lock")
    with pytest.raises(BadInput, match="a file with 2 links"):
        results.OutLock.take(out)
    assert elsewhere.read_text() == "someone else's file"


def test_three_concurrent_writers_never_interleave(tmp_path):
    """30 rounds of three runs on one --out: each run either publishes the whole of its
    own result or is refused naming a run of its round; never a mix, never a loss."""
    out = tmp_path / "r.json"
    refused = 0
    for _ in range(30):
        procs = {tasks: subprocess.Popen(harness(*tiny_run(out, tasks, sleep_us=100_000)),
                                         stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                         text=True) for tasks in (1, 2, 3)}
        outcome = {tasks: (p.wait(timeout=120), p.stderr.read()) for tasks, p in procs.items()}
        pids = {p.pid for p in procs.values()}
        winners = set()
        for tasks, (code, stderr) in outcome.items():
            if code == 0:
                winners.add(tasks)
                assert stderr.splitlines()[-1] == f"py_io_sleep: wrote {out}"
                continue
            assert code == 2, stderr
            lines = stderr.splitlines()
            assert len(lines) == 1, stderr
            found = REFUSED.fullmatch(lines[0])
            assert found and found[1] == str(out), lines[0]
            assert int(found[2]) in pids - {procs[tasks].pid}
            refused += 1
        assert winners
        for published in (out, tmp_path / "previous" / "r.json"):
            if not published.exists():
                continue
            rows = json.loads(published.read_text())["benchmarks"]
            assert len(rows) == 1 and rows[0]["tasks"] in (1, 2, 3)
        assert json.loads(out.read_text())["benchmarks"][0]["tasks"] in winners
        assert leftovers(tmp_path) == []
    assert refused > 0  # the runs did meet


# Planted symlinks ------------------------------------------------------------


@pytest.mark.parametrize("planted, refused", [
    ("r.json.partial", False), ("r.json.failed", False), ("r.json.lock", True),
    ("previous", True)])
def test_a_planted_symlink_is_never_followed(tmp_path, tmp_path_factory, planted, refused):
    victim = tmp_path_factory.mktemp("elsewhere") / "precious"
    victim.write_text("not yours")
    out = tmp_path / "r.json"
    out.write_text("earlier results")
    (tmp_path / planted).symlink_to(victim)
    r = run(*tiny_run(out))
    assert victim.read_text() == "not yours"
    assert (tmp_path / planted).is_symlink()
    if refused:
        assert r.returncode == 2
        assert len(r.stderr.splitlines()) == 1 and r.stderr.startswith("py_io_sleep: error: ")
        assert out.read_text() == "earlier results"
    else:
        assert r.returncode == 0, r.stderr
        assert (tmp_path / "previous" / "r.json").read_text() == "earlier results"


def test_keep_failed_replaces_a_planted_symlink_instead_of_writing_through_it(
        tmp_path, tmp_path_factory):
    victim = tmp_path_factory.mktemp("elsewhere") / "precious"
    victim.write_text("not yours")
    out = tmp_path / "r.json"
    (tmp_path / "r.json.failed").symlink_to(victim)
    kept = results.keep_failed(DOCUMENT, out)
    assert victim.read_text() == "not yours"
    assert not kept.is_symlink() and json.loads(kept.read_text()) == DOCUMENT
    assert leftovers(tmp_path) == []


def test_publish_refuses_a_previous_that_became_a_symlink(tmp_path, tmp_path_factory):
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    out = tmp_path / "r.json"
    out.write_text("earlier results")
    (tmp_path / "previous").symlink_to(elsewhere)
    with pytest.raises(results.WriteFailed, match=r"^cannot write .*r\.json: .*previous"):
        results.publish(DOCUMENT, out)
    assert list(elsewhere.iterdir()) == []
    assert out.read_text() == "earlier results"
    assert leftovers(tmp_path) == []


def test_temporary_files_have_unpredictable_names_in_the_out_folder(tmp_path):
    names = {results.write_temp(b"{}", tmp_path, "r.json").name for _ in range(3)}
    assert len(names) == 3
    assert all(n.startswith(".r.json.") and n.endswith(".partial") for n in names)


# Write failures ----------------------------------------------------------------


def test_a_file_size_limit_fails_the_write_in_one_line_and_keeps_the_old_result(tmp_path):
    out = tmp_path / "r.json"
    out.write_text("earlier results")
    # 2 blocks of 512 bytes: the lock's pid fits, the JSON does not.
    command = " ".join(harness(*tiny_run(out)))
    r = subprocess.run(["sh", "-c", f"ulimit -f 2; exec {command}"], capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines()[-1] == (
        f"py_io_sleep: error: cannot write {out}: [Errno 27] File too large; "
        f"{out} left unchanged")
    assert "Traceback" not in r.stderr
    assert out.read_text() == "earlier results"
    assert leftovers(tmp_path) == [] and not (tmp_path / "previous").exists()


@pytest.fixture
def small_tmpfs(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {made.stderr.strip()}")
    yield mount
    subprocess.run(["umount", str(mount)], check=True)


def test_a_full_disk_fails_the_write_in_one_line_and_keeps_the_old_result(small_tmpfs):
    out = small_tmpfs / "r.json"
    out.write_text("earlier results")
    free = os.statvfs(small_tmpfs)
    page = os.sysconf("SC_PAGE_SIZE")
    # All but one page filled: the lock file's pid fits, the JSON does not.
    (small_tmpfs / "filler").write_bytes(b"x" * (free.f_bavail * free.f_frsize - page))
    r = run(*tiny_run(out))
    assert r.returncode == 1, r.stderr
    assert r.stderr.splitlines()[-1] == (
        f"py_io_sleep: error: cannot write {out}: [Errno 28] No space left on device; "
        f"{out} left unchanged")
    assert out.read_text() == "earlier results"
    assert sorted(p.name for p in small_tmpfs.iterdir()) == ["filler", "r.json"]
