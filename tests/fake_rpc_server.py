"""A net_rpc server that misbehaves on purpose, for the hostile tests: it says
"listening <port>" as bench/net_rpc_server.cpp does, then answers every request the
way MODE says. Run with bench/python on PYTHONPATH (cvppy has the wire format).

usage: fake_rpc_server.py MODE
  garbage     replies of the right length, every byte wrong
  short       half of each reply, then the connection closed
  short_hang  half of each reply, then the connection held open, silent
  extra       each reply and one byte more
  dead_port   says it listens on a port where nothing listens, then sleeps
"""

from __future__ import annotations

import socket
import sys
import threading
import time

from cvppy.workloads.net_rpc import CLOSE_AFTER_REPLY, REQUEST, reply


def read_request(conn: socket.socket) -> bytes | None:
    got = b""
    while len(got) < REQUEST.size:
        chunk = conn.recv(REQUEST.size - len(got))
        if not chunk:
            return None
        got += chunk
    return got


def answer(conn: socket.socket, mode: str, index: int, nbytes: int) -> bool:
    """Sends what `mode` sends for one request; False when the connection is done."""
    good = reply(index, nbytes)
    if mode == "garbage":
        conn.sendall(bytes(b ^ 0xFF for b in good))
    elif mode == "extra":
        conn.sendall(good + b"!")
    else:
        conn.sendall(good[:nbytes // 2])
        if mode == "short_hang":
            threading.Event().wait()  # holds the connection, as a stopped server would
        return False
    return True


def serve(conn: socket.socket, mode: str) -> None:
    with conn:
        try:
            while (request := read_request(conn)) is not None:
                _, index, delay_us, nbytes, flags = REQUEST.unpack(request)
                time.sleep(delay_us * 1e-6)
                if not answer(conn, mode, index, nbytes) or flags & CLOSE_AFTER_REPLY:
                    return
        except OSError:
            return  # the client gave up on this connection: so does the server


def main(mode: str) -> None:
    if mode == "dead_port":
        unused = socket.socket()
        unused.bind(("127.0.0.1", 0))  # bound, never listened on: nothing answers there
        print(f"listening {unused.getsockname()[1]}", flush=True)
        time.sleep(60)
        return
    listener = socket.create_server(("127.0.0.1", 0), backlog=256)
    print(f"listening {listener.getsockname()[1]}", flush=True)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, mode), daemon=True).start()


if __name__ == "__main__":
    main(sys.argv[1])
