"""The mpi harness (bench/mpi/) under mpiexec: two ranks from a hostfile's
two slots, refused input, a rank killed or stopped in a run, and the merge of
the launches' files. Skipped where the harness was not built (no MPI)."""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

HARNESS = os.environ.get("CVP_MPI", "")
MPIEXEC = os.environ.get("CVP_MPIEXEC", "mpiexec")
MERGE = Path(__file__).resolve().parent.parent / "bench" / "mpi" / "merge_results.py"

needs_mpi = pytest.mark.skipif(not HARNESS, reason="CVP_MPI is not set: the mpi harness was not built")

# Open MPI refuses to start as root without both; set for these runs only.
ENV = {**os.environ, "OMPI_ALLOW_RUN_AS_ROOT": "1", "OMPI_ALLOW_RUN_AS_ROOT_CONFIRM": "1"}
RANKS_LINE = re.compile(r"mpi: (\d+) ranks: (.*)")
RANK = re.compile(r"rank (\d+) \(pid (\d+) on ([^)]*)\)")


def mpiexec(*args: str, ranks: int = 2, hostfile: Path | None = None) -> list[str]:
    where = ["--hostfile", str(hostfile)] if hostfile else ["--oversubscribe"]
    return [MPIEXEC, "-n", str(ranks), *where, "--bind-to", "none", "--timeout", "60",
            HARNESS, *args]


def run(cmd: list[str], timeout: float = 90) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=ENV, capture_output=True, text=True, timeout=timeout)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, IndexError):
        return False
    return state != "Z"


def processes_mentioning(text: str) -> list[int]:
    found = []
    for d in Path("/proc").iterdir():
        if d.name.isdigit() and int(d.name) != os.getpid():
            try:
                if text in (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"):
                    found.append(int(d.name))
            except OSError:
                pass
    return found


@needs_mpi
def test_two_slots_of_a_hostfile_run_two_ranks_with_checked_digests(tmp_path: Path) -> None:
    hostfile = tmp_path / "hosts"
    hostfile.write_text("localhost slots=2\n")
    out = tmp_path / "mpi.json"
    r = run(mpiexec("--profile=quick", "--workloads=cpu_hash,io_sleep", "--tasks=64",
                    "--bytes=4096", "--sleep_us=1000", f"--out={out}", hostfile=hostfile))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    ctx = data["context"]
    assert ctx["cvp_harness"] == "mpi" and ctx["mpi_ranks"] == "2"
    assert len(ctx["mpi_hosts"].split(",")) == 2
    assert ctx["mpi_library"].startswith("Open MPI")
    assert [m["name"] for m in json.loads(ctx["cvp_models"])] == ["mpi"]
    assert "other_busy_cpus" in json.loads(ctx["cvp_load"])
    rows = {b["name"]: b for b in data["benchmarks"] if b["run_type"] == "iteration"}
    assert set(rows) == {"cpu_hash/mpi/tasks:64/workers:2/bytes:4096/manual_time",
                         "io_sleep/mpi/tasks:64/workers:2/sleep_us:1000/manual_time"}
    for b in rows.values():
        assert not b.get("error_occurred")
        for counter in ("tasks", "workers", "sleep_us", "bytes", "rounds", "parallelism",
                        "peak_inflight", "task_cpu_us", "ideal_ms", "efficiency", "cpu_share",
                        "items_per_second", "dispatch_us", "cv_pct", "noisy"):
            assert counter in b, counter
        assert b["workers"] == 2 and 1 <= b["peak_inflight"] <= 2
        # Every task's latency, rank 0's and those the other rank sent with its digests.
        assert 0 < b["latency_p50_ms"] <= b["latency_p99_ms"]
    # No task ends before its 1 ms wait, on whichever rank it ran.
    assert rows["io_sleep/mpi/tasks:64/workers:2/sleep_us:1000/manual_time"]["latency_p50_ms"] >= 1.0
    assert "speedup" in rows["cpu_hash/mpi/tasks:64/workers:2/bytes:4096/manual_time"]
    assert "bytes_per_second" in rows["cpu_hash/mpi/tasks:64/workers:2/bytes:4096/manual_time"]
    # The console, piped: one line per benchmark on stderr, no table and no colours (a rank's
    # stdout is a pseudo-terminal under mpiexec even when mpiexec's is a pipe).
    lines = [l for l in r.stderr.splitlines() if l.startswith("[")]
    assert [l.split(":")[0] for l in lines] == ["[1/2] cpu_hash/mpi/tasks", "[2/2] io_sleep/mpi/tasks"]
    assert "\x1b[" not in r.stdout + r.stderr
    assert r.stdout == ""


def listed(cmd: list[str]) -> list[str]:
    r = run(cmd)
    assert r.returncode == 0, r.stderr
    return [re.sub(r"/iterations:\d+", "", line) for line in r.stdout.splitlines() if line]


@needs_mpi
@pytest.mark.parametrize("profile", ["quick", "default"])
def test_the_grid_is_the_harnesses_process_pool_points_at_w_ranks(profile: str) -> None:
    # The mpi harness takes its grid from the workload harnesses' own
    # definitions: where a harness runs process_pool at W = 2, two ranks run
    # exactly those points as mpi (every rank listing once, rank 0 only).
    mpi = listed(mpiexec(f"--profile={profile}", "--benchmark_list_tests"))
    bench_dir = Path(os.environ["CVP_CPU_HASH"]).parent
    compared = 0
    for workload in ("io_sleep", "cpu_hash", "mixed"):
        pool = listed([str(bench_dir / workload), f"--profile={profile}", "--benchmark_list_tests",
                       "--benchmark_filter=/process_pool/tasks:[0-9]+/workers:2/"])
        mine = [n for n in mpi if n.startswith(workload + "/")]
        assert mine, f"no {workload} point in the mpi grid"
        if pool:
            assert mine == [n.replace("/process_pool/", "/mpi/") for n in pool]
            compared += 1
    assert compared >= 2  # io_sleep and cpu_hash always run process_pool at W = 2


@needs_mpi
@pytest.mark.parametrize("args, message", [
    (["--out=/tmp/"], "--out is '/tmp/'"),
    (["--workloads=disk"], "'disk' is not a workload"),
    (["--workers=2"], "W is the number of ranks"),
    (["--bytes=64", "--workloads=io_sleep"], "--bytes applies to none"),
    (["--tasks=0"], "tasks is 0"),
    # Each rank would shuffle the benchmarks its own way: rank 0 would hand
    # out one benchmark's tasks to a rank running another.
    (["--benchmark_enable_random_interleaving=true"], "every rank must run the benchmarks in"),
    (["--benchmark_repetitions=0"], "--benchmark_repetitions is '0'"),
    (["--benchmark_out=x.json"], "use --out=FILE.json"),
    (["--out=/proc/cvp.json"], "no file can be made in '/proc'"),
])
def test_bad_input_is_refused_before_anything_runs(tmp_path: Path, args: list[str],
                                                    message: str) -> None:
    r = run(mpiexec(*args, ranks=1))
    assert r.returncode == 2, r.stderr
    assert message in r.stderr
    assert r.stdout == ""


IN_RUNS = ("--workloads=io_sleep", "--tasks=400", "--sleep_us=5000", "--benchmark_repetitions=30")


def start(tmp_path: Path, previous: str, ranks: int = 2, args: tuple[str, ...] = IN_RUNS,
          settle_s: float = 1.5):
    out = tmp_path / "mpi.json"
    out.write_text(previous)
    log = open(tmp_path / "stderr.txt", "w+")
    proc = subprocess.Popen(mpiexec("--profile=quick", *args, f"--out={out}", ranks=ranks),
                            env=ENV, stdout=subprocess.PIPE, stderr=log, text=True)
    deadline = time.monotonic() + 30
    ranks_seen: dict[int, int] = {}
    while time.monotonic() < deadline and not ranks_seen:
        log.seek(0)
        for line in log:
            if m := RANKS_LINE.search(line):
                ranks_seen = {int(r): int(p) for r, p, _ in RANK.findall(m.group(2))}
        time.sleep(0.05)
    assert ranks_seen, "the harness never listed its ranks"
    time.sleep(settle_s)  # by default, into the timed runs
    return proc, out, ranks_seen


def finish(proc: subprocess.Popen, limit_s: float) -> tuple[int, str, float]:
    t0 = time.monotonic()
    try:
        stdout, _ = proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail("mpiexec did not end within 30 s")
    took = time.monotonic() - t0
    assert took < limit_s, f"took {took:.1f} s"
    return proc.returncode, stdout, took


@needs_mpi
def test_a_rank_killed_in_a_run_is_an_error_row_and_keeps_the_previous_result(
        tmp_path: Path) -> None:
    proc, out, ranks = start(tmp_path, '{"previous": true}\n')
    os.kill(ranks[1], signal.SIGKILL)
    code, stdout, _ = finish(proc, 10)
    assert code != 0
    assert out.read_text() == '{"previous": true}\n'
    failed = json.loads((tmp_path / "mpi.json.failed").read_text())
    errors = [b["error_message"] for b in failed["benchmarks"] if b.get("error_occurred")]
    assert errors and "rank 1" in errors[0]
    # One console line for the failed benchmark, on stderr; no table, no colours.
    log = (tmp_path / "stderr.txt").read_text()
    assert re.search(r"^\[1/\d+\] io_sleep/mpi/\S+: error: .*rank 1", log, re.M), log
    assert "\x1b[" not in stdout + log
    time.sleep(0.5)
    assert not [p for p in ranks.values() if alive(p)]
    assert processes_mentioning(str(out)) == []


def stop_rank(proc: subprocess.Popen, out: Path, ranks: dict[int, int], rank: int,
              limit_s: float) -> str:
    """SIGSTOPs `rank`; checks that the job ends within `limit_s`, fails, keeps
    the previous result and leaves no rank behind. Returns its stdout."""
    os.kill(ranks[rank], signal.SIGSTOP)
    try:
        code, stdout, _ = finish(proc, limit_s)
    finally:
        if alive(ranks[rank]):
            os.kill(ranks[rank], signal.SIGKILL)
    assert code != 0
    assert out.read_text() == "previous\n"
    # Rank 0, stopped or not, never leaves a temporary result file behind.
    assert not list(out.parent.glob(".*.partial"))
    time.sleep(0.5)
    assert not [p for p in ranks.values() if alive(p)]
    return stdout


@needs_mpi
def test_a_stopped_rank_is_an_error_row_within_the_progress_timeout(tmp_path: Path) -> None:
    proc, out, ranks = start(tmp_path, "previous\n")
    stop_rank(proc, out, ranks, 1, 15)
    log = (tmp_path / "stderr.txt").read_text()  # the console line is on stderr
    assert "made no progress" in log or "held tasks" in log, log
    assert processes_mentioning(str(out)) == []


@needs_mpi
def test_rank_0_stopped_in_a_run_ends_the_job_from_the_other_ranks(tmp_path: Path) -> None:
    # Rank 0 cannot report; the others stop waiting for its replies after
    # the progress timeout and end the job.
    proc, out, ranks = start(tmp_path, "previous\n")
    stop_rank(proc, out, ranks, 0, 15)
    log = (tmp_path / "stderr.txt").read_text()
    assert "no progress while waiting for rank 0" in log
    # The rank at fault is named, not only the rank that noticed and ended the job.
    assert f"rank 0 (pid {ranks[0]} on " in log and ") is stopped" in log, log


@needs_mpi
def test_rank_0_told_to_stop_keeps_its_result_as_failed_and_no_temporary_file(
        tmp_path: Path) -> None:
    # One rank, runs of a millisecond: no wait of rank 0 looks at the stop
    # signal, so it finishes its runs, and used to publish them (or be
    # killed while it did, leaving its complete .partial file and no
    # .failed). A run mpiexec is ending is kept as failed, never published.
    proc, out, ranks = start(tmp_path, "previous\n", ranks=1, settle_s=0.3, args=(
        "--workloads=io_sleep", "--tasks=1", "--sleep_us=1000", "--benchmark_repetitions=60"))
    os.kill(ranks[0], signal.SIGTERM)
    code, _, _ = finish(proc, 20)
    assert code != 0
    assert out.read_text() == "previous\n"
    failed = json.loads((tmp_path / "mpi.json.failed").read_text())
    assert failed["benchmarks"]
    assert not list(tmp_path.glob(".*.partial"))
    assert "left unchanged" in (tmp_path / "stderr.txt").read_text()


@needs_mpi
def test_a_rank_stopped_while_rank_0_calibrates_ends_the_job_within_a_bounded_time(
        tmp_path: Path) -> None:
    # Rank 0 calibrates (a serial run of 20 000 hashes) while the others wait
    # for the plan; a rank stopped then cannot take it, nor send its CPU time.
    proc, out, ranks = start(tmp_path, "previous\n", args=(
        "--workloads=cpu_hash", "--tasks=20000", "--bytes=65536"), settle_s=0.1)
    stop_rank(proc, out, ranks, 1, 28)
    assert "no progress while waiting for every rank" in (tmp_path / "stderr.txt").read_text()


@needs_mpi
def test_listing_the_grid_names_it_as_the_rows_do_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "mpi.json"
    r = run(mpiexec("--profile=quick", "--workloads=cpu_hash", "--benchmark_list_tests",
                    f"--out={out}"))
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 2, r.stdout  # the quick grid's two message sizes, once (rank 0 only)
    for line, size in zip(lines, ("64", "65536")):
        assert re.fullmatch(rf"cpu_hash/mpi/tasks:\d+/workers:2/bytes:{size}/manual_time", line)
    assert not out.exists() and list(tmp_path.iterdir()) == []


def result(path: Path, ranks: int, profile: str = "quick", error: bool = False) -> Path:
    row = {"name": f"cpu_hash/mpi/tasks:64/workers:{ranks}/bytes:64/manual_time",
           "run_type": "iteration", "real_time": 1.0}
    if error:
        row["error_occurred"] = True
    path.write_text(json.dumps({
        "context": {"cvp_harness": "mpi", "cvp_profile": profile, "mpi_ranks": str(ranks),
                    "mpi_hosts": ",".join(["vm"] * ranks),
                    "cvp_load": json.dumps({"other_busy_cpus": 0.1 * ranks})},
        "benchmarks": [row]}))
    return path


def merge(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(MERGE), *args], capture_output=True, text=True,
                          timeout=60)


def test_merge_joins_the_launches_and_keeps_the_replaced_file(tmp_path: Path) -> None:
    out = tmp_path / "mpi.json"
    out.write_text('{"old": 1}')
    r = merge("-o", str(out), str(result(tmp_path / "w1.json", 1)),
              str(result(tmp_path / "w2.json", 2)))
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert [b["name"].split("/")[3] for b in data["benchmarks"]] == ["workers:1", "workers:2"]
    assert data["context"]["mpi_ranks"] == "1,2"
    assert json.loads(data["context"]["cvp_load"])["other_busy_cpus"] == 0.2
    assert (tmp_path / "previous" / "mpi.json").read_text() == '{"old": 1}'


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.json", "no such file"),
    (lambda d: result(d / "bad.json", 2, error=True), "is in error"),
    (lambda d: (d / "junk.json").write_text("{") and d / "junk.json", "not JSON"),
    (lambda d: (d / "deep.json").write_text("[" * 100000 + "]" * 100000) and d / "deep.json",
     "nested too deeply"),
    (lambda d: (d / "rows.json").write_text(json.dumps({"context": {"cvp_harness": "mpi"},
                                                        "benchmarks": [1]})) and d / "rows.json",
     "not an object"),
], ids=["missing", "in-error", "junk", "nested-100000", "row-not-object"])
def test_merge_refuses_bad_input_and_writes_nothing(tmp_path: Path, make, message: str) -> None:
    out = tmp_path / "mpi.json"
    out.write_text("kept")
    r = merge("-o", str(out), str(result(tmp_path / "w1.json", 1)), str(make(tmp_path)))
    assert r.returncode == 2
    assert r.stderr.startswith("merge_results.py: error: ") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1  # never a traceback
    assert out.read_text() == "kept"


@pytest.mark.parametrize("make, message", [
    (lambda p: os.mkfifo(p), "is a FIFO, not a regular file"),
    (lambda p: os.symlink("/dev/zero", p), "is a character device, not a regular file"),
    (lambda p: open(p, "wb").truncate(10 * 2**30), f"{10 * 2**30} bytes; allowed: at most 64 MiB"),
], ids=["fifo", "dev-zero", "sparse-10-GB"])
def test_merge_refuses_unbounded_input_at_once(tmp_path: Path, make, message: str) -> None:
    # Was: a FIFO hung, /dev/zero grew to 1 GB, a 10 GB sparse file was read whole.
    bad = tmp_path / "bad.json"
    make(bad)
    out = tmp_path / "mpi.json"
    start = time.monotonic()
    r = merge("-o", str(out), str(result(tmp_path / "w1.json", 1)), str(bad))
    assert time.monotonic() - start < 30
    assert r.returncode == 2, r.stderr
    assert r.stderr == f"merge_results.py: error: {bad}: {message}\n"
    assert not out.exists()


def test_merge_refuses_a_symlink_output_up_front(tmp_path: Path) -> None:
    victim = tmp_path / "victim.json"
    victim.write_text("kept")
    out = tmp_path / "mpi.json"
    out.symlink_to(victim)
    r = merge("-o", str(out), str(result(tmp_path / "w1.json", 1)))
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(f"merge_results.py: error: {out}: ") and "symbolic link" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert out.is_symlink() and victim.read_text() == "kept"


def test_merge_refuses_to_write_over_its_own_input(tmp_path: Path) -> None:
    w2 = result(tmp_path / "w2.json", 2)
    before = w2.read_text()
    r = merge("-o", str(w2), str(w2))
    assert r.returncode == 2, r.stderr
    assert "refusing to write over an input" in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert w2.read_text() == before and not (tmp_path / "previous").exists()


@pytest.mark.parametrize("args, message", [
    (["-o", ""], "-o/--out: an empty path"),
    (["-o", "a.json", "-o", "b.json"], "-o/--out given more than once"),
], ids=["empty", "repeated"])
def test_merge_option_errors_are_one_line(tmp_path: Path, args: list[str], message: str) -> None:
    r = merge(*[str(tmp_path / a) if a.endswith(".json") else a for a in args],
              str(result(tmp_path / "w1.json", 1)))
    assert r.returncode == 2
    assert r.stderr.startswith("merge_results.py: error: ") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_merge_refuses_launches_of_different_profiles(tmp_path: Path) -> None:
    r = merge("-o", str(tmp_path / "mpi.json"), str(result(tmp_path / "w1.json", 1)),
              str(result(tmp_path / "w2.json", 2, profile="full")))
    assert r.returncode == 2 and "profile" in r.stderr
