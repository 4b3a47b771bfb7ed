"""The result-file model: a benchmark's repetitions, a result file, a trace."""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from .models import ModelFacts


@dataclass
class Series:
    """One benchmark's repetitions: times in ms and counters per repetition."""

    name: str  # without /manual_time
    times_ms: list[float] = field(default_factory=list)
    counters: dict[str, list[float]] = field(default_factory=dict)
    key: dict | None = None  # parsed grammar fields, None when foreign
    unit: str = "ms"  # the time unit of the file's rows

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    def counter(self, name: str) -> float | None:
        values = self.counters.get(name)
        return statistics.median(values) if values else None

    @property
    def noisy(self) -> bool:
        return any(v >= 1 for v in self.counters.get("noisy", []))


@dataclass
class ResultFile:
    path: Path
    context: dict
    series: dict[str, Series]
    errors: list[str]  # "name: message" for rows in error (the benchmark is dropped)
    models: list[ModelFacts] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # names of the benchmarks dropped
    load: dict | None = None  # the parsed cvp_load

    @property
    def loaded(self) -> bool:
        return bool(self.load and self.load.get("loaded") is True)

    @property
    def harness(self) -> str:
        value = self.context.get("cvp_harness")
        return value if isinstance(value, str) else ""

    def load_note(self) -> str:
        """What the harness saw of the machine's other load, in words."""
        if not self.load:
            return "no load sample"
        parts = []
        for key, fmt in (("other_busy_cpus", "{:.2f} other busy CPUs"),
                         ("steal_pct", "steal {:.1f}%"),
                         ("loadavg_end", "load average {:.2f} at the end")):
            v = self.load.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                parts.append(fmt.format(v))
        return ", ".join(parts) or "no figures"


@dataclass
class TraceEvent:
    ts: float  # µs since the run started
    dur: float
    pid: int | str
    tid: int | str
    index: int


@dataclass
class Trace:
    path: Path
    scenario: str
    model: str
    workers: int
    wall_ms: float
    events: list[TraceEvent]
    facts: ModelFacts | None
