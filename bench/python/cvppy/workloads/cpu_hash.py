"""cpu_hash: each task hashes a B-byte message with SHA-256, chained R rounds (as C++ cpu_hash).

The message and the chaining are CpuHash::message and CpuHash::digest to the
byte, so a Python run's digests equal the C++ serial model's. One difference,
on purpose: C++ makes each task's message inside the task (about a tenth of the
hash's cost there); pure Python would take some 50 times the hash to make a
64 KiB message, turning a hashing task into interpreter work that holds the
GIL. So the messages are made once, before the clock, vectorised across tasks
with numpy, like input read into memory; a task copies its message (when it
chains) and hashes.
"""

from __future__ import annotations

import hashlib

import numpy as np

from cvppy.params import check_bytes, check_range, check_rounds, check_tasks
from cvppy.workloads.workload import Params, Workload

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_STAR = 0x2545F4914F6CDD1D

# Rounds per message size as in bench/harnesses/cpu_hash.cpp, so every task costs about
# the same in C++: 64 B measures per-call overhead, 64 KiB raw throughput.
DEFAULT_ROUNDS = {64: 256, 4096: 16, 65536: 1}


# The messages of all tasks are held at once: a cap on their total keeps a
# typo (--bytes with two extra zeros) from an out-of-memory kill.
MAX_MESSAGE_BYTES = 1 << 30


def default_rounds(nbytes: int) -> int:
    return DEFAULT_ROUNDS.get(nbytes, 1)


def message(index: int, nbytes: int) -> bytes:
    """CpuHash::message in plain Python: the specification the fast path is tested against.

    xorshift64* seeded by (index + 1) * golden ratio, eight little-endian bytes a
    step, the last step truncated to the message length."""
    x = ((index + 1) * _GOLDEN) & _MASK
    out = bytearray()
    while len(out) < nbytes:
        x ^= x >> 12
        x ^= (x << 25) & _MASK
        x ^= x >> 27
        out += ((x * _STAR) & _MASK).to_bytes(8, "little")
    return bytes(out[:nbytes])


def messages(count: int, nbytes: int) -> np.ndarray:
    """message(i, nbytes) for i < count, as rows of a (count, nbytes) uint8 array.

    One xorshift step for every task at once: a Python loop over the steps of
    a message, not over its bytes and tasks too."""
    check_range("tasks x bytes", count * nbytes, 0, MAX_MESSAGE_BYTES)
    steps = (nbytes + 7) // 8
    x = (np.arange(1, count + 1, dtype=np.uint64)) * np.uint64(_GOLDEN)
    words = np.empty((steps, count), dtype="<u8")
    s12, s25, s27, star = np.uint64(12), np.uint64(25), np.uint64(27), np.uint64(_STAR)
    for step in range(steps):
        x ^= x >> s12
        x ^= x << s25
        x ^= x >> s27
        words[step] = x * star
    return np.ascontiguousarray(words.T).view(np.uint8)[:, :nbytes]


def chain(msg: bytes | bytearray | memoryview, rounds: int) -> bytes:
    """CpuHash::digest given the message: round 1 hashes it; each later round first
    writes the previous digest over the message's leading bytes."""
    digest = hashlib.sha256(msg).digest()
    if rounds <= 1:
        return digest
    buf = bytearray(msg)
    head = min(len(buf), len(digest))
    for _ in range(rounds - 1):
        buf[:head] = digest[:head]
        digest = hashlib.sha256(buf).digest()
    return digest


def digest(index: int, nbytes: int, rounds: int) -> bytes:
    """What task `index` returns, by the plain path (the reference for tests)."""
    return chain(message(index, nbytes), rounds)


class CpuHash(Workload):
    name = "cpu_hash"

    def __init__(self, params: Params) -> None:
        check_tasks(params.tasks)
        check_bytes(params.bytes)
        check_rounds(params.rounds)
        super().__init__(Params(tasks=params.tasks, bytes=params.bytes, rounds=params.rounds))
        self._messages = messages(params.tasks, params.bytes)

    def compute(self, index: int) -> bytes:
        return chain(self._messages[index].data, self.params.rounds)
