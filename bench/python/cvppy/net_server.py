"""net_rpc's server process (as src/net/server_process.cpp): the project's C++ server,
started before any timing, checked ready, its CPU read per run, stopped at exit.

Its path: $CVP_RPC_SERVER (bench/python/CMakeLists.txt sets it for the bench
test), else the default preset's build/net_rpc_server.
"""

from __future__ import annotations

import atexit
import os
import resource
import selectors
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import NoReturn

from cvppy import sysinfo
from cvppy.params import BadInput
from cvppy.proc_text import read_text_file

ENV = "CVP_RPC_SERVER"
DEFAULT_PATH = Path(__file__).resolve().parents[3] / "build" / "net_rpc_server"
READY_WITHIN_S = 10.0
STOP_WITHIN_S = 5.0
MAX_LINE = 64


class ServerError(RuntimeError):
    """The server could not be started or made ready, or it ended or was stopped
    since: one line naming it."""


def default_path() -> Path:
    env = os.environ.get(ENV, "")
    return Path(env) if env else DEFAULT_PATH


def raised_fd_limit() -> int:
    """Descriptors this process (and a child started after) may open: the soft
    RLIMIT_NOFILE, raised to the hard one first."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):
            pass  # a hard limit above the kernel's nr_open: the soft one stays
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return soft if soft != resource.RLIM_INFINITY else 1 << 30


def proc_state(pid: int) -> str:
    """The state letter of /proc/<pid>/stat ('S', 'R', 'T' stopped, 'Z'...), '?' if unread."""
    text = read_text_file(f"/proc/{pid}/stat")
    after = text.rsplit(") ", 1) if text else []
    return after[1][:1] if len(after) == 2 and after[1] else "?"


def _read_first_line(proc: subprocess.Popen, deadline: float) -> str:
    """The server's first line on its stdout, "" when it closed it first."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    line = b""
    with selectors.DefaultSelector() as sel:
        sel.register(fd, selectors.EVENT_READ)
        while len(line) < MAX_LINE and not line.endswith(b"\n"):
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            if not sel.select(left):
                continue
            chunk = os.read(fd, 1)  # one byte: nothing past the line is taken
            if not chunk:
                break
            line += chunk
    return line.decode("ascii", "replace").strip()


class ServerProcess:
    """The server at `path`, ready: it said "listening <port>" within `ready_within_s`
    and accepted a connection. It dies with this process (PR_SET_PDEATHSIG); stop()
    sends SIGTERM and reaps it."""

    def __init__(self, path: Path, ready_within_s: float = READY_WITHIN_S) -> None:
        self.path = path
        self._owner = os.getpid()
        if not (path.is_file() and os.access(path, os.X_OK)):
            self._fail(f"not an executable file (build it, or set {ENV})")
        parent = os.getpid()
        try:
            self._proc = subprocess.Popen(
                [str(path)], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                preexec_fn=lambda: sysinfo.die_with_parent(parent))
        except OSError as e:
            self._fail(f"cannot start it: {e.strerror}")
        try:
            self.port = self._wait_ready(time.monotonic() + ready_within_s)
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self._proc.pid

    def _fail(self, what: str) -> NoReturn:
        raise ServerError(f"net_rpc server {self.path}: {what}")

    def _wait_ready(self, deadline: float) -> int:
        try:
            line = _read_first_line(self._proc, deadline)
        except TimeoutError:
            self._fail('not ready in time (no "listening <port>" line)')
        finally:
            assert self._proc.stdout is not None
            self._proc.stdout.close()
        word, _, port_text = line.partition(" ")
        if word != "listening":
            self._fail("exited before it was ready" if not line
                       else f'said "{line}", not "listening <port>"')
        if not port_text.isdigit() or not 0 < int(port_text) <= 65535:
            self._fail(f'gave a port out of range: "{line}"')
        port = int(port_text)
        try:  # it accepts: ready
            socket.create_connection(("127.0.0.1", port),
                                     timeout=max(0.1, deadline - time.monotonic())).close()
        except OSError as e:
            self._fail(f"does not accept connections on port {port}: {e}")
        return port

    def cpu_seconds(self) -> float:
        """CPU seconds the server has used so far (its one thread's time on CPU)."""
        try:
            return sysinfo.schedstat_seconds(self.pid)
        except (OSError, ValueError, IndexError) as e:
            raise ServerError(f"net_rpc server: cannot read /proc/{self.pid}/schedstat: {e}"
                              ) from None

    def check_running(self) -> None:
        """ServerError when the server can answer no more: it ended (it is reaped then,
        so no zombie is left) or it is stopped (SIGSTOP: it holds its connections open
        and answers nothing). Before each repetition, outside the timing; only in the
        process that started it (a forked worker's waitpid would say it ended)."""
        if os.getpid() != self._owner:
            return
        code = self._proc.poll()
        if code is not None:
            how = (f"was killed by signal {-code} ({signal.Signals(-code).name})" if code < 0
                   else f"exited with status {code}")
            raise ServerError(f"net_rpc server: pid {self.pid} {how}; nothing answers on "
                              f"port {self.port}")
        if proc_state(self.pid) == "T":  # not "t": a stop under a tracer lets it run on
            raise ServerError(f"net_rpc server: pid {self.pid} is stopped (SIGSTOP or "
                              "SIGTSTP): it answers nothing")

    def stop(self) -> None:
        """SIGTERM (and SIGCONT: a stopped server holds SIGTERM until it runs again),
        then SIGKILL if it has not left within STOP_WITHIN_S; reaped either way. Only
        the process that started it stops it (not a forked worker)."""
        if os.getpid() != self._owner or self._proc.poll() is not None:
            return
        self._proc.send_signal(signal.SIGTERM)
        self._proc.send_signal(signal.SIGCONT)
        try:
            self._proc.wait(STOP_WITHIN_S)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()

    def __enter__(self) -> ServerProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


_shared: list[ServerProcess] = []


def shared_server() -> ServerProcess:
    """The server every net_rpc workload of this process asks: started on the first
    call (before any timing), after the descriptor limit is raised so that it
    inherits the raised limit too; stopped when the process exits. A server that
    cannot start is the set-up's fault (CVP_RPC_SERVER, the build), found before
    anything runs: BadInput, one line."""
    if not _shared:
        raised_fd_limit()
        try:
            _shared.append(ServerProcess(default_path()))
        except ServerError as e:
            raise BadInput(str(e)) from None
        atexit.register(_shared[0].stop)
    return _shared[0]
