"""Tests for bench/harness.cpp's command line: bad input, result files, failed children."""

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

TINY = ["--benchmark_repetitions=1", "--benchmark_min_time=0.01"]


def registered_models(binary: Path) -> list[str]:
    """The models the harness's registry knows, as its --help lists them."""
    out = subprocess.run([str(binary), "--help"], capture_output=True, text=True, check=True).stdout
    line = next(l for l in out.splitlines() if "--models=LIST" in l)
    return line.split("allowed: ", 1)[1].split(", ")


def run(binary: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([str(binary), *args], capture_output=True, text=True, timeout=timeout)


@pytest.mark.parametrize("args, message", [
    (["--tasks=0"], "io_sleep: error: tasks is 0; allowed: 1 to 1000000"),
    (["--tasks=-3"], "io_sleep: error: tasks is -3; allowed: 1 to 1000000"),
    (["--workers=999"], "io_sleep: error: workers is 999; allowed: 1 to 256"),
    (["--sleep_us=99999999999"], "io_sleep: error: sleep_us is 99999999999; allowed: 0 to 10000000"),
    (["--profile=fast"], "io_sleep: error: profile is 'fast'; allowed: quick, default, full"),
    (["--tasks=ten"], "io_sleep: error: --tasks: 'ten' is not a whole number"),
    (["--bytes=64"], "io_sleep: error: --bytes does not apply to io_sleep"),
    (["--frobnicate"], "io_sleep: error: unknown argument '--frobnicate'; see io_sleep --help"),
    (["--tasks= 1"], "io_sleep: error: --tasks: ' 1' is not a whole number"),
    (["--tasks=1,"], "io_sleep: error: --tasks: '' is not a whole number"),
    (["--tasks=1", "--tasks=2"], "io_sleep: error: --tasks is given twice; give it once (lists take commas)"),
    (["--benchmark_min_time=-1"], "io_sleep: error: --benchmark_min_time is '-1'; allowed: a number above 0"),
    (["--models=serial,"], "io_sleep: error: --models: empty item in the list"),
    (["--profile=qu\x1b[31mick"],
     "io_sleep: error: profile is 'qu\\x1b[31mick'; allowed: quick, default, full"),
    (["--table", "--table"], "io_sleep: error: --table is given twice; give it once (lists take commas)"),
    (["--benchmark_filter="], "io_sleep: error: --benchmark_filter is empty; allowed: a regular "
                              "expression (POSIX extended) naming benchmarks; see --benchmark_list_tests"),
    (["--models=serial", "--benchmark_filter=nomatch"],
     "io_sleep: error: no benchmark matches --benchmark_filter=nomatch; see --benchmark_list_tests"),
])
def test_bad_input_is_one_line_and_exit_2(io_sleep, tmp_path, args, message):
    out = tmp_path / "io_sleep.json"
    out.write_text("earlier results")
    r = run(io_sleep, *args, f"--out={out}")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [message]
    assert out.read_text() == "earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["io_sleep.json"]


def test_unknown_model_names_every_registered_one(io_sleep, tmp_path):
    r = run(io_sleep, "--models=asyncio", f"--out={tmp_path / 'out' / 'io_sleep.json'}")
    assert r.returncode == 2
    models = registered_models(io_sleep)
    assert len(models) >= 2
    assert r.stderr.strip() == f"io_sleep: error: unknown model 'asyncio'; allowed: {', '.join(models)}"
    assert not (tmp_path / "out").exists(), "a refused command line created the --out folder"


def test_a_control_character_in_a_value_is_escaped_in_the_error(io_sleep, tmp_path):
    """An ESC from --models reached the terminal raw (and cleared it)."""
    r = run(io_sleep, "--models=\x1b[2Jserial", f"--out={tmp_path / 'io.json'}")
    assert r.returncode == 2
    assert "\x1b" not in r.stderr
    assert r.stderr.startswith("io_sleep: error: unknown model '\\x1b[2Jserial'; allowed: ")
    assert len(r.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("make_out", [
    lambda d: str(d),                       # an existing directory
    lambda d: str(d / "sub") + "/",         # a directory path
    lambda d: "/dev/full",                  # a device
    lambda d: str(d / "file.json" / "x.json"),  # a parent that is a file
])
def test_odd_out_paths_are_refused_before_running(io_sleep, tmp_path, make_out):
    (tmp_path / "file.json").write_text("earlier results")
    out = make_out(tmp_path)
    t0 = time.monotonic()
    r = run(io_sleep, "--models=serial", "--tasks=1", f"--out={out}")
    assert r.returncode == 2, r.stderr
    assert time.monotonic() - t0 < 5, "refused only after running"
    assert len(r.stderr.strip().splitlines()) == 1
    assert r.stderr.startswith("io_sleep: error: --out is ")
    assert (tmp_path / "file.json").read_text() == "earlier results"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.json"]


@pytest.mark.parametrize("value", ["-1", "0", "abc", "2000", ""])
def test_bad_uv_threadpool_size_is_refused_at_start(io_sleep, value):
    r = subprocess.run([str(io_sleep), "--models=event_loop_offload", "--tasks=1", *TINY],
                       capture_output=True, text=True, timeout=60,
                       env={**os.environ, "UV_THREADPOOL_SIZE": value})
    if value == "":
        # Empty counts as unset for getenv() users? libuv reads atoi("") = 0 -> 1 thread.
        assert r.returncode == 2
    else:
        assert r.returncode == 2, r.stderr
    assert r.stderr.startswith(f"io_sleep: error: UV_THREADPOOL_SIZE is '{value}'; allowed: 1 to 256")


def test_grid_reaches_the_cpus_it_may_use(cpu_hash):
    def largest_w(prefix: list[str]) -> int:
        out = subprocess.run([*prefix, str(cpu_hash), "--benchmark_list_tests"], check=True,
                             capture_output=True, text=True).stdout
        by_model: dict[str, set[int]] = {}
        for line in out.split():
            by_model.setdefault(line.split("/")[1], set()).add(
                int(line.split("/workers:")[1].split("/")[0]))
        # The models that take W are those listed with more than one W.
        return max(max(ws) for ws in by_model.values() if len(ws) > 1)
    assert largest_w(["taskset", "-c", "0"]) == 2  # one CPU, 2x oversubscribed
    assert largest_w([]) == 2 * len(os.sched_getaffinity(0))


def test_cpu_hash_rejects_absurd_message_size(cpu_hash):
    r = run(cpu_hash, "--bytes=0")
    assert r.returncode == 2
    assert r.stderr.strip() == "cpu_hash: error: bytes is 0; allowed: 1 to 67108864"


def test_help_describes_the_flags(io_sleep):
    r = run(io_sleep, "--help")
    assert r.returncode == 0
    for flag in ("--profile", "--out", "--models", "--tasks", "--workers", "--sleep_us"):
        assert flag in r.stdout
    assert "allowed: serial, " in r.stdout  # the baseline first, then the registry


def test_run_writes_json_with_grammar_names_and_counters(cpu_hash, tmp_path):
    out = tmp_path / "cpu_hash.json"
    r = run(cpu_hash, "--models=serial,tbb,fork", "--tasks=5", "--workers=2", "--bytes=64",
            "--rounds=2", *TINY, f"--out={out}")
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    rows = [b for b in data["benchmarks"] if b["run_type"] == "iteration"]
    assert {b["run_name"] for b in rows} == {
        "cpu_hash/serial/tasks:5/workers:1/bytes:64/rounds:2/manual_time",
        "cpu_hash/tbb/tasks:5/workers:2/bytes:64/rounds:2/manual_time",
        "cpu_hash/fork/tasks:5/workers:2/bytes:64/rounds:2/manual_time",
    }
    for b in rows:
        assert not b.get("error_occurred")
        for counter in ("tasks", "workers", "sleep_us", "bytes", "parallelism", "peak_inflight",
                        "ideal_ms", "efficiency", "items_per_second", "bytes_per_second",
                        "speedup", "task_cpu_us", "limit_ms", "vs_limit", "cv_pct", "noisy"):
            assert counter in b, counter
        assert b["tasks"] == 5
    ctx = data["context"]
    for key in ("cvpbench_version", "libuv_version", "tbb_version", "openssl_version",
                "uv_threadpool_size", "tbb_default_concurrency", "cpus_usable", "timer_slack_ns",
                "cvp_profile", "cvp_harness", "cvp_models", "cvp_load"):
        assert key in ctx, key
    assert ctx["timer_slack_ns"] == "1"
    facts = json.loads(ctx["cvp_models"])
    assert [m["name"] for m in facts] == ["serial", "tbb", "fork"]  # registry order
    assert {m["family"] for m in facts} == {"one_thread", "threads", "processes"}
    assert json.loads(ctx["cvp_load"])["interval_s"] > 0


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


def test_failed_first_repetition_is_final_and_does_not_crash(io_sleep, tmp_path):
    """Google Benchmark 1.7.1 crashes when repetition 1 fails and later ones succeed."""
    out = tmp_path / "io_sleep.json"
    out.write_text("earlier results")
    proc = subprocess.Popen(
        [str(io_sleep), "--models=fork", "--tasks=4", "--workers=2", "--sleep_us=400000",
         "--benchmark_repetitions=3", "--benchmark_min_time=0.01", f"--out={out}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 30
    while len(_children(proc.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(_children(proc.pid)[0], signal.SIGKILL)
    t_kill = time.monotonic()
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 1, stderr
    assert time.monotonic() - t_kill < 5, "the failure waited for the remaining repetitions"
    # One console line for the benchmark, saying the first repetition's error.
    lines = [l for l in stderr.splitlines() if l.startswith("[")]
    assert len(lines) == 1 and lines[0].startswith("[1/1] io_sleep/fork/"), stderr
    assert ": error: fork: worker " in lines[0] and "killed by signal 9" in lines[0]
    failed = json.loads((tmp_path / "io_sleep.json.failed").read_text())
    rows = [b for b in failed["benchmarks"] if b["run_type"] == "iteration"]
    assert len(rows) == 3 and all(b.get("error_occurred") for b in rows)
    assert out.read_text() == "earlier results"


def _limit_file_size() -> None:
    """In the child: files of at most 512 bytes, and EFBIG instead of SIGXFSZ."""
    import resource
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (512, 512))


def test_a_failed_write_is_never_published(io_sleep, tmp_path):
    out = tmp_path / "io_sleep.json"
    out.write_text("earlier results")
    r = subprocess.run([str(io_sleep), "--models=serial", "--tasks=1", "--sleep_us=100", *TINY,
                        f"--out={out}"], capture_output=True, text=True, timeout=120,
                       preexec_fn=_limit_file_size)
    assert r.returncode == 1, r.stderr
    assert "File too large" in r.stderr
    assert out.read_text() == "earlier results"
    assert not (tmp_path / "previous").exists()


LINE = (r"\[(\d+)/(\d+)\] (\S+): \d+\.\d{3} ms, parallelism \d+\.\d\d, peak_inflight \d+, "
        r"efficiency \d+\.\d\d(, speedup \d+\.\d\d)?(, lost_updates \d+\.\d)?"
        r"(, noisy \(cv \d+\.\d%\))?  \(elapsed \d+:\d\d, ~\d+:\d\d left\)")


def test_the_console_is_one_line_per_finished_benchmark(cpu_hash, tmp_path):
    import re
    r = run(cpu_hash, "--models=serial,fork", "--tasks=8", "--workers=2", "--bytes=64",
            "--benchmark_repetitions=3", "--benchmark_min_time=0.001",
            "--benchmark_filter=fork|serial", f"--out={tmp_path / 'r.json'}")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "", "Google Benchmark's table is printed"
    assert "DEBUG" not in r.stderr and "bytes=" not in r.stderr
    lines = [l for l in r.stderr.splitlines() if l.startswith("[")]
    assert len(lines) == 2, r.stderr
    for k, line in enumerate(lines, 1):
        m = re.fullmatch(LINE, line)
        assert m, line
        assert (int(m.group(1)), int(m.group(2))) == (k, 2)
        assert ", speedup " in line  # pure hashing is paired
    assert "cpu_hash: profile default, 2 benchmarks x 3 repetitions" in r.stderr


def test_the_filter_sets_the_count_and_table_brings_back_google_benchmarks_table(cpu_hash):
    r = run(cpu_hash, "--models=serial,fork", "--tasks=8", "--workers=2", "--bytes=64",
            "--benchmark_repetitions=1", "--benchmark_min_time=0.001", "--benchmark_filter=fork")
    assert r.returncode == 0, r.stderr
    assert [l.split("]")[0] for l in r.stderr.splitlines() if l.startswith("[")] == ["[1/1"]
    t = run(cpu_hash, "--models=serial", "--tasks=8", "--bytes=64", "--table",
            "--benchmark_repetitions=1", "--benchmark_min_time=0.001")
    assert t.returncode == 0, t.stderr
    assert "cpu_hash/serial/tasks:8/workers:1/bytes:64" in t.stdout
    assert not [l for l in t.stderr.splitlines() if l.startswith("[")]
    assert "--table" in run(cpu_hash, "--help").stdout


def test_an_invalid_filter_is_bad_input(io_sleep, tmp_path):
    r = run(io_sleep, "--benchmark_filter=(", f"--out={tmp_path / 'io.json'}")
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("io_sleep: error: --benchmark_filter is '(', which is not a valid "
                               "regular expression")
    assert list(tmp_path.iterdir()) == []


def test_an_out_with_a_control_character_is_refused(io_sleep, tmp_path):
    r = run(io_sleep, "--models=serial", "--tasks=1", f"--out={tmp_path}/a\nb.json")
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "io_sleep: error: --out contains a control character (0x0a); allowed: a file path "
        "without control characters"]
    assert list(tmp_path.iterdir()) == []


def test_workers_times_message_size_is_capped_before_running(cpu_hash, tmp_path):
    """cpu_hash --models=fork --workers=64 --bytes=67108864 used to reach 3.9 GB."""
    t0 = time.monotonic()
    r = run(cpu_hash, "--models=fork", "--workers=64", "--bytes=67108864",
            f"--out={tmp_path / 'r.json'}")
    assert r.returncode == 2
    assert time.monotonic() - t0 < 10, "refused only after running"
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("cpu_hash: error: workers x bytes is too large: 64 workers x "
                               "67108864 bytes needs 4160 MiB ((workers + 1) messages); allowed: "
                               "(workers + 1) x bytes up to ")
    assert list(tmp_path.iterdir()) == []
    # The largest message on one worker still fits.
    assert run(cpu_hash, "--models=serial", "--tasks=1", "--bytes=67108864", "--rounds=1",
               "--benchmark_repetitions=1", "--benchmark_min_time=0.001").returncode == 0


def test_every_question_of_the_quick_grid_lands_in_one_valid_json(io_sleep, tmp_path):
    # The quick grid runs one Google Benchmark session per question; the
    # context's executable name is read when the report is written, long
    # after the flags were parsed (it once dangled and broke the JSON).
    out = tmp_path / "io.json"
    r = run(io_sleep, "--profile=quick", f"--out={out}", timeout=300)
    assert r.returncode == 0, r.stderr
    data = json.loads(out.read_text())
    assert Path(data["context"]["executable"]).name == "io_sleep"
    listed = run(io_sleep, "--profile=quick", "--benchmark_list_tests").stdout.split()
    names = {b["run_name"] for b in data["benchmarks"]}
    assert names == {n for n in listed}
