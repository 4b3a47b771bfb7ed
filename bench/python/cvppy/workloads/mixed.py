"""mixed: each task hashes for a share of task_us (grid_facts.json: 5 ms), then waits for the rest (as C++ mixed)."""

from __future__ import annotations

import math
import time

from cvppy import grid_facts
from cvppy.params import check_bytes, check_range, check_sleep_us, check_tasks, MAX_ROUNDS
from cvppy.workloads import cpu_hash
from cvppy.workloads.io_sleep import token
from cvppy.workloads.workload import Params, Workload

TASK_US = grid_facts.value("mixed.task_us")  # every task: task_us of hashing plus waiting
BYTES = grid_facts.value("mixed.bytes")


def round_seconds() -> float:
    """Seconds of one 4 KiB chained round in this interpreter, fastest of five batches,
    as bench/harnesses/mixed.cpp's round_seconds: it turns a CPU share into rounds."""
    msg = cpu_hash.message(0, BYTES)
    best = 1.0
    for _ in range(5):
        t0 = time.perf_counter()
        cpu_hash.chain(msg, 256)
        best = min(best, (time.perf_counter() - t0) / 256)
    return best


def _lround(x: float) -> int:
    """C's lround for the non-negative values here: halves round away from zero."""
    return math.floor(x + 0.5)


def share_params(tasks: int, share: float, seconds_per_round: float) -> Params:
    """A task of TASK_US with CPU share `share`: the rounds that take share * TASK_US
    here, and a wait for the rest."""
    rounds = _lround(share * TASK_US * 1e-6 / seconds_per_round)
    return Params(tasks=tasks, sleep_us=_lround((1 - share) * TASK_US),
                  bytes=BYTES if rounds > 0 else 0, rounds=rounds)


class Mixed(Workload):
    name = "mixed"

    def __init__(self, params: Params) -> None:
        check_tasks(params.tasks)
        check_sleep_us(params.sleep_us)
        rounds = check_range("rounds", params.rounds, 0, MAX_ROUNDS)
        nbytes = check_bytes(params.bytes) if rounds > 0 else 0
        super().__init__(Params(tasks=params.tasks, sleep_us=params.sleep_us, bytes=nbytes,
                                rounds=rounds))
        self._messages = cpu_hash.messages(params.tasks, nbytes) if rounds > 0 else None

    def compute(self, index: int) -> bytes:
        if self._messages is None:
            return token(index)
        return cpu_hash.chain(self._messages[index], self.params.rounds)
