"""Rows that belong together: per workload, per cpu_hash size, per question."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from typing import Iterable

from .inputs import ours
from .series import ResultFile, Series


@dataclass
class Workloads:
    """The rows of the three workloads the charts and the summary draw on."""

    io: list[Series]
    cpu: list[Series]
    mixed: list[Series]
    net: list[Series] = field(default_factory=list)

    @classmethod
    def of(cls, files: Iterable[ResultFile]) -> "Workloads":
        files = list(files)
        return cls(io=ours(files, "io_sleep"), cpu=ours(files, "cpu_hash"),
                   mixed=ours(files, "mixed"), net=ours(files, "net_rpc"))


def cpu_size(key: dict) -> tuple[int, int]:
    """A cpu_hash size: (bytes, rounds); rounds 0 is the workload's default."""
    return key["bytes"], key["rounds"]


def cpu_size_label(size: tuple[int, int]) -> str:
    return f"bytes={size[0]}" + (f" rounds={size[1]}" if size[1] else "")


# A workload and size as summary.md and the per-size charts group them.
Group = tuple[str, tuple, str]


def size_groups(io: list[Series], cpu: list[Series], mixed: list[Series]
                ) -> list[tuple[Group, list[Series]]]:
    """(workload, sort key, label) and its rows: io_sleep per task count,
    cpu_hash per message size, mixed per CPU share (the median of the rows'
    cpu_share counters at one sleep length)."""
    groups: dict[Group, list[Series]] = {}
    for s in io:
        groups.setdefault(("io_sleep", (s.key["tasks"],), f"tasks={s.key['tasks']}"), []).append(s)
    for s in cpu:
        size = cpu_size(s.key)
        groups.setdefault(("cpu_hash", size, cpu_size_label(size)), []).append(s)
    for sleep_us in sorted({s.key["sleep_us"] for s in mixed}):
        at = [s for s in mixed if s.key["sleep_us"] == sleep_us]
        share = statistics.median(s.counter("cpu_share") or 0.0 for s in at)
        groups[("mixed", (-sleep_us,), f"cpu_share={share:.2f}")] = at
    return sorted(groups.items(), key=lambda kv: kv[0][:2])
