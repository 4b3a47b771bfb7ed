"""net_rpc's harnesses, C++ and Python, against a hostile user: the server stopped or killed
in the middle of a run, servers that answer short, wrong or not at all, a port with nothing
listening, and N above the descriptor and thread limits.

What must happen: a lost server is an error row within a bounded time (no hang), every
repetition after a failed one is an error too, nothing is left running; bad input is one
line and exit status 2 before anything runs. Times are only the tests' own deadlines.
"""

import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CVP_PY = ROOT / "bench" / "python" / "cvp_py.py"
FAKE = Path(__file__).resolve().parent / "fake_rpc_server.py"

# Every family of model in each language, at once: a lost server must fail the
# one running and be said, at once, to every one after it.
MODELS = {"cpp": "serial,event_loop,thread_per_task,threads_n,tbb,fork,process_pool",
          "py": "py_serial,py_asyncio,py_uvloop,py_threads,py_processes,py_thread_per_task,"
                "py_threads_n"}


def command(lang: str, net_rpc: Path, out: Path, *flags: str, reps: int = 2,
            min_time: float = 0.01) -> list[str]:
    if lang == "cpp":
        return [str(net_rpc), *flags, f"--benchmark_repetitions={reps}",
                f"--benchmark_min_time={min_time}", f"--out={out}"]
    return ["/usr/bin/python3", str(CVP_PY), "net_rpc", *flags, f"--repetitions={reps}",
            f"--min_time={min_time}", f"--out={out}"]


def fake_server(tmp_path: Path, mode: str) -> Path:
    """An executable CVP_RPC_SERVER that misbehaves as tests/fake_rpc_server.py MODE."""
    path = tmp_path / f"fake_{mode}.sh"
    path.write_text(f"#!/bin/sh\nPYTHONPATH={ROOT / 'bench' / 'python'} "
                    f"exec /usr/bin/python3 {FAKE} {mode}\n")
    path.chmod(0o755)
    return path


class Stderr:
    """A running harness's stderr, line by line, read on a thread of its own."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self._thread = threading.Thread(target=self._read, args=(proc,), daemon=True)
        self._thread.start()

    def _read(self, proc: subprocess.Popen) -> None:
        for line in proc.stderr:
            self.lines.append(line)

    def wait_for(self, text: str, limit_s: float) -> bool:
        deadline = time.monotonic() + limit_s
        while not any(text in line for line in self.lines):
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def text(self) -> str:
        self._thread.join(10)
        return "".join(self.lines)


def server_pid(harness: int) -> int:
    for task in Path(f"/proc/{harness}/task").iterdir():
        for kid in (task / "children").read_text().split():
            if b"rpc_server" in Path(f"/proc/{kid}/cmdline").read_bytes():
                return int(kid)
    raise AssertionError("no net_rpc_server child")


def iteration_rows(result: Path) -> list[dict]:
    return [b for b in json.loads(result.read_text())["benchmarks"]
            if b.get("run_type") == "iteration"]


def assert_failures_end_their_benchmarks(rows: list[dict]) -> None:
    """DESIGN.md: a failed repetition ends that benchmark (the rest are errors)."""
    by_name: dict[str, list[dict]] = {}
    for row in rows:
        by_name.setdefault(row["run_name"], []).append(row)
    for name, reps in by_name.items():
        reps.sort(key=lambda r: r.get("repetition_index", 0))
        failed = [bool(r.get("error_occurred")) for r in reps]
        if any(failed):
            first = failed.index(True)
            assert all(failed[first:]), (name, failed)


@pytest.mark.parametrize("sig, says", [(signal.SIGSTOP, "is stopped"),
                                       (signal.SIGKILL, "was killed by signal 9")],
                         ids=["stopped", "killed"])
@pytest.mark.parametrize("lang", ["cpp", "py"])
def test_a_server_lost_mid_run_is_an_error_row_and_nothing_hangs(net_rpc, rpc_server, tmp_path,
                                                                 lang, sig, says):
    out = tmp_path / "net.json"
    # 8 requests of 100 ms: a serial run takes 0.8 s, so the signal lands in runs.
    flags = [f"--models={MODELS[lang]}", "--tasks=8", "--workers=2", "--sleep_us=100000",
             "--bytes=64", "--conn_per_task=0,1"]
    proc = subprocess.Popen(command(lang, net_rpc, out, *flags, reps=3, min_time=0.2),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "CVP_RPC_SERVER": str(rpc_server)})
    stderr = Stderr(proc)
    try:
        assert stderr.wait_for("benchmarks x", 120), stderr.text()  # the runs have begun
        server = server_pid(proc.pid)
        time.sleep(0.4)
        os.kill(server, sig)
        t0 = time.monotonic()
        proc.wait(timeout=60)
        took = time.monotonic() - t0
    finally:
        proc.kill()
        proc.wait()
    text = stderr.text()
    assert proc.returncode == 1, text
    # The first failure takes the idle limit (about 1.1 s), the rest are refused
    # at once; 30 s is the test's own deadline.
    assert took < 30, text
    assert "Traceback" not in text and "Task was destroyed" not in text, text
    assert not Path(f"/proc/{server}").exists()  # stopped, killed or reaped: none left
    rows = iteration_rows(out.with_name(out.name + ".failed"))
    assert len({r["run_name"] for r in rows}) == 7 * 2  # every benchmark reported
    assert any(says in r.get("error_message", "") for r in rows), text
    assert_failures_end_their_benchmarks(rows)
    assert not out.exists()


@pytest.mark.parametrize("mode, says", [
    ("garbage", "digest differs"),
    ("short", ""),  # the end of the stream, said in each form's words
    ("short_hang", "no byte moved"),
    ("extra", ""),  # more than a reply: not idle, more than asked, or a protocol error
])
@pytest.mark.parametrize("lang", ["cpp", "py"])
def test_a_server_that_answers_wrong_fails_every_benchmark(net_rpc, tmp_path, lang, mode, says):
    out = tmp_path / "net.json"
    models = "event_loop,threads_n,fork" if lang == "cpp" else "py_uvloop,py_threads_n,py_processes"
    flags = [f"--models={models}", "--tasks=4", "--workers=2", "--sleep_us=1000", "--bytes=256",
             "--conn_per_task=0,1"]
    t0 = time.monotonic()
    r = subprocess.run(command(lang, net_rpc, out, *flags, reps=2, min_time=0.05),
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "CVP_RPC_SERVER": str(fake_server(tmp_path, mode))})
    assert r.returncode == 1, r.stderr
    assert time.monotonic() - t0 < 100  # no hang: each failure within its idle limit
    assert "Traceback" not in r.stderr, r.stderr
    rows = iteration_rows(out.with_name(out.name + ".failed"))
    assert len({row["run_name"] for row in rows}) == 3 * 2
    assert_failures_end_their_benchmarks(rows)
    # "extra" may pass a first run (the surplus byte waits for the next one), never a benchmark.
    assert all(any(row.get("error_occurred") for row in rows if row["run_name"] == name)
               for name in {row["run_name"] for row in rows}), r.stderr
    assert all(says in row["error_message"] for row in rows if row.get("error_occurred"))


def assert_one_line_exit_2(r: subprocess.CompletedProcess, prog: str, *parts: str) -> None:
    lines = r.stderr.splitlines()
    assert (r.returncode, len(lines)) == (2, 1), r.stderr
    assert lines[0].startswith(f"{prog}: error: "), lines[0]
    for part in parts:
        assert part in lines[0], lines[0]


@pytest.mark.parametrize("lang", ["cpp", "py"])
def test_a_port_with_nothing_listening_is_one_line_and_exit_2(net_rpc, tmp_path, lang):
    out = tmp_path / "net.json"
    models = "serial" if lang == "cpp" else "py_serial"
    server = fake_server(tmp_path, "dead_port")
    r = subprocess.run(command(lang, net_rpc, out, f"--models={models}", "--tasks=2"),
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "CVP_RPC_SERVER": str(server)})
    prog = "net_rpc" if lang == "cpp" else "py_net_rpc"
    assert_one_line_exit_2(r, prog, f"net_rpc server {server}", "does not accept connections",
                           "Connection refused")
    assert list(tmp_path.glob("net.json*")) == []


@pytest.mark.parametrize("lang", ["cpp", "py"])
def test_n_above_the_descriptor_limit_is_one_line_and_exit_2(net_rpc, rpc_server, tmp_path,
                                                              lang):
    out = tmp_path / "net.json"
    models = "event_loop" if lang == "cpp" else "py_asyncio"
    r = subprocess.run(["bash", "-c", 'ulimit -n 100; exec "$@"', "bash",
                        *command(lang, net_rpc, out, f"--models={models}", "--tasks=100")],
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "CVP_RPC_SERVER": str(rpc_server)})
    prog = "net_rpc" if lang == "cpp" else "py_net_rpc"
    assert_one_line_exit_2(r, prog, "100 connections need about 264 descriptors",
                           "RLIMIT_NOFILE is 100")
    assert list(tmp_path.glob("net.json*")) == []


@pytest.mark.parametrize("lang", ["cpp", "py"])
def test_n_above_the_thread_limit_is_one_line_and_exit_2(net_rpc, rpc_server, as_nobody, lang):
    prefix, folder = as_nobody
    out = folder / "net.json"
    models = "thread_per_task" if lang == "cpp" else "py_thread_per_task"
    r = subprocess.run([*prefix, "bash", "-c", 'ulimit -u 50; exec "$@"', "bash",
                        *command(lang, net_rpc, out, f"--models={models}", "--tasks=100")],
                       capture_output=True, text=True, timeout=120,
                       env={**os.environ, "CVP_RPC_SERVER": str(rpc_server)})
    prog = "net_rpc" if lang == "cpp" else "py_net_rpc"
    assert_one_line_exit_2(r, prog, f"tasks is 100 for {models}", "RLIMIT_NPROC")
    assert list(folder.glob("net.json*")) == []
