"""Tests for bench/python/cvp_py.py: bad input, result files and their JSON, failed children."""

import json
import os
import re
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "python" / "cvp_py.py"
TINY = ["--repetitions=1", "--min_time=0"]
# The registry's model names, in its order, as the harness itself reads them.
MODELS = subprocess.run(
    [sys.executable, "-c",
     "from cvppy.models import registry; print(' '.join(registry.names()))"],
    cwd=SCRIPT.parent, capture_output=True, text=True, check=True).stdout.split()
# Their peak in flight depends on how fast CPython starts threads: tested with long
# waits in test_py_task_threads.py, left out of the tiny runs here.
TASK_THREAD_MODELS = ["py_thread_per_task", "py_threads_n"]
RUN_MODELS = [m for m in MODELS if m not in TASK_THREAD_MODELS]
COUNTERS = ("tasks", "workers", "sleep_us", "bytes", "rounds", "parallelism", "peak_inflight",
            "task_cpu_us", "ideal_ms", "efficiency", "cpu_share", "items_per_second", "cv_pct",
            "noisy", "latency_p50_ms", "latency_p99_ms")


def run(*args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          timeout=timeout)


def iterations(path: Path) -> list[dict]:
    return [b for b in json.loads(path.read_text())["benchmarks"] if b["run_type"] == "iteration"]


ALLOWED_MODELS = ", ".join(MODELS)


@pytest.mark.parametrize("args, message", [
    (["io_sleep", "--tasks=0"], "py_io_sleep: error: tasks is 0; allowed: 1 to 1000000"),
    (["io_sleep", "--tasks=-3"], "py_io_sleep: error: tasks is -3; allowed: 1 to 1000000"),
    (["io_sleep", "--tasks=1000001"],
     "py_io_sleep: error: tasks is 1000001; allowed: 1 to 1000000"),
    (["cpu_hash", "--workers=999"], "py_cpu_hash: error: workers is 999; allowed: 1 to 256"),
    (["io_sleep", "--sleep_us=99999999999"],
     "py_io_sleep: error: sleep_us is 99999999999; allowed: 0 to 10000000"),
    (["cpu_hash", "--bytes=0"], "py_cpu_hash: error: bytes is 0; allowed: 1 to 67108864"),
    (["cpu_hash", "--tasks=100000", "--bytes=65536"],
     "py_cpu_hash: error: tasks x bytes is 6553600000; allowed: 0 to 1073741824"),
    (["io_sleep", "--models=asyncio"],
     f"py_io_sleep: error: model is 'asyncio'; allowed: {ALLOWED_MODELS}"),
    (["mixed", "--profile=fast"],
     "py_mixed: error: profile is 'fast'; allowed: quick, default, full"),
    (["io_sleep", "--tasks=ten"], "py_io_sleep: error: --tasks: 'ten' is not a whole number"),
    (["io_sleep", "--bytes=64"], "py_io_sleep: error: --bytes does not apply to py_io_sleep"),
    (["io_sleep", "--repetitions=0"],
     "py_io_sleep: error: repetitions is 0; allowed: 1 to 1000"),
    (["io_sleep", "--frobnicate"],
     "py_io_sleep: error: unrecognized arguments: --frobnicate"),
    (["gpu_sleep"],
     "cvp_py: error: workload is 'gpu_sleep'; allowed: io_sleep, cpu_hash, mixed, shared_counter, "
     "net_rpc, file_read"),
    (["io_sleep", "--tasks=64", "--tasks=128"],
     "py_io_sleep: error: --tasks is given twice; give it once (lists take commas)"),
    (["io_sleep", "--list", "--list"],
     "py_io_sleep: error: --list is given twice; give it once (lists take commas)"),
    (["io_sleep", "--tasks=\u0666\u0664"], "py_io_sleep: error: --tasks: '\u0666\u0664' is not a whole number"),
    (["io_sleep", "--tasks=6_4"], "py_io_sleep: error: --tasks: '6_4' is not a whole number"),
    (["io_sleep", "--tasks= 64"], "py_io_sleep: error: --tasks: ' 64' is not a whole number"),
    (["io_sleep", "--tasks=+64"], "py_io_sleep: error: --tasks: '+64' is not a whole number"),
    (["io_sleep", "--repetitions=\uff13"],
     "py_io_sleep: error: --repetitions: '\uff13' is not a whole number"),
    (["io_sleep", "--min_time=1_0"],
     "py_io_sleep: error: --min_time: '1_0' is not a number of seconds (ASCII digits and one '.')"),
    # Control characters in an echoed value are escaped, never sent to the terminal raw.
    (["io_sleep", "--models=\x1b[2Jpy"],
     f"py_io_sleep: error: model is '\\x1b[2Jpy'; allowed: {ALLOWED_MODELS}"),
    (["io_sleep", "--profile=q\x9buick"],
     "py_io_sleep: error: profile is 'q\\x9buick'; allowed: quick, default, full"),
    (["io_sleep", "--tasks=6\x07"], "py_io_sleep: error: --tasks: '6\\x07' is not a whole number"),
    (["io_sleep", "--fr\x1b]0;x\x07"],
     "py_io_sleep: error: unrecognized arguments: --fr\\x1b]0;x\\x07"),
    (["gpu\rsleep"], "cvp_py: error: workload is 'gpu\\x0dsleep'; allowed: io_sleep, cpu_hash, "
                      "mixed, shared_counter, net_rpc, file_read"),
])
def test_bad_input_is_one_line_exit_2_and_nothing_written(tmp_path, args, message):
    out = tmp_path / "result.json"
    out.write_text("earlier results")
    r = run(*args, f"--out={out}")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [message]
    assert out.read_text() == "earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["result.json"]


@pytest.mark.parametrize("make_out", [
    lambda d: str(d),  # an existing directory
    lambda d: str(d / "results") + "/",  # ends with '/'
    lambda d: str(d / "a_file" / "result.json"),  # parent is a file
])
def test_an_out_that_is_not_a_file_path_is_refused_before_running(tmp_path, make_out):
    (tmp_path / "a_file").write_text("not a directory")
    r = run("io_sleep", "--models=py_serial", "--tasks=1", *TINY, f"--out={make_out(tmp_path)}")
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("py_io_sleep: error: --out is ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a_file"]


def test_an_empty_out_is_called_empty_not_a_directory(tmp_path):
    r = subprocess.run([sys.executable, str(SCRIPT), "io_sleep", "--models=py_serial",
                        "--tasks=1", *TINY, "--out="],
                       capture_output=True, text=True, timeout=60, cwd=tmp_path)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        "py_io_sleep: error: --out is empty; allowed: a file path (FILE.json)"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["r\n.json", "r\t.json", "r\x1b[2J.json", "r\x7f.json"])
def test_an_out_with_control_characters_is_refused(tmp_path, name):
    r = run("io_sleep", "--models=py_serial", "--tasks=1", *TINY, f"--out={tmp_path / name}")
    assert r.returncode == 2
    assert r.stderr.endswith("allowed: a file path without control characters\n")
    assert len(r.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def _device(folder: Path) -> Path:
    null = folder / "null"
    try:
        os.mknod(null, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod is not permitted here")
    return null


def _fifo(folder: Path) -> Path:
    os.mkfifo(folder / "fifo")
    return folder / "fifo"


def _symlink(folder: Path) -> Path:
    (folder / "target.json").write_text("earlier results")
    (folder / "link.json").symlink_to(folder / "target.json")
    return folder / "link.json"


@pytest.mark.parametrize("make, kind", [(_device, "a character device"), (_fifo, "a FIFO"),
                                        (_symlink, "a symbolic link")])
def test_an_out_that_is_not_a_regular_file_is_refused_and_left_alone(tmp_path, make, kind):
    out = make(tmp_path)
    before = os.lstat(out)
    listing = sorted(p.name for p in tmp_path.iterdir())
    r = run("cpu_hash", "--models=py_serial", "--tasks=64", "--bytes=64", *TINY, f"--out={out}")
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"py_cpu_hash: error: --out is '{out}', {kind}; allowed: a regular file or a path "
        "not yet made"]
    after = os.lstat(out)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino,
                                                            before.st_rdev)
    assert sorted(p.name for p in tmp_path.iterdir()) == listing


def _as_nobody(args: list[str]) -> list[str]:
    return ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups", *args]


def test_a_folder_that_takes_no_new_file_is_refused_before_running(request):
    probe = subprocess.run(_as_nobody(["true"]), capture_output=True)
    if probe.returncode != 0:
        pytest.skip("setpriv cannot switch to nobody here (root ignores a folder's mode)")
    # pytest's tmp_path sits in a folder only root may enter; nobody needs one it can read.
    top = Path(tempfile.mkdtemp(prefix="cvp-read-only-"))
    request.addfinalizer(lambda: shutil.rmtree(top))
    top.chmod(0o755)  # root's: nobody may look, not make a file in it
    folder = top / "read_only"
    folder.mkdir(mode=0o755)
    out = folder / "sub" / "r.json"
    r = subprocess.run(_as_nobody([sys.executable, str(SCRIPT), "io_sleep", "--models=py_serial",
                                   "--tasks=1", *TINY, f"--out={out}"]),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert r.stderr.splitlines() == [
        f"py_io_sleep: error: --out is '{out}'; '{folder}' does not take a new file "
        "(Permission denied)"]
    assert list(folder.iterdir()) == []


def test_help_uses_the_docstring_and_lists_the_flags():
    r = run("--help")
    assert r.returncode == 0
    assert "cvpbench's CPython harnesses" in r.stdout
    for flag in ("--profile", "--out", "--models", "--tasks", "--workers", "--sleep_us",
                 "--bytes", "--rounds", "--repetitions", "--list"):
        assert flag in r.stdout
    assert ALLOWED_MODELS in " ".join(r.stdout.split())


def test_list_prints_the_grid_names_and_runs_nothing(tmp_path):
    r = run("cpu_hash", "--profile=quick", "--list")
    assert r.returncode == 0
    names = r.stdout.split()
    assert "cpu_hash/py_serial/tasks:192/workers:1/bytes:64" in names
    assert all(n.startswith("cpu_hash/py_") for n in names)
    r = run("cpu_hash", "--models=py_threads", "--tasks=5", "--workers=2", "--bytes=64",
            "--rounds=2", "--list")
    assert r.stdout.split() == ["cpu_hash/py_threads/tasks:5/workers:2/bytes:64/rounds:2"]
    r = run("shared_counter", "--models=py_asyncio", "--tasks=5", "--list")
    # In the C++ harness's order: lock, then wait, each 0 then 1.
    assert r.stdout.split() == [
        f"shared_counter/py_asyncio/tasks:5/workers:1/sleep_us:1000/lock:{lock}/wait:{wait}"
        for lock in (0, 1) for wait in (0, 1)]


def test_every_model_writes_rows_with_sane_counters(tmp_path):
    out = tmp_path / "py_io_sleep.json"
    r = run("io_sleep", f"--models={','.join(RUN_MODELS)}", "--tasks=6", "--workers=2",
            "--sleep_us=2000", "--repetitions=2", "--min_time=0", f"--out={out}")
    assert r.returncode == 0, r.stderr
    rows = iterations(out)
    assert {row["run_name"].split("/")[1] for row in rows} == set(RUN_MODELS)
    for row in rows:
        assert not row.get("error_occurred")
        for counter in COUNTERS:
            assert counter in row, (row["name"], counter)
        model = row["run_name"].split("/")[1]
        assert row["tasks"] == 6 and row["sleep_us"] == 2000 and row["bytes"] == 0
        want_peak = {"py_asyncio": 6, "py_uvloop": 6, "py_threads": 2, "py_asyncio_offload": 2,
                     "py_processes": 2}.get(model, 1)
        assert row["peak_inflight"] == want_peak, row["name"]
        assert row["workers"] == (2 if want_peak == 2 else 1)
        assert 0 < row["efficiency"] and row["ideal_ms"] > 0
    aggregates = [b for b in json.loads(out.read_text())["benchmarks"]
                  if b["run_type"] == "aggregate"]
    assert len(aggregates) == 6 * len(RUN_MODELS)  # mean median stddev cv ci95_low ci95_high
    lines = [line for line in r.stderr.splitlines() if line.startswith("[")]
    assert len(lines) == len(RUN_MODELS)
    for k, line in enumerate(lines, 1):
        assert re.fullmatch(rf"\[{k}/{len(RUN_MODELS)}\] io_sleep/py_\S+: \d+\.\d{{3}} ms, "
                            r"parallelism .*  \(elapsed \d+:\d\d, ~\d+:\d\d left\)", line), line


def test_no_model_finishes_a_task_before_its_wait(tmp_path):
    # Every model, the thread-per-task ones too: each task's latency is at least
    # T = 20 ms, however loaded the machine (a sleep never ends early; uvloop 0.17's
    # timers up to 1 ms early, from libuv's clock in whole ms: tests/test_py_models.py
    # says why), so are p50 and p99, and no task takes longer than its one timed run.
    out = tmp_path / "py_io_sleep.json"
    r = run("io_sleep", f"--models={','.join(MODELS)}", "--tasks=6", "--workers=2",
            "--sleep_us=20000", *TINY, f"--out={out}")
    assert r.returncode == 0, r.stderr
    rows = iterations(out)
    assert {row["run_name"].split("/")[1] for row in rows} == set(MODELS)
    for row in rows:
        earliest = 19 if "/py_uvloop/" in row["name"] else 20
        assert row["iterations"] == 1, row["name"]
        assert earliest <= row["latency_p50_ms"] <= row["latency_p99_ms"] <= row["real_time"], row


def test_the_context_names_the_interpreter_and_the_models(tmp_path):
    out = tmp_path / "py_cpu_hash.json"
    r = run("cpu_hash", "--models=py_serial,py_asyncio,py_uvloop,py_processes", "--tasks=8",
            "--workers=2", "--bytes=64", *TINY, f"--out={out}")
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    ctx = data["context"]
    assert ctx["cvp_harness"] == "py_cpu_hash" and ctx["cvp_language"] == "python"
    assert ctx["cvp_profile"] == "default"
    for key in ("python_implementation", "python_version", "python_gil", "uvloop_version",
                "openssl_version", "cvpbench_version", "cpus_usable", "date", "host_name",
                "num_cpus", "timer_slack_ns"):
        assert key in ctx, key
    assert ctx["python_gil"] in ("yes", "no")
    assert ctx["cvpbench_version"] != "unknown"
    assert [m["name"] for m in json.loads(ctx["cvp_models"])] == [
        "py_serial", "py_asyncio", "py_uvloop", "py_processes"]
    load = json.loads(ctx["cvp_load"])
    assert set(load) == {"interval_s", "other_busy_cpus", "steal_pct", "loadavg_start",
                         "loadavg_end", "loaded"}
    assert "task_cpu_us/tasks:8/sleep_us:0/bytes:64/rounds:256" in ctx
    for row in iterations(out):
        assert row["speedup"] > 0 and row["bytes_per_second"] > 0 and row["rounds"] == 256
        assert row["cpu_share"] == 1.0
        if "py_uvloop" in row["name"] or "py_asyncio" in row["name"]:
            # One thread: concurrent, never parallel (two cores would give 2).
            # The bound allows the clocks' granularity on runs of 8 tasks, which
            # a loaded machine stretches (1.053 and 1.18 seen beside a build).
            assert row["parallelism"] <= 1.5


def test_shared_counter_rows_report_lost_updates(tmp_path):
    out = tmp_path / "py_shared_counter.json"
    r = run("shared_counter", "--models=py_asyncio,py_threads", "--tasks=10", "--workers=2",
            *TINY, f"--out={out}")
    assert r.returncode == 0, r.stderr
    lost = {row["run_name"]: row["lost_updates"] for row in iterations(out)}
    name = "shared_counter/{}/tasks:10/workers:{}/sleep_us:1000/lock:{}/wait:{}"
    assert lost[name.format("py_asyncio", 1, 0, 1)] > 0
    assert lost[name.format("py_asyncio", 1, 0, 0)] == 0
    assert lost[name.format("py_asyncio", 1, 1, 1)] == 0
    assert lost[name.format("py_threads", 2, 0, 1)] > 0
    assert lost[name.format("py_threads", 2, 1, 1)] == 0


def test_second_run_keeps_the_first_in_previous(tmp_path):
    out = tmp_path / "py_io_sleep.json"
    args = ["io_sleep", "--models=py_uvloop", "--tasks=3", "--sleep_us=1000", *TINY,
            f"--out={out}"]
    assert run(*args).returncode == 0
    first = out.read_text()
    assert run(*args).returncode == 0
    assert (tmp_path / "previous" / "py_io_sleep.json").read_text() == first
    assert out.read_text() != first
    assert sorted(p.name for p in tmp_path.iterdir()) == ["previous", "py_io_sleep.json"]
    assert sorted(p.name for p in (tmp_path / "previous").iterdir()) == ["py_io_sleep.json"]


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def test_killed_worker_fails_the_run_and_keeps_earlier_results(tmp_path):
    out = tmp_path / "py_io_sleep.json"
    out.write_text("earlier results")
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "io_sleep", "--models=py_processes", "--tasks=2",
         "--workers=2", "--sleep_us=5000000", *TINY, f"--out={out}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    kids = _children(proc.pid)
    assert len(kids) == 2
    time.sleep(0.5)  # into the run: the workers sleep 5 s each
    os.kill(kids[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert f"worker process {kids[0]} was killed by signal 9 (SIGKILL)" in stderr
    assert "Traceback" not in stderr
    assert out.read_text() == "earlier results"
    failed = json.loads((tmp_path / "py_io_sleep.json.failed").read_text())
    assert failed["benchmarks"][0]["error_occurred"] is True
    assert not list(tmp_path.glob("*.partial"))
    assert not list(tmp_path.glob("previous"))


def _alive(pid: int) -> bool:
    """Whether pid still runs (a zombie, dead but not yet reaped by init, does not)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, ProcessLookupError):
        return False


def _start_processes_run(out: Path, tasks: int, sleep_us: int) -> tuple[subprocess.Popen, list]:
    """A py_processes run with 2 workers, returned once both workers run."""
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "io_sleep", "--models=py_processes", f"--tasks={tasks}",
         "--workers=2", f"--sleep_us={sleep_us}", *TINY, f"--out={out}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    kids = _children(proc.pid)
    assert len(kids) == 2
    time.sleep(0.5)  # into the run
    return proc, kids


@pytest.mark.parametrize("signum", [signal.SIGKILL, signal.SIGHUP, signal.SIGTERM])
def test_workers_die_with_the_harness(tmp_path, signum):
    out = tmp_path / "py_io_sleep.json"
    out.write_text("earlier results")
    proc, kids = _start_processes_run(out, tasks=8, sleep_us=5_000_000)
    os.kill(proc.pid, signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode in (-signum, 128 + signum)
    deadline = time.monotonic() + 10  # an instant on an idle machine
    while any(_alive(k) for k in kids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert [k for k in kids if _alive(k)] == []
    assert "Traceback" not in stderr
    if signum != signal.SIGKILL:
        assert stderr.splitlines()[-1] == (
            f"py_io_sleep: terminated by {signal.Signals(signum).name}; nothing written")
    assert out.read_text() == "earlier results"


def test_a_stopped_worker_is_killed_and_named_well_before_the_old_50_s(tmp_path):
    out = tmp_path / "py_io_sleep.json"
    proc, kids = _start_processes_run(out, tasks=16, sleep_us=100_000)
    os.kill(kids[0], signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        _, stderr = proc.communicate(timeout=60)
    finally:
        for k in kids:
            if _alive(k):
                os.kill(k, signal.SIGKILL)
    # 10 s (the deadline's floor) on an idle machine; 30 s leaves a wide margin.
    assert time.monotonic() - t0 < 30
    assert proc.returncode == 1
    assert f"worker process {kids[0]} made no progress in the run within 10.0 s; killed" in stderr
    assert not _alive(kids[0])
    assert json.loads((tmp_path / "py_io_sleep.json.failed").read_text())["benchmarks"]


def test_a_stopped_worker_is_found_by_its_task_not_its_chunk_on_a_large_grid(tmp_path):
    # N = 2000 of 10 ms at W = 2: a chunk is 250 tasks (2.5 s), so a deadline on the
    # chunk is 50 s; one on the task is its floor, 10 s, whatever N is.
    out = tmp_path / "py_io_sleep.json"
    proc, kids = _start_processes_run(out, tasks=2000, sleep_us=10_000)
    os.kill(kids[0], signal.SIGSTOP)
    t0 = time.monotonic()
    try:
        _, stderr = proc.communicate(timeout=90)
    finally:
        for k in kids:
            if _alive(k):
                os.kill(k, signal.SIGKILL)
    # About 10 s on an idle machine; 30 s leaves a wide margin and is below the old 50 s.
    assert time.monotonic() - t0 < 30, stderr
    assert proc.returncode == 1
    assert f"worker process {kids[0]} made no progress in the run within 10.0 s; killed" in stderr
    assert "Traceback" not in stderr


@pytest.mark.parametrize("model", ["py_serial", "py_processes"])
def test_sigint_ends_the_run_even_when_it_was_ignored_at_start(tmp_path, model):
    # A background job of a non-interactive shell starts with SIGINT ignored; the
    # C++ harnesses still end by it (130), so must this one.
    out = tmp_path / "py_io_sleep.json"
    proc = subprocess.Popen(
        [sys.executable, str(SCRIPT), "io_sleep", f"--models={model}", "--tasks=100",
         "--workers=2", "--sleep_us=50000", "--repetitions=3", f"--out={out}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    assert "profile" in proc.stderr.readline()  # the run has begun
    kids = _children(proc.pid)
    os.kill(proc.pid, signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 130, stderr
    assert stderr.splitlines()[-1] == "py_io_sleep: interrupted; nothing written"
    assert "Traceback" not in stderr
    assert not out.exists()
    assert [k for k in kids if _alive(k)] == []


@pytest.mark.parametrize("kib", [15000, 20000, 30000, 40000, 50000])
def test_too_little_memory_is_one_line_even_at_import(tmp_path, kib):
    # Each limit fails somewhere else: importing cvppy (MemoryError), mapping
    # libssl (ImportError), making the messages, starting threads.
    out = tmp_path / "p.json"
    command = " ".join([sys.executable, str(SCRIPT), "cpu_hash", "--profile=quick",
                        "--models=py_threads", "--tasks=64", *TINY, f"--out={out}"])
    r = subprocess.run(["bash", "-c", f"ulimit -v {kib}; exec {command}"],
                       capture_output=True, text=True, timeout=120)
    if "error while loading shared libraries" in r.stderr:
        pytest.skip("the interpreter itself does not start under this limit here")
    assert r.returncode in (0, 1, 2), r.stderr
    assert "Traceback" not in r.stderr
    assert all(line.startswith(("py_cpu_hash: ", "[", "cpu_hash/"))
               for line in r.stderr.splitlines()), r.stderr
    if r.returncode == 1:
        assert "py_cpu_hash: error: " in r.stderr
        assert "py_cpu_hash: error: \n" not in r.stderr  # an error says what it is


def test_the_harness_does_not_import_numpy():
    code = (f"import sys; sys.path.insert(0, {str(SCRIPT.parent)!r}); import cvppy.cli; "
            "import cvppy.workloads.cpu_hash; print('numpy' in sys.modules)")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert r.stdout.strip() == "False", r.stderr


def _limited(limit: str, out: Path, user: list[str] = ()) -> subprocess.CompletedProcess:
    command = " ".join([sys.executable, str(SCRIPT), "cpu_hash", "--models=py_processes",
                        "--tasks=64", "--bytes=64", "--workers=2", *TINY, f"--out={out}"])
    return subprocess.run([*user, "bash", "-c", f"ulimit {limit}; exec {command}"],
                          capture_output=True, text=True, timeout=60)


def test_processes_under_few_descriptors_fail_in_one_row_and_exit(tmp_path):
    out = tmp_path / "py_cpu_hash.json"
    r = _limited("-n 16", out)
    assert r.returncode == 1, r.stderr
    assert ("cpu_hash/py_processes/tasks:64/workers:2/bytes:64: error: cannot start 2 worker "
            "processes: [Errno 24] Too many open files") in r.stderr
    assert "Traceback" not in r.stderr
    assert json.loads((tmp_path / "py_cpu_hash.json.failed").read_text())["benchmarks"]


def test_processes_under_few_processes_fail_in_one_row_and_exit(request):
    if subprocess.run(_as_nobody(["true"]), capture_output=True).returncode != 0:
        pytest.skip("setpriv cannot switch to nobody here (RLIMIT_NPROC binds no root)")
    top = Path(tempfile.mkdtemp(prefix="cvp-nproc-"))
    request.addfinalizer(lambda: shutil.rmtree(top))
    top.chmod(0o777)
    # Each limit fails at a different step: the fork, the pool's manager thread, its
    # queue's feeder thread; a limit that leaves room lets the run succeed.
    for nproc in range(2, 7):
        out = top / f"nproc{nproc}.json"
        r = _limited(f"-u {nproc}", out, _as_nobody([]))
        assert r.returncode in (0, 1), (nproc, r.stderr)
        assert "Traceback" not in r.stderr, (nproc, r.stderr)
        kept = out if r.returncode == 0 else top / f"nproc{nproc}.json.failed"
        assert json.loads(kept.read_text())["benchmarks"], nproc


@pytest.mark.parametrize("model", ["py_threads", "py_asyncio_offload"])
def test_a_thread_that_cannot_start_is_an_error_row_naming_the_limit(request, model):
    if subprocess.run(_as_nobody(["true"]), capture_output=True).returncode != 0:
        pytest.skip("setpriv cannot switch to nobody here (RLIMIT_NPROC binds no root)")
    top = Path(tempfile.mkdtemp(prefix="cvp-threads-"))
    request.addfinalizer(lambda: shutil.rmtree(top))
    top.chmod(0o777)
    out = top / "py_io_sleep.json"
    command = " ".join([sys.executable, str(SCRIPT), "io_sleep", f"--models={model}",
                        "--tasks=4", "--workers=2", "--sleep_us=1000", *TINY, f"--out={out}"])
    r = subprocess.run(_as_nobody(["bash", "-c", f"ulimit -u 2; exec {command}"]),
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 1, r.stderr
    rows = json.loads((top / "py_io_sleep.json.failed").read_text())["benchmarks"]
    # Alone, thread 2 fails at the limit; RLIMIT_NPROC counts every process of nobody,
    # so one running meanwhile (another test) may take the slot and fail thread 1.
    want = re.compile(r"cannot start thread ([12]) of 2: can't start new thread \(RLIMIT_NPROC "
                      r"(2 reached|is 2: \d+ threads here, and the user's other processes "
                      r"count too)\)")
    assert want.fullmatch(rows[0]["error_message"]), rows[0]["error_message"]
    assert rows[0]["error_message"] in r.stderr
