"""io_sleep: each task waits T without using the CPU, simulated IO (src/workloads/io_sleep.cpp)."""

from __future__ import annotations

from cvppy.params import check_sleep_us, check_tasks
from cvppy.workloads.workload import Params, Workload

_MASK = (1 << 64) - 1


def splitmix64(x: int) -> int:
    """splitmix64 as in io_sleep.cpp: a cheap, well-mixed function of x."""
    x = (x + 0x9E3779B97F4A7C15) & _MASK
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & _MASK
    return x ^ (x >> 31)


def token(index: int) -> bytes:
    """IoSleep::token: four chained splitmix64 words, little-endian, 32 bytes."""
    out = bytearray()
    x = index
    for _ in range(4):
        x = splitmix64(x)
        out += x.to_bytes(8, "little")
    return bytes(out)


class IoSleep(Workload):
    name = "io_sleep"

    def __init__(self, params: Params) -> None:
        check_tasks(params.tasks)
        check_sleep_us(params.sleep_us)
        super().__init__(Params(tasks=params.tasks, sleep_us=params.sleep_us))

    def compute(self, index: int) -> bytes:
        return token(index)
