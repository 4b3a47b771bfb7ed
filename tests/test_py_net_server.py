"""Tests for bench/python/cvppy/net_server.py: the server started, checked ready, measured,
stopped; every way it can fail to start is one line naming its path."""

import os
import resource
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cvppy import net_server
from cvppy.net_server import ServerError, ServerProcess
from cvppy.workloads import net_rpc


def script(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "server.sh"
    path.write_text(f"#!/bin/sh\n{body}\n")
    path.chmod(0o755)
    return path


def gone(pid: int) -> bool:
    """True when no process (not even a zombie) has this pid."""
    return not Path(f"/proc/{pid}").exists()


def dead(pid: int) -> bool:
    """True when the process has ended: gone, or a zombie its new parent has not reaped."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(") ", 1)[1][0] == "Z"
    except (FileNotFoundError, ProcessLookupError):
        return True


def test_the_server_answers_and_its_cpu_grows(rpc_server):
    with ServerProcess(rpc_server) as server:
        cpu0 = server.cpu_seconds()
        for i in range(200):
            with socket.create_connection(("127.0.0.1", server.port)) as s:
                s.sendall(net_rpc.encode(i, 0, 4096, net_rpc.CLOSE_AFTER_REPLY))
                while s.recv(65536):
                    pass
        assert server.cpu_seconds() > cpu0


def test_stop_ends_and_reaps_the_server(rpc_server):
    server = ServerProcess(rpc_server)
    pid = server.pid
    server.stop()
    assert gone(pid)
    server.stop()  # twice: nothing to do


def wait_state(pid: int, state: str) -> None:
    deadline = time.monotonic() + 10  # the test's own deadline
    while net_server.proc_state(pid) != state and time.monotonic() < deadline:
        time.sleep(0.005)


def test_check_running_passes_while_the_server_runs(rpc_server):
    with ServerProcess(rpc_server) as server:
        server.check_running()


def test_check_running_says_how_a_killed_server_ended_and_reaps_it(rpc_server):
    with ServerProcess(rpc_server) as server:
        os.kill(server.pid, signal.SIGKILL)
        wait_state(server.pid, "Z")
        said = (f"net_rpc server: pid {server.pid} was killed by signal 9 (SIGKILL); "
                f"nothing answers on port {server.port}")
        for _ in range(2):  # said again by every later check
            with pytest.raises(ServerError) as e:
                server.check_running()
            assert str(e.value) == said
        assert gone(server.pid)  # reaped: no zombie


def test_a_stopped_server_is_said_stopped_and_stop_ends_it_at_once(rpc_server):
    server = ServerProcess(rpc_server)
    os.kill(server.pid, signal.SIGSTOP)
    wait_state(server.pid, "T")
    with pytest.raises(ServerError, match=f"pid {server.pid} is stopped"):
        server.check_running()
    t0 = time.monotonic()
    server.stop()
    # SIGTERM stayed pending in a stopped server until the SIGKILL STOP_WITHIN_S
    # later; with SIGCONT it leaves at once. Below that, with room for a loaded machine.
    assert time.monotonic() - t0 < net_server.STOP_WITHIN_S
    assert gone(server.pid)


def test_a_missing_server_is_one_line_naming_the_path(tmp_path):
    with pytest.raises(ServerError, match=f"net_rpc server {tmp_path}/none: not an executable "
                                          "file \\(build it, or set CVP_RPC_SERVER\\)"):
        ServerProcess(tmp_path / "none")


@pytest.mark.parametrize("body, message", [
    ("exit 0", "exited before it was ready"),
    ("echo hello; exec sleep 30", 'said "hello", not "listening <port>"'),
    ("echo listening 70000; exec sleep 30", 'gave a port out of range: "listening 70000"'),
    ("echo listening x; exec sleep 30", 'gave a port out of range: "listening x"'),
    # Nothing listens on port 1 (root could, but nothing here does).
    ("echo listening 1; exec sleep 30", "does not accept connections on port 1"),
])
def test_a_server_that_is_not_ready_is_refused_and_stopped(tmp_path, body, message):
    before = set(children())
    with pytest.raises(ServerError, match=message):
        ServerProcess(script(tmp_path, body))
    assert set(children()) == before  # stopped and reaped


def test_a_silent_server_is_refused_after_the_deadline(tmp_path):
    t0 = time.monotonic()
    with pytest.raises(ServerError, match="not ready in time"):
        ServerProcess(script(tmp_path, "exec sleep 30"), ready_within_s=0.3)
    assert time.monotonic() - t0 < 5  # SIGTERM ends it at once; 5 s before a SIGKILL


def children() -> list[int]:
    kids = []
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def test_the_server_dies_with_the_harness(rpc_server):
    code = ("import os, sys; from cvppy.net_server import ServerProcess; "
            f"s = ServerProcess(__import__('pathlib').Path({str(rpc_server)!r})); "
            "print(s.pid, flush=True); os._exit(0)")  # no atexit, no stop: a killed harness
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(net_server.__file__).parents[1], timeout=30, check=True)
    pid = int(out.stdout)
    deadline = time.monotonic() + 5
    while not dead(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert dead(pid)


def test_the_descriptor_limit_is_raised_to_the_hard_one():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    low = min(soft, 256)

    def lower() -> None:
        resource.setrlimit(resource.RLIMIT_NOFILE, (low, hard))

    code = "from cvppy.net_server import raised_fd_limit; print(raised_fd_limit())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=Path(net_server.__file__).parents[1], preexec_fn=lower,
                         timeout=30, check=True)
    assert int(out.stdout) == (hard if hard != resource.RLIM_INFINITY else 1 << 30)
