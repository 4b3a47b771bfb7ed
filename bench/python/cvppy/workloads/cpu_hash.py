"""cpu_hash: each task hashes a B-byte message with SHA-256, chained R rounds (as C++ cpu_hash).

The message and the chaining are CpuHash::message and CpuHash::digest to the
byte, so a Python run's digests equal the C++ serial model's. One difference,
on purpose: C++ makes each task's message inside the task (about a tenth of the
hash's cost there); pure Python would take some 50 times the hash to make a
64 KiB message, turning a hashing task into interpreter work that holds the
GIL. So the messages are made once, before the clock, all tasks a step at a
time in the lanes of one big integer (no numpy), like input read into memory;
a task copies its message (when it chains) and hashes.
"""

from __future__ import annotations

import array
import hashlib

from cvppy import grid_facts
from cvppy.params import check_bytes, check_range, check_rounds, check_tasks
from cvppy.workloads.workload import Params, Workload

_MASK = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_STAR = 0x2545F4914F6CDD1D


# The messages of all tasks are held at once: a cap on their total keeps a
# typo (--bytes with two extra zeros) from an out-of-memory kill.
MAX_MESSAGE_BYTES = 1 << 30


def default_rounds(nbytes: int) -> int:
    """Rounds per message size, as C++ (bench/grid_facts.json), so every task costs about
    the same in C++: 64 B measures per-call overhead, 64 KiB raw throughput."""
    return grid_facts.default_rounds(nbytes)


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


def messages(count: int, nbytes: int) -> list[memoryview]:
    """message(i, nbytes) for i < count, each a view of one shared buffer.

    One xorshift step for every task at once, without numpy: the tasks' states
    are the 128-bit lanes of one big integer, each state in a lane's low 64 bits.
    A shift by up to 64 and a product with a 64-bit constant stay inside a lane
    (or spill into the next lane's high half, masked off), so big-integer shifts,
    xors and one multiplication step every task together: a Python loop over the
    steps of a message, not over its bytes and tasks too."""
    check_range("tasks x bytes", count * nbytes, 0, MAX_MESSAGE_BYTES)
    steps = (nbytes + 7) // 8
    low_halves = int.from_bytes((b"\xff" * 8 + bytes(8)) * count, "little")
    x = int.from_bytes(b"".join((((i + 1) * _GOLDEN) & _MASK).to_bytes(16, "little")
                                for i in range(count)), "little")
    # words[task * steps + step]: a task's message is its steps back to back. Only
    # copied, never read as numbers, so the machine's byte order does not matter.
    words = array.array("Q", [0]) * (steps * count)  # no zeroed bytes copied in: half the peak
    for step in range(steps):
        x = (x ^ (x >> 12)) & low_halves
        x ^= (x << 25) & low_halves
        x = (x ^ (x >> 27)) & low_halves
        lane_words = array.array("Q", ((x * _STAR) & low_halves).to_bytes(16 * count, "little"))
        words[step::steps] = lane_words[0::2]
    buf = memoryview(words).cast("B")
    row = 8 * steps
    return [buf[i * row:i * row + nbytes] for i in range(count)]


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
        return chain(self._messages[index], self.params.rounds)
