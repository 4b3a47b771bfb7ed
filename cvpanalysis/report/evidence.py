"""Everything the claims and readings look at, and the row lookups they share."""

from __future__ import annotations

import os
import statistics
from dataclasses import dataclass, field
from typing import Iterable

from ..reading.inputs import cores_of, ours
from ..reading.models import ModelRegistry
from ..reading.series import ResultFile, Series, Trace


@dataclass
class Evidence:
    """Everything the claims and readings look at: the rows per workload, the
    traces, and the facts of every model (described by the files, else inferred)."""

    files: list[ResultFile]
    traces: list[Trace]
    models: ModelRegistry
    cores: int
    io: list[Series] = field(default_factory=list)
    cpu: list[Series] = field(default_factory=list)
    mixed: list[Series] = field(default_factory=list)
    counter: list[Series] = field(default_factory=list)

    @classmethod
    def of(cls, files: list[ResultFile], traces: list[Trace], models: ModelRegistry
           ) -> "Evidence":
        return cls(files=files, traces=traces, models=models,
                   cores=cores_of(files, os.cpu_count() or 1), io=ours(files, "io_sleep"),
                   cpu=ours(files, "cpu_hash"), mixed=ours(files, "mixed"),
                   counter=ours(files, "shared_counter"))

    def family(self, model: str) -> str:
        """The registry's family; for a model no file describes, what its
        timeline shows (tasks in several processes, on several threads of one,
        or on one thread), else one thread when it is fixed at one worker."""
        facts = self.models[model]
        if facts.described or facts.family != "unknown":
            return facts.family
        traced = [t for t in self.traces if t.model == model and t.events]
        if traced:
            pids = max(len({e.pid for e in t.events}) for t in traced)
            lanes = max(len({(e.pid, e.tid) for e in t.events}) for t in traced)
            return "processes" if pids > 1 else "threads" if lanes > 1 else "one_thread"
        return "one_thread" if facts.fixed_workers == 1 else "unknown"

    def concurrency(self, model: str) -> str:
        """"1", "N" or "W": described, else from the rows (a model fixed at one
        worker that had more than one task in flight starts every task at once)."""
        facts = self.models[model]
        if facts.described:
            return facts.concurrency
        if facts.fixed_workers != 1:
            return "W"
        peaks = [s.counter("peak_inflight") for s in self.io + self.mixed
                 if s.key["model"] == model and s.counter("peak_inflight") is not None]
        return ("N" if max(peaks) > 1.5 else "1") if peaks else ""

    def language(self, model: str) -> str:
        """"python" or "c++": files without cvp_language were written by the C++
        harnesses, before the Python harness existed."""
        return "python" if self.models[model].is_python else "c++"

    def one_thread(self, model: str) -> bool:
        return self.family(model) == "one_thread"

    def parallel(self, model: str) -> bool:
        return self.family(model) in ("threads", "processes") or (
            self.family(model) == "unknown" and self.models[model].takes_workers)

    def ordered(self, language: str | None = None) -> list[str]:
        """Models in display order, C++ before Python."""
        return sorted((m for m in self.models.ordered() if language in (None, self.language(m))),
                      key=lambda m: self.language(m) != "c++")

    def languages(self) -> list[str]:
        found = {self.language(m) for m in self.models.ordered()}
        return [lang for lang in ("c++", "python") if lang in found]

    def gathering_loops(self, language: str | None = None) -> list[str]:
        """One-thread models that start every task at once (asyncio.gather)."""
        return [m for m in self.ordered(language)
                if self.one_thread(m) and self.concurrency(m) == "N"]

    def baseline(self, language: str) -> str | None:
        """The first one-thread model of `language` that runs one task at a time."""
        return next((m for m in self.ordered(language)
                     if self.one_thread(m) and self.concurrency(m) == "1"
                     and self.models[m].parallelism in ("", "1")), None)

    def named(self, cpp_name: str, language: str) -> str | None:
        """The model of `language` that is `cpp_name` or names it as its twin."""
        return next((m for m in self.ordered(language)
                     if m == cpp_name or self.models[m].twin == cpp_name), None)


def rows_at(series: Iterable[Series], **axes: int) -> list[Series]:
    """The rows of every model whose name has these axis values."""
    return [s for s in series if all(s.key.get(k) == v for k, v in axes.items())]


def rows_of(series: Iterable[Series], model: str | None, **axes: int) -> list[Series]:
    """The rows of `model` (none when there is no such model) at these axis values."""
    return [s for s in rows_at(series, **axes) if model is not None and s.key["model"] == model]


def fastest(series: Iterable[Series]) -> Series | None:
    return min(series, key=lambda s: s.median_ms, default=None)


def paired_speedup(s: Series, serial: Series | None) -> float | None:
    """The row's paired speedup counter, else the baseline's median time / the row's."""
    values = s.counters.get("speedup")
    if values:
        return statistics.median(values)
    return serial.median_ms / s.median_ms if serial is not None else None


def speedups_over_serial(ev: Evidence, rows: list[Series]) -> list[tuple[Series, float]]:
    """cpu_hash rows with their speedup over the one-at-a-time model of their
    language at the same size (the paired counter where the rows carry it)."""
    result = []
    for s in rows:
        serial = fastest(rows_of(ev.cpu, ev.baseline(ev.language(s.key["model"])),
                                 tasks=s.key["tasks"], bytes=s.key["bytes"],
                                 rounds=s.key["rounds"]))
        up = paired_speedup(s, serial)
        if up is not None:
            result.append((s, up))
    return result


def main_sleep(series: list[Series]) -> int | None:
    """The sleep length most rows have (the io_sleep grid uses one)."""
    sleeps = [s.key["sleep_us"] for s in series]
    return max(set(sleeps), key=sleeps.count) if sleeps else None
