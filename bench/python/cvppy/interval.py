"""95% intervals over a benchmark's repetitions: the aggregates ci95_low and ci95_high,
computed as the C++ harnesses compute them (bench/interval.cpp)."""

from __future__ import annotations

import math
import statistics

# Student's t, two-sided 95%, df = 1..30 (the same table as bench/interval.cpp).
_T95 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179,
        2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
        2.060, 2.056, 2.052, 2.048, 2.045, 2.042)


def t95(df: int) -> float:
    """The two-sided 95% quantile of Student's t: the table to df = 30, a
    Cornish-Fisher term beyond it (within 0.005 of the exact value)."""
    if df < 1:
        return math.nan
    if df <= len(_T95):
        return _T95[df - 1]
    z = 1.959964
    return z + (z ** 3 + z) / (4 * df)


def _half_width(values: list[float]) -> float:
    return t95(len(values) - 1) * statistics.stdev(values) / math.sqrt(len(values))


def ci95_low(values: list[float]) -> float:
    """The lower bound of the 95% interval of the mean; NaN for fewer than two values."""
    if len(values) < 2:
        return math.nan
    return statistics.fmean(values) - _half_width(values)


def ci95_high(values: list[float]) -> float:
    """The upper bound of the 95% interval of the mean; NaN for fewer than two values."""
    if len(values) < 2:
        return math.nan
    return statistics.fmean(values) + _half_width(values)
