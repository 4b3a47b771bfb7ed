"""Ranking rows within a question: paired speedups, each model's best
configuration, the speedup over the baseline with its interval, the overhead
per task."""

from __future__ import annotations

import statistics

from ..reading.series import Series
from .intervals import interval95


def speedup_values(s: Series, baseline: Series | None) -> list[float] | None:
    """Per-repetition speedups over the baseline model: the paired counter the
    harness measured (serial run next to each timed run), else the baseline's
    median over each repetition."""
    if s.counters.get("speedup"):
        return s.counters["speedup"]
    if baseline is None:
        return None
    return [baseline.median_ms / t for t in s.times_ms]


def best_per_model(at: list[Series], baseline: Series | None) -> dict[str, Series]:
    """Each model's fastest configuration among `at` (by paired speedup where
    the rows carry it, else by median time)."""
    best: dict[str, Series] = {}
    for s in at:
        m = s.key["model"]
        if m not in best or speed(s, baseline) > speed(best[m], baseline):
            best[m] = s
    return best


def speed(s: Series, baseline: Series | None) -> float:
    values = speedup_values(s, baseline)
    return statistics.median(values) if values else 1 / s.median_ms


def score_values(s: Series, baseline: Series | None) -> tuple[str, list[float]]:
    """What ranks a row within its question: its paired speedups where it has
    them (higher is better), else its times (lower is better)."""
    if s.counters.get("speedup"):
        return "speedup", s.counters["speedup"]
    return "time", s.times_ms


def vs_baseline(s: Series, baseline: Series | None
                ) -> tuple[float | None, tuple[float, float] | None]:
    """The row's speedup over the baseline model with its 95% interval: the
    paired counter's, else the baseline's median time over the row's times."""
    kind, values = score_values(s, baseline)
    if kind == "speedup":
        return statistics.median(values), interval95(values)
    if baseline is None:
        return None, None
    ci = interval95(s.times_ms)
    ratio = baseline.median_ms / s.median_ms
    if ci is None or ci[0] <= 0:
        return ratio, None
    return ratio, (baseline.median_ms / ci[1], baseline.median_ms / ci[0])


def overhead_us(s: Series) -> float | None:
    """Time per task above the model's ideal, in µs: (median - ideal_ms) / tasks."""
    ideal = s.counter("ideal_ms")
    if ideal is None:
        return None
    return (s.median_ms - ideal) * 1000 / s.key["tasks"]
