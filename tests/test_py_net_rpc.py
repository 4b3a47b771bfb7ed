"""Tests for bench/python/cvppy/workloads/net_rpc.py: the C++ server's replies, every model's
digests in both modes, kept connections across models, and the refusals."""

import hashlib
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cvppy.models import registry
from cvppy.models.model import Deadline, RunFailed
from cvppy.net_server import ServerError, ServerProcess, proc_state
from cvppy.params import BadInput
from cvppy.runner import Context, Point, Prepared, Profile, run_benchmark
from cvppy.workloads import net_rpc
from cvppy.workloads.net_rpc import NetRpc
from cvppy.workloads.workload import Params

DELAY_US = 1000


@pytest.fixture(scope="module")
def server(rpc_server):
    with ServerProcess(rpc_server) as s:
        yield s


def workload(server, tasks=12, per_task=False, nbytes=1024, delay_us=DELAY_US) -> NetRpc:
    return NetRpc(Params(tasks=tasks, sleep_us=delay_us, bytes=nbytes, conn_per_task=per_task),
                  server)


def run_once(name: str, workers: int, w: NetRpc):
    with registry.find(name).make(workers) as model:
        model.prepare(w)
        return model.run(Deadline(task_s=0, floor_s=60))


def ask(port: int, index: int, nbytes: int) -> bytes:
    """One exchange by hand, on a connection of its own: what the C++ server sends."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(net_rpc.encode(index, 0, nbytes, net_rpc.CLOSE_AFTER_REPLY))
        got = b""
        while chunk := s.recv(65536):
            got += chunk
    return got


@pytest.mark.parametrize("index, nbytes", [(0, 1024), (1, 1024), (12345, 1024), (7, 13),
                                           (3, 1), (99, 65536)])
def test_reply_is_what_the_cpp_server_sends(server, index, nbytes):
    assert ask(server.port, index, nbytes) == net_rpc.reply(index, nbytes)


def test_a_request_the_server_refuses_closes_the_connection(server):
    # The encoding is the C++ one: a wrong magic is refused, so a right one is read.
    with socket.create_connection(("127.0.0.1", server.port)) as s:
        s.sendall(b"\0" * net_rpc.REQUEST.size)
        assert s.recv(1) == b""


@pytest.mark.parametrize("per_task", [False, True], ids=["kept", "per_task"])
@pytest.mark.parametrize("name", registry.names())
def test_every_model_reproduces_the_serial_digests(server, name, per_task):
    w = workload(server, per_task=per_task)
    try:
        report = run_once(name, 3, w)
        assert report.digests == w.reference()
        # And a second run on the same connections: each reply was read to its end.
        assert run_once(name, 3, w).digests == w.reference()
    finally:
        w.release()


def kept_ports(w: NetRpc) -> list[int]:
    return [s.getsockname()[1] for s in w._kept]


def test_kept_connections_serve_every_model_in_turn_without_reconnecting(server):
    w = workload(server, tasks=16)
    try:
        w.open_blocking()
        before = kept_ports(w)
        # Loop models wrap duplicates (non-blocking); blocking models follow them.
        for name in ["py_uvloop", "py_threads", "py_asyncio", "py_processes", "py_serial",
                     "py_asyncio_sequential", "py_asyncio_offload"]:
            assert run_once(name, 2, w).digests == w.reference(), name
        assert kept_ports(w) == before
    finally:
        w.release()


def test_one_workload_keeps_its_connections_open_at_a_time(server):
    a, b = workload(server, tasks=5), workload(server, tasks=7)
    try:
        a.open_blocking()
        b.open_blocking()
        assert (len(a._kept), len(b._kept)) == (0, 7)
        assert run_once("py_serial", 1, a).digests == a.reference()
        assert (len(a._kept), len(b._kept)) == (5, 0)
    finally:
        a.release()
        b.release()


def test_a_kept_connection_left_half_read_is_refused_and_release_gives_fresh_ones(server):
    w = workload(server, tasks=4, delay_us=0)
    try:
        w.open_blocking()
        # A task cut short: its request sent, half its reply read. The next run
        # would read the other half as its own reply.
        s = w._kept[1]
        s.sendall(net_rpc.encode(1, 0, 1024, 0))
        net_rpc.recv_exactly(s, 512)
        with pytest.raises(ConnectionError, match="kept connection 1 is not idle between runs"):
            run_once("py_serial", 1, w)
        w.release()  # as the runner does after a failure
        assert run_once("py_serial", 1, w).digests == w.reference()
    finally:
        w.release()


@pytest.mark.parametrize("name", ["py_asyncio", "py_uvloop"])
@pytest.mark.parametrize("per_task", [False, True], ids=["kept", "per_task"])
def test_gathered_loops_have_every_request_in_flight(server, name, per_task):
    w = workload(server, tasks=50, per_task=per_task)
    try:
        assert run_once(name, 1, w).peak_inflight == 50
    finally:
        w.release()


def test_rows_carry_the_server_cpu_and_the_mode(server):
    w = workload(server, tasks=20, per_task=True)
    ctx = Context(Profile("test", 2, 0.0), 2, lambda p: f"net_rpc/{p.model}")
    prep = Prepared(w, w.reference(), task_cpu_s=1e-5)
    out = run_benchmark(ctx, 0, Point("py_threads", 2, w.params), prep)
    assert not out.failed, out.rows
    rows = [r for r in out.rows if r["run_type"] == "iteration"]
    assert all(r["server_cpu_ms"] > 0 and r["conn_per_task"] == 1 for r in rows)
    assert "speedup" not in rows[0]  # never paired: every task waits on its socket


def open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def own_children() -> set[int]:
    kids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        try:
            kids |= {int(k) for k in (task / "children").read_text().split()}
        except FileNotFoundError:
            continue  # a thread that ended since the listing (its children pass to another)
    return kids


@pytest.fixture
def counted_descriptors(server, name):
    """The descriptors open after one run of model `name`: what the first run in a
    process makes and keeps for the next (libuv's signal pipe, multiprocessing's
    shared-memory arena) is no run's leak."""
    w = workload(server, tasks=2, delay_us=0)
    try:
        assert run_once(name, 2, w).digests == w.reference()
    finally:
        w.release()
    return open_fds()


# How a run says its server is gone: a timeout or reset (OSError), a reply cut
# short (asyncio's IncompleteReadError is an EOFError), or a worker's failure.
LOST = (OSError, EOFError, RunFailed)


@pytest.mark.parametrize("sig, says", [(signal.SIGSTOP, "is stopped"),
                                       (signal.SIGKILL, "was killed by signal 9")],
                         ids=["stopped", "killed"])
@pytest.mark.parametrize("per_task", [False, True], ids=["kept", "per_task"])
@pytest.mark.parametrize("name", registry.names())
def test_a_server_lost_mid_run_fails_the_run_and_leaves_nothing(rpc_server, counted_descriptors,
                                                                name, per_task, sig, says):
    kids0 = own_children()
    with ServerProcess(rpc_server) as own:
        w = workload(own, tasks=4, per_task=per_task, nbytes=64, delay_us=200_000)
        try:
            # 50 ms into the run: every request waits for its 200 ms reply.
            signaller = threading.Timer(0.05, os.kill, (own.pid, sig))
            with registry.find(name).make(2) as model:
                model.prepare(w)
                signaller.start()
                t0 = time.monotonic()
                with pytest.raises(LOST):
                    model.run(Deadline(task_s=0, floor_s=60))
                took = time.monotonic() - t0
            signaller.join()
            # Stopped: the idle limit, about 1.2 s here; killed: at once. 10 s is
            # the test's own deadline, not a figure.
            assert took < 10
            # A killed server's sockets close before it is a zombie: the check below
            # is about the next repetition, which comes once it is one.
            while sig == signal.SIGKILL and proc_state(own.pid) not in ("Z", "?"):
                time.sleep(0.005)
            with pytest.raises(ServerError, match=says):  # the next repetition, refused at once
                w.open_blocking()
            if sig == signal.SIGSTOP:
                os.kill(own.pid, signal.SIGCONT)
                while proc_state(own.pid) == "T":
                    time.sleep(0.005)
                w.release()  # as the runner does after a failure
                assert run_once(name, 2, w).digests == w.reference()
        finally:
            w.release()
    assert open_fds() == counted_descriptors
    assert own_children() == kids0  # the server and every worker reaped: no zombie


def test_too_many_connections_for_the_descriptor_limit_are_refused(server, monkeypatch):
    monkeypatch.setattr(net_rpc, "raised_fd_limit", lambda: 256)
    with pytest.raises(BadInput, match="100 connections need about 264 descriptors; "
                                       "RLIMIT_NOFILE is 256"):
        workload(server, tasks=100)
    assert workload(server, tasks=96).tasks == 96


def test_too_many_connections_at_once_for_the_local_ports_are_refused(server, monkeypatch):
    monkeypatch.setattr(net_rpc, "ephemeral_ports", lambda: 50)
    for per_task in (False, True):  # kept ones each hold a local port too
        with pytest.raises(BadInput, match="51 connections need as many local ports; "
                                           "net.ipv4.ip_local_port_range has 50"):
            workload(server, tasks=51, per_task=per_task)
    assert workload(server, tasks=50, per_task=True).tasks == 50


@pytest.mark.parametrize("field, value, what", [("bytes", 0, "bytes"),
                                                ("bytes", (1 << 20) + 1, "bytes"),
                                                ("sleep_us", 10_000_001, "sleep_us"),
                                                ("tasks", 0, "tasks")])
def test_bad_parameters_are_refused_naming_them(server, field, value, what):
    params = dict(tasks=4, sleep_us=DELAY_US, bytes=1024)
    params[field] = value
    with pytest.raises(BadInput, match=f"^{what} is {value}; allowed"):
        NetRpc(Params(**params), server)


def test_the_digest_is_the_sha256_of_the_reply(server):
    w = workload(server, tasks=3, nbytes=100)
    assert w.compute(2) == hashlib.sha256(net_rpc.reply(2, 100)).digest()


# The harness (cvp_py.py net_rpc) ------------------------------------------------

SCRIPT = Path(net_rpc.__file__).resolve().parents[2] / "cvp_py.py"


def harness(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), "net_rpc", *args], capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})}, **kw)


@pytest.mark.parametrize("args, line", [
    (["--conn_per_task=2"], "py_net_rpc: error: conn_per_task is 2; allowed: 0 to 1"),
    (["--bytes=2000000", "--models=py_serial"],
     "py_net_rpc: error: bytes is 2000000; allowed: 1 to 1048576"),
])
def test_bad_input_is_one_line_and_exit_status_2(rpc_server, args, line):
    out = harness(*args, "--repetitions=1", env={"CVP_RPC_SERVER": str(rpc_server)})
    assert (out.returncode, out.stderr.strip(), out.stdout) == (2, line, "")


def test_conn_per_task_is_refused_by_the_other_harnesses():
    out = subprocess.run([sys.executable, str(SCRIPT), "io_sleep", "--conn_per_task=1"],
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 2
    assert out.stderr.strip() == "py_io_sleep: error: --conn_per_task does not apply to py_io_sleep"


def test_n_beyond_the_descriptor_limit_is_refused_in_one_line(rpc_server):
    def low_limit() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (512, 512))

    out = harness("--tasks=300", "--models=py_serial", env={"CVP_RPC_SERVER": str(rpc_server)},
                  preexec_fn=low_limit)
    assert out.returncode == 2
    assert out.stderr.strip() == ("py_net_rpc: error: net_rpc: 300 connections need about 664 "
                                  "descriptors; RLIMIT_NOFILE is 512")


def test_a_missing_server_is_one_line(tmp_path):
    out = harness("--tasks=2", "--models=py_serial", env={"CVP_RPC_SERVER": str(tmp_path / "no")})
    assert out.returncode == 2  # the set-up's fault, found before anything runs
    assert out.stderr.strip() == (f"py_net_rpc: error: net_rpc server {tmp_path}/no: "
                                  "not an executable file (build it, or set CVP_RPC_SERVER)")


def test_a_run_writes_rows_with_the_server_cpu(rpc_server, tmp_path):
    out_file = tmp_path / "py_net_rpc.json"
    out = harness("--tasks=6", "--workers=2", "--models=py_uvloop,py_processes",
                  "--repetitions=1", "--min_time=0", f"--out={out_file}",
                  env={"CVP_RPC_SERVER": str(rpc_server)})
    assert out.returncode == 0, out.stderr
    rows = [b for b in json.loads(out_file.read_text())["benchmarks"]]
    assert sorted(r["name"] for r in rows) == sorted(
        f"net_rpc/{m}/tasks:6/workers:{w}/sleep_us:1000/bytes:1024/conn_per_task:{c}"
        for m, w in (("py_uvloop", 1), ("py_processes", 2)) for c in (0, 1))
    assert all(r["server_cpu_ms"] > 0 and not r.get("error_occurred") for r in rows)
