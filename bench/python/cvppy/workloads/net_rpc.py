"""net_rpc: each task asks a server over loopback TCP for a reply derived from its index
(src/workloads/net_rpc.cpp).

Task i sends a 20-byte request naming i to the server process (net_server.py
starts the project's C++ server), which replies after sleep_us with `bytes`
bytes of a splitmix64 stream seeded by i; the task's digest is the SHA-256 of
the reply. Blocking tasks (`task`: serial, threads, processes, and the loop
models that block) use the socket module; coroutines (`task_async`) use
asyncio streams, on asyncio's loop or uvloop's alike.

With kept connections, task i asks on connection i, one request per run, so
no two tasks in flight share one. They are opened before the clock and kept
across runs, repetitions and models, as in C++ (opening them per repetition
would leave thousands of client ports in TIME_WAIT): blocking sockets held by
the workload; forked workers inherit them. A loop model wraps a duplicate of
each in a stream of its own loop before timing (the streams must belong to
the running loop, and the loop is made per repetition) and closes the
duplicates, not the connections, after. With a connection per task, a task
connects, asks, reads its reply and then the end of the stream (the server
closes first, so the TIME_WAIT is the server's), and closes.

A server that dies, stops or misbehaves fails the run, never hangs it: an
exchange that moves no byte for idle_limit_s fails (SO_RCVTIMEO and
SO_SNDTIMEO on blocking sockets, so a call costs no extra poll; coroutines
are cancelled by an IdleWatch when none has finished for that long), and
each repetition starts only after the server is found running and every
kept connection idle. A failed run's
kept connections are released by the runner and opened afresh.

The replies every task should get are made once, before the clock (pure
Python would take some 40 times the hash to make one), so compute(i), the
reference and the calibrated CPU of a task, is the hash of a reply.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import select
import socket
import struct
import sys
from typing import Protocol

from cvppy.idle_watch import IdleWatch
from cvppy.net_server import raised_fd_limit
from cvppy.params import BadInput, check_range, check_tasks
from cvppy.workloads.io_sleep import splitmix64
from cvppy.workloads.workload import BlockingEnv, LoopEnv, Params, Workload

# src/net/rpc_protocol.hpp: five 32-bit words in host order (loopback only).
MAGIC = 0x63767072  # "cvpr"
CLOSE_AFTER_REPLY = 1
REQUEST = struct.Struct("=5I")
MAX_REPLY_BYTES = 1 << 20
MAX_DELAY_US = 10_000_000
HOST = "127.0.0.1"

# The replies of all tasks are held at once: a cap on their total, as cpu_hash's.
MAX_REPLIES_BYTES = 1 << 30
# Descriptors for everything else the process has open, as net_rpc.cpp's margin.
OTHER_DESCRIPTORS = 64

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15


def encode(index: int, delay_us: int, reply_bytes: int, flags: int) -> bytes:
    """rpc::encode: the request for task `index`."""
    return REQUEST.pack(MAGIC, index, delay_us, reply_bytes, flags)


def reply(index: int, nbytes: int) -> bytes:
    """rpc::fill_reply: splitmix64 seeded by the index, each word in host order,
    the last one truncated to the reply's length."""
    words = (nbytes + 7) // 8
    out = b"".join(splitmix64((index + k * _GOLDEN) & _MASK).to_bytes(8, sys.byteorder)
                   for k in range(words))
    return out[:nbytes]


def ephemeral_ports() -> int:
    """How many local ports connect() can choose from."""
    try:
        with open("/proc/sys/net/ipv4/ip_local_port_range", encoding="ascii") as f:
            lo, hi = (int(v) for v in f.read().split())
        return hi - lo + 1 if hi >= lo else 28_232
    except (OSError, ValueError):
        return 28_232  # Linux's default range


def check_fits(tasks: int) -> None:
    """BadInput, one line naming the limit, for N connections that the descriptor
    limit (raised to the hard one) or the ephemeral ports cannot hold."""
    # A kept connection is held twice at most (a loop wraps a duplicate).
    need = 2 * tasks + OTHER_DESCRIPTORS
    limit = raised_fd_limit()
    if need > limit:
        raise BadInput(f"net_rpc: {tasks} connections need about {need} descriptors; "
                       f"RLIMIT_NOFILE is {limit}")
    # Kept or made per task, N connections to one server port are open at once.
    if tasks > ephemeral_ports():
        raise BadInput(f"net_rpc: {tasks} connections need as many local ports; "
                       f"net.ipv4.ip_local_port_range has {ephemeral_ports()}")


class Server(Protocol):
    """What a workload needs of its server: net_server.ServerProcess."""

    port: int

    def cpu_seconds(self) -> float: ...

    def check_running(self) -> None: ...


def idle_limit_s(tasks: int, delay_us: int, nbytes: int) -> float:
    """The longest an exchange may move no byte (net_rpc.cpp's idle_limit_for): the
    delay, a second, and 50 us per request and 4 ns per reply byte of all N (some ten
    times what the server takes), in whole milliseconds; only a server that stopped
    answering reaches it."""
    us = delay_us + 1_000_000 + tasks * (50 + nbytes * 4 // 1000)
    return math.ceil(us / 1000) / 1000


def no_byte_moved(call: str, limit_s: float) -> TimeoutError:
    return TimeoutError(f"{call}: no byte moved for {limit_s:.1f} s (is the server stopped?)")


def connect(port: int, limit_s: float) -> socket.socket:
    """A blocking connection to the server, without Nagle's delay (as the server's),
    whose recv and send fail after limit_s with no byte moved (BlockingIOError, from
    SO_RCVTIMEO and SO_SNDTIMEO). The connect waits no longer (TimeoutError)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        whole = int(limit_s)
        limit = struct.pack("ll", whole, round((limit_s - whole) * 1e6))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, limit)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, limit)
        # CPython waits for a blocking socket's connect in poll() without an end:
        # a timeout of its own for the connect, blocking again after it.
        s.settimeout(limit_s)
        try:
            s.connect((HOST, port))
        except TimeoutError:
            raise no_byte_moved(f"connect {HOST}:{port}", limit_s) from None
        s.settimeout(None)
    except BaseException:
        s.close()
        raise
    return s


def first_readable(socks: list[socket.socket]) -> int:
    """The index of the first socket with something to read (bytes, the end of its
    stream, an error), or -1: between runs no kept connection should have any."""
    poller = select.poll()
    for s in socks:
        poller.register(s, select.POLLIN)
    ready = {fd for fd, _ in poller.poll(0)}
    return next((i for i, s in enumerate(socks) if s.fileno() in ready), -1)


def recv_exactly(s: socket.socket, nbytes: int) -> bytearray:
    buf = bytearray(nbytes)
    view = memoryview(buf)
    got = 0
    while got < nbytes:
        n = s.recv_into(view[got:])
        if n == 0:
            raise ConnectionError(f"the server closed the connection after {got} of "
                                  f"{nbytes} bytes")
        got += n
    return buf


def _more_than_asked(nbytes: int) -> ConnectionError:
    return ConnectionError(f"the server sent more than the {nbytes} bytes of its reply")


# The workload whose kept connections are open: one at a time, as net_rpc.cpp's.
_open: list[NetRpc] = []


class NetRpc(Workload):
    name = "net_rpc"

    def __init__(self, params: Params, server: Server) -> None:
        check_tasks(params.tasks)
        check_range("sleep_us", params.sleep_us, 0, MAX_DELAY_US)
        check_range("bytes", params.bytes, 1, MAX_REPLY_BYTES)
        check_range("tasks x bytes", params.tasks * params.bytes, 0, MAX_REPLIES_BYTES)
        check_fits(params.tasks)
        super().__init__(Params(tasks=params.tasks, sleep_us=params.sleep_us,
                                bytes=params.bytes, conn_per_task=params.conn_per_task))
        self.server = server
        self.idle_limit_s = idle_limit_s(params.tasks, params.sleep_us, params.bytes)
        self._watch = IdleWatch(self.idle_limit_s)
        self._flags = CLOSE_AFTER_REPLY if params.conn_per_task else 0
        self._replies = [reply(i, params.bytes) for i in range(params.tasks)]
        self._kept: list[socket.socket] = []
        self._streams: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

    @property
    def hashes_only(self) -> bool:
        return False  # every task waits on its socket, whatever its delay

    def compute(self, index: int) -> bytes:
        return hashlib.sha256(self._replies[index]).digest()

    def server_cpu_seconds(self) -> float:
        return self.server.cpu_seconds()

    def _request(self, index: int) -> bytes:
        return encode(index, self.params.sleep_us, self.params.bytes, self._flags)

    # blocking ---------------------------------------------------------------

    def task(self, index: int, env: BlockingEnv) -> bytes:
        env.gauge.enter(index)
        try:
            got = self._exchange(index)
        except BlockingIOError:  # SO_RCVTIMEO or SO_SNDTIMEO passed
            raise no_byte_moved("exchange", self.idle_limit_s) from None
        digest = hashlib.sha256(got).digest()
        env.gauge.leave(index)
        return digest

    def _exchange(self, index: int) -> bytearray:
        nbytes = self.params.bytes
        if self.params.conn_per_task:
            with connect(self.server.port, self.idle_limit_s) as s:
                s.sendall(self._request(index))
                got = recv_exactly(s, nbytes)
                if s.recv(1):
                    raise _more_than_asked(nbytes)
            return got
        s = self._kept[index]
        s.sendall(self._request(index))
        return recv_exactly(s, nbytes)

    def open_blocking(self) -> None:
        self.server.check_running()
        if self.params.conn_per_task:
            return
        self._open_kept()
        for s in self._kept:
            # A loop's duplicate made the shared connection non-blocking.
            s.setblocking(True)

    def _open_kept(self) -> None:
        if self._kept:
            busy = first_readable(self._kept)
            if busy >= 0:
                raise ConnectionError(f"net_rpc: kept connection {busy} is not idle between "
                                      "runs: the server sent more than a reply, or closed it")
            return
        if _open and _open[0] is not self:
            _open.pop().release()
        _open.append(self)
        try:
            for _ in range(self.tasks):
                self._kept.append(connect(self.server.port, self.idle_limit_s))
        except BaseException:
            self.release()
            raise

    def release(self) -> None:
        kept, self._kept = self._kept, []
        for s in kept:
            s.close()
        if _open and _open[0] is self:
            _open.pop()

    # asyncio ----------------------------------------------------------------

    async def task_async(self, index: int, env: LoopEnv) -> bytes:
        env.gauge.enter(index)
        me = self._watch.enter()
        try:
            got = await self._exchange_async(index)
        except asyncio.CancelledError:
            if self._watch.was_cut(me):
                raise no_byte_moved("exchange", self.idle_limit_s) from None
            raise
        finally:
            self._watch.leave(me)
        digest = hashlib.sha256(got).digest()
        env.gauge.leave(index)
        return digest

    async def _exchange_async(self, index: int) -> bytes:
        nbytes = self.params.bytes
        if self.params.conn_per_task:
            reader, writer = await asyncio.open_connection(HOST, self.server.port)
            try:
                writer.write(self._request(index))
                await writer.drain()
                got = await reader.readexactly(nbytes)
                if await reader.read(1):
                    raise _more_than_asked(nbytes)
            finally:
                writer.close()
                await writer.wait_closed()
        else:
            reader, writer = self._streams[index]
            writer.write(self._request(index))
            await writer.drain()
            got = await reader.readexactly(nbytes)
        return got

    async def open_async(self) -> None:
        self.server.check_running()
        if self.params.conn_per_task:
            return
        await self.close_async()
        self._open_kept()
        for s in self._kept:
            self._streams.append(await asyncio.open_connection(sock=s.dup()))

    async def close_async(self) -> None:
        streams, self._streams = self._streams, []
        for _, writer in streams:
            writer.close()
        for _, writer in streams:
            await writer.wait_closed()
