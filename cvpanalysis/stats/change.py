"""One benchmark's change between two runs: the ratio of medians with its
bootstrap interval, the Mann-Whitney U test, the smallest detectable change,
and the verdict."""

from __future__ import annotations

import math
import statistics
import warnings
from dataclasses import dataclass

from .intervals import t95

MIN_RELIABLE_REPS = 9
# The normal quantile of 80% power, added to the test's quantile in the detectable change.
Z_POWER_80 = 0.8416


@dataclass
class Change:
    name: str
    old_median: float  # ms for the time metric
    new_median: float
    change_pct: float
    ci_low_pct: float | None
    ci_high_pct: float | None
    p_value: float | None
    old_reps: int
    new_reps: int
    verdict: str  # "faster", "slower", "no change", each maybe followed by " (untested)"
    reliable: bool
    tested: bool  # a significance test was possible with these repetitions
    worse: bool  # the change is in the bad direction (slower, lower speedup)
    metric: str = "time"  # what was compared
    detectable_pct: float | None = None  # the smallest change the repetitions could find

    @property
    def direction(self) -> str:
        return self.verdict.removesuffix(" (untested)")


def smallest_p(n: int, m: int) -> float:
    """The smallest two-sided p-value the Mann-Whitney U test can reach with
    samples of n and m values (every old value below every new one)."""
    if n < 1 or m < 1:
        return 1.0
    return min(1.0, 2 / math.comb(n + m, n))


def detectable_pct(old: list[float], new: list[float], alpha: float) -> float | None:
    """The smallest change, in percent of the old median, that a two-sided test
    at 95% finds with 80% power given these repetitions' spread: None where no
    test is possible at all."""
    n, m = len(old), len(new)
    if n < 2 or m < 2 or smallest_p(n, m) >= alpha:
        return None
    se = math.sqrt(statistics.variance(old) / n + statistics.variance(new) / m)
    return (t95(n + m - 2) + Z_POWER_80) * se / statistics.median(old) * 100


def compare_series(name: str, old: list[float], new: list[float], threshold_pct: float,
                   alpha: float, higher_is_better: bool = False) -> Change:
    """One benchmark's verdict: "slower" is a significant change, at least the
    threshold, in the bad direction (up for times, down for speedups); with too
    few repetitions for a test, the change against the threshold alone, marked
    "(untested)"."""
    import numpy as np
    from scipy import stats

    old_med, new_med = statistics.median(old), statistics.median(new)
    change = (new_med / old_med - 1) * 100
    tested = smallest_p(len(old), len(new)) < alpha
    p = None
    if len(set(old + new)) == 1:
        p = 1.0  # every repetition on both sides identical: nothing changed
    elif len(old) >= 2 and len(new) >= 2:
        p = float(stats.mannwhitneyu(old, new, alternative="two-sided").pvalue)

    def median_change_pct(n, o, axis=-1):
        return (np.median(n, axis=axis) / np.median(o, axis=axis) - 1) * 100

    low = high = None
    if len(old) >= 3 and len(new) >= 3 and len(set(old + new)) > 1:
        # Fixed seed: the same inputs always print the same interval.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ci = stats.bootstrap((new, old), median_change_pct, vectorized=True, paired=False,
                                 n_resamples=2000, confidence_level=0.95, method="percentile",
                                 random_state=12345).confidence_interval
        if math.isfinite(ci.low) and math.isfinite(ci.high):
            low, high = float(ci.low), float(ci.high)
    worse = change < 0 if higher_is_better else change > 0
    big = abs(change) >= threshold_pct
    significant = big and (p is not None and p < alpha if tested else True)
    verdict = "no change" if not significant else ("slower" if worse else "faster")
    if not tested:
        verdict += " (untested)"
    return Change(name=name, old_median=old_med, new_median=new_med, change_pct=change,
                  ci_low_pct=low, ci_high_pct=high, p_value=p, old_reps=len(old),
                  new_reps=len(new), verdict=verdict,
                  reliable=min(len(old), len(new)) >= MIN_RELIABLE_REPS, tested=tested,
                  worse=worse and change != 0, detectable_pct=detectable_pct(old, new, alpha))


def geomean_change_pct(changes: list[Change]) -> float:
    logs = [math.log(c.new_median / c.old_median) for c in changes]
    return (math.exp(sum(logs) / len(logs)) - 1) * 100
