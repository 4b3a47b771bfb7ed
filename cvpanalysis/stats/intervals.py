"""95% intervals, whether two of them overlap (a tie), and a median's error bar."""

from __future__ import annotations

import math
import statistics


def t95(df: int) -> float:
    """The two-sided 95% quantile of Student's t with `df` degrees of freedom (scipy)."""
    from scipy import stats
    return float(stats.t.ppf(0.975, df))


def interval95(values: list[float]) -> tuple[float, float] | None:
    """The 95% interval of the mean of `values` (Student's t), as the harnesses
    write it in their ci95_low and ci95_high aggregates; None for fewer than two."""
    if len(values) < 2:
        return None
    mean, half = statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))
    t = t95(len(values) - 1)
    return mean - t * half, mean + t * half


def overlaps(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    """Two intervals share a value: the figures they bound cannot be ranked."""
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]


def spread(values: list[float]) -> tuple[float, float]:
    """(median - min, max - median): the error bar of a median."""
    med = statistics.median(values)
    return med - min(values), max(values) - med
