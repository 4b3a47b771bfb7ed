"""What each benchmark is compared on, and the changes of every benchmark two runs share."""

from __future__ import annotations

import warnings

from ..reading.series import Series
from .change import Change, compare_series

# What --metric may compare, and whether a higher value is the better one.
METRICS = {"time": False, "speedup": True, "efficiency": True, "items_per_second": True,
           "vs_limit": True}
# --metric auto: per benchmark, the first of these that both sides have.
AUTO_METRICS = ("speedup", "vs_limit", "time")


def values(s: Series, metric: str) -> list[float] | None:
    return s.times_ms if metric == "time" else s.counters.get(metric)


def positive(vs: list[float] | None) -> bool:
    return bool(vs) and min(vs) > 0


def metric_of(old: Series, new: Series, metric: str) -> str | None:
    """What a benchmark is compared on: `metric`, or with auto the first of
    AUTO_METRICS both sides have above zero; None when it cannot be compared."""
    for m in (AUTO_METRICS if metric == "auto" else (metric,)):
        if positive(values(old, m)) and positive(values(new, m)):
            return m
    return None


def changes_between(old: dict[str, Series], new: dict[str, Series], common: list[str],
                    metric: str, threshold_pct: float, alpha: float
                    ) -> tuple[list[Change], list[str]]:
    """Each common benchmark's Change on `metric` (auto: its own drift-free
    figure), and the benchmarks that have no such figure above zero on both
    sides (a ratio must be above zero; times are checked on reading)."""
    changes, without = [], []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for n in common:
            m = metric_of(old[n], new[n], metric)
            if m is None:
                without.append(n)
                continue
            change = compare_series(n, values(old[n], m), values(new[n], m), threshold_pct,
                                    alpha, METRICS[m])
            change.metric = m
            changes.append(change)
    return changes, without
