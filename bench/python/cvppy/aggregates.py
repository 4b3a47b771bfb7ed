"""The rows over a benchmark's repetitions: the noise mark every repetition's row carries,
and the aggregate rows (mean, median, stddev, cv, ci95_low, ci95_high) as the C++
harnesses write them."""

from __future__ import annotations

import statistics
from typing import Callable

from cvppy import interval

# When a benchmark counts as noisy (docs/result-format.md).
NOISY_CV_PCT = 5.0
NOISY_SPEEDUP_SPREAD = 0.10


def noise(rows: list[dict]) -> tuple[float, bool]:
    """cv_pct of the repetitions' times, and whether the benchmark is noisy."""
    times = [r["real_time"] for r in rows]
    mean = statistics.fmean(times)
    cv_pct = 100 * statistics.stdev(times) / mean if len(times) > 1 and mean > 0 else 0.0
    speedups = [r["speedup"] for r in rows if "speedup" in r]
    spread = ((max(speedups) - min(speedups)) / statistics.median(speedups)
              if speedups and statistics.median(speedups) > 0 else 0.0)
    return cv_pct, cv_pct > NOISY_CV_PCT or spread > NOISY_SPEEDUP_SPREAD


_NOT_COUNTERS = {"name", "family_index", "per_family_instance_index", "run_name", "run_type",
                 "repetitions", "repetition_index", "threads", "iterations", "time_unit",
                 "error_occurred", "error_message"}


def aggregates(rows: list[dict]) -> list[dict]:
    """mean, median, stddev, cv, ci95_low and ci95_high rows over the repetitions, as
    the C++ harnesses write them (cv as a fraction, aggregate_unit "percentage")."""
    first = rows[0]
    # Every counter any repetition has, over the repetitions that have it, as
    # Google Benchmark's ComputeStats does: kmem_kib_per_task is missing from a
    # repetition whose runs never reached the peak probe's target.
    keys = list(dict.fromkeys(k for r in rows for k in r if k not in _NOT_COUNTERS))
    stats: dict[str, Callable[[list[float]], float]] = {
        "mean": statistics.fmean,
        "median": statistics.median,
        "stddev": lambda v: statistics.stdev(v) if len(v) > 1 else 0.0,
        "cv": lambda v: (statistics.stdev(v) / statistics.fmean(v)
                         if len(v) > 1 and statistics.fmean(v) != 0 else 0.0),
        "ci95_low": interval.ci95_low,
        "ci95_high": interval.ci95_high,
    }
    out = []
    for stat, fn in stats.items():
        row = {k: first[k] for k in ("family_index", "per_family_instance_index", "run_name")}
        row.update({"name": f"{first['run_name']}_{stat}", "run_type": "aggregate",
                    "repetitions": first["repetitions"], "threads": 1, "aggregate_name": stat,
                    "aggregate_unit": "percentage" if stat == "cv" else "time",
                    "iterations": len(rows), "time_unit": first["time_unit"]})
        row.update({k: fn([float(r[k]) for r in rows if k in r]) for k in keys})
        out.append({"name": row.pop("name"), **row})
    return out
