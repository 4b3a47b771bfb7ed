"""Tests for bench/python/cvppy/workloads/file_read.py and data_file.py: the page formula and the
offsets (digests the C++ test checks too), the file, cold runs that really drop the pages,
short reads as errors, every model through the command line, and the refusals."""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from cvppy import data_file, page_cache
from cvppy.data_file import FILE_BYTES, FILE_PAGES, DataFile
from cvppy.models import registry
from cvppy.params import BadInput
from cvppy.runner import Context, Point, Prepared, Profile, run_benchmark
from cvppy.workloads import file_read
from cvppy.workloads.file_read import FileRead
from cvppy.workloads.workload import Params

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "python" / "cvp_py.py"

# SHA-256 of the 4096 bytes tasks 0 and 1 read: SHA-256(k as 8 bytes little-endian)
# repeated 128 times for page k = 0 and k = 2654435761 mod 16383 = 12952, computed
# apart from the module (tests/file_read_test.cpp checks the same two).
TASK0_DIGEST = "cad642bfda4d4331c230cbbdb0ade3ea829ca6cb66b5b9f42a0b2718771db4ba"
TASK1_DIGEST = "a857b1c0d3c654c6df89973935a151f8a518ae8749963b0a273dd3511d44055f"


@pytest.fixture(scope="module")
def disk_dir():
    """A directory on a disk (not tmpfs), where pages can be dropped."""
    path = Path(tempfile.mkdtemp(prefix="cvp-file-read-test-", dir=data_file.default_dir()))
    yield path
    shutil.rmtree(path)


@pytest.fixture(scope="module")
def data(disk_dir):
    if page_cache.memory_filesystem(str(disk_dir)) is not None:
        pytest.skip(f"{disk_dir} is in memory: its pages cannot be dropped")
    d = DataFile(str(disk_dir))
    yield d
    d.close()


def test_offsets_follow_the_shared_formula():
    assert file_read.offset(0, 4096) == 0
    assert file_read.offset(1, 4096) == 12952 * 4096
    # B over a page leaves room for ceil(B / 4096) pages: the modulus shrinks.
    assert file_read.offset(1, 4097) == 2654435761 % (16384 - 2) * 4096
    assert file_read.offset(1, 1 << 20) == 2654435761 % (16384 - 256) * 4096
    # i is unsigned 64-bit: the product wraps.
    big = (1 << 63) + 5
    assert file_read.offset(big, 4096) == (big * 2654435761 % (1 << 64)) % 16383 * 4096
    for i in range(2000):
        for nbytes in (1, 4096, 4097, 1 << 20):
            off = file_read.offset(i, nbytes)
            assert off % 4096 == 0 and off + nbytes <= FILE_BYTES


def test_known_digests_of_tasks_0_and_1():
    w = FileRead(Params(tasks=2, bytes=4096), data=None)
    assert [d.hex() for d in w.reference()] == [TASK0_DIGEST, TASK1_DIGEST]


def test_a_read_over_a_page_joins_the_next_page():
    first = file_read.offset(7, 5000) // 4096
    assert file_read.expected(7, 5000) == (data_file.page(first)
                                           + data_file.page(first + 1)[:904])
    assert file_read.expected(7, 3) == data_file.page(file_read.offset(7, 3) // 4096)[:3]


def test_the_file_holds_the_page_formula_and_has_no_name(data, disk_dir):
    assert os.fstat(data.fd).st_size == FILE_BYTES
    assert os.fstat(data.fd).st_nlink == 0  # unlinked as soon as it was open
    assert list(disk_dir.iterdir()) == []
    for k in (0, 1, 12952, FILE_PAGES - 1):
        assert os.pread(data.fd, 4096, k * 4096) == data_file.page(k)


def test_cold_really_drops_the_pages_and_warm_brings_them_back(data):
    w = FileRead(Params(tasks=4, bytes=4096, cold=True), data)
    data.make_warm()
    assert data.resident() == FILE_PAGES
    w.before_run()
    assert data.resident() <= FILE_PAGES // 100
    # One task's read brings in its page and, readahead being off (RANDOM), not 32.
    before = data.resident()
    os.pread(data.fd, 4096, file_read.offset(3, 4096))
    assert 1 <= data.resident() - before <= 4
    FileRead(Params(tasks=4, bytes=4096, cold=False), data).before_run()
    assert data.resident() == FILE_PAGES


def test_a_drop_that_leaves_the_pages_fails_the_run_naming_them(data, monkeypatch):
    data.make_warm()
    monkeypatch.setattr(page_cache, "drop", lambda fd: None)
    # Nearly every page stays (the kernel may reclaim a few on its own meanwhile).
    with pytest.raises(RuntimeError, match=rf"^page cache not dropped: \d+ of "
                                           rf"{FILE_PAGES} pages resident$") as e:
        data.make_cold()
    assert int(str(e.value).split()[4]) > FILE_PAGES // 2


def test_resident_counts_what_mincore_sees(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"x" * (8 * 4096))
    fd = os.open(path, os.O_RDONLY)
    try:
        assert page_cache.resident_pages(fd, 8 * 4096) == 8  # just written: all cached
    finally:
        os.close(fd)


class TooShort:
    """A data file cut short after its first 100 bytes: every task's read is short."""

    def __init__(self, path: Path) -> None:
        path.write_bytes(b"x" * 100)
        self.fd = os.open(path, os.O_RDONLY)

    def make_warm(self) -> None:
        pass


@pytest.mark.parametrize("model", ["py_serial", "py_asyncio", "py_processes"])
def test_a_short_read_is_an_error_row_never_a_number(tmp_path, model):
    short = TooShort(tmp_path / "short")
    try:
        w = FileRead(Params(tasks=3, bytes=4096), short)
        ctx = Context(Profile("test", 2, 0.0), 2, lambda p: f"file_read/{p.model}")
        out = run_benchmark(ctx, 0, Point(model, 2 if model == "py_processes" else 1, w.params),
                            Prepared(w, w.reference(), task_cpu_s=1e-5))
    finally:
        os.close(short.fd)
    assert out.failed
    # Task 0 reads 100 bytes, the others none; a pool may report any one of them first.
    assert re.search(r"task (0: read 100|1: read 0|2: read 0) of 4096 bytes at offset \d+$",
                     out.rows[0]["error_message"]), out.rows[0]["error_message"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "file_read", *args],
                          capture_output=True, text=True, timeout=300)


def test_every_model_reproduces_the_serial_digests_warm_and_cold(tmp_path, disk_dir):
    out = tmp_path / "py_file_read.json"
    r = run(f"--models={','.join(registry.names())}", "--tasks=24", "--workers=3",
            "--cold=0,1", "--repetitions=1", "--min_time=0", f"--data-dir={disk_dir}",
            f"--out={out}")
    assert r.returncode == 0, r.stderr
    rows = [b for b in json.loads(out.read_text())["benchmarks"] if b["run_type"] == "iteration"]
    # A digest that differs from the serial model's is an error row: none is.
    assert not [row["name"] for row in rows if row.get("error_occurred")]
    assert {(row["run_name"].split("/")[1], row["cold"]) for row in rows} == {
        (m, c) for m in registry.names() for c in (0.0, 1.0)}
    for row in rows:
        assert row["run_name"].endswith(f"/bytes:4096/cold:{int(row['cold'])}")
        assert row["bytes"] == 4096 and row["sleep_us"] == 0 and row["tasks"] == 24
    # The gathered loops have every task in flight; their reads, the executor's threads.
    peaks = {row["run_name"].split("/")[1]: row["peak_inflight"] for row in rows}
    assert peaks["py_asyncio"] == peaks["py_uvloop"] == 24
    assert peaks["py_serial"] == peaks["py_asyncio_sequential"] == 1
    assert list(disk_dir.iterdir()) == []  # no file left behind


@pytest.mark.parametrize("make_dir, why", [
    (lambda tmp: tmp / "missing", "no such directory"),
    (lambda tmp: (tmp / "a_file").touch() or tmp / "a_file", "not a directory"),
])
def test_a_data_dir_that_cannot_hold_the_file_is_one_line_exit_2(tmp_path, make_dir, why):
    folder = make_dir(tmp_path)
    out = tmp_path / "r.json"
    r = run("--models=py_serial", "--tasks=2", "--repetitions=1", f"--data-dir={folder}",
            f"--out={out}")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"py_file_read: error: file_read: cannot make its 64 MiB file in '{folder}': {why}"]
    assert not out.exists()


def test_an_unwritable_data_dir_is_one_line_exit_2(request):
    as_nobody = ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]
    if subprocess.run([*as_nobody, "true"], capture_output=True).returncode != 0:
        pytest.skip("setpriv cannot switch to nobody here (root writes in any folder)")
    folder = Path(tempfile.mkdtemp(prefix="cvp-read-only-"))
    request.addfinalizer(lambda: shutil.rmtree(folder))
    folder.chmod(0o755)  # root's: nobody may look, not make a file in it
    r = subprocess.run([*as_nobody, sys.executable, str(SCRIPT), "file_read",
                        "--models=py_serial", "--tasks=2", "--repetitions=1",
                        f"--data-dir={folder}"], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"py_file_read: error: file_read: cannot make its 64 MiB file in '{folder}': "
        "Permission denied"]


def test_cold_on_tmpfs_is_refused_before_anything_runs():
    shm = "/dev/shm"
    if not os.path.isdir(shm) or page_cache.memory_filesystem(shm) != "tmpfs":
        pytest.skip("no tmpfs at /dev/shm")
    r = run("--models=py_serial", "--tasks=2", "--cold=1", "--repetitions=1",
            f"--data-dir={shm}")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "py_file_read: error: file_read: '/dev/shm' is on tmpfs, whose pages cannot be "
        "dropped from memory: cold=1 needs a --data-dir on a disk"]


def test_data_dir_and_cold_do_not_apply_to_other_harnesses():
    for flag in ("--data-dir=/var/tmp", "--cold=1"):
        r = subprocess.run([sys.executable, str(SCRIPT), "io_sleep", flag, "--list"],
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 2
        name = flag[2:].split("=")[0]
        assert r.stderr.splitlines() == [f"py_io_sleep: error: --{name} does not apply to "
                                         "py_io_sleep"]


def test_bytes_over_1_mib_are_refused():
    with pytest.raises(BadInput, match="bytes is 1048577; allowed: 1 to 1048576"):
        FileRead(Params(tasks=1, bytes=(1 << 20) + 1), data=None)
