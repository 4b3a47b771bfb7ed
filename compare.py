#!/usr/bin/env python3
"""Compare two cvpbench result sets with a statistical verdict per benchmark.

usage: compare.py [OLD NEW] [--threshold PCT] [--alpha A] [--fail-on-regression PCT]
                  [--json OUT] [--metric NAME]

OLD and NEW are Google Benchmark JSON files or folders of them (every *.json
inside). With no arguments: results/previous (kept by the last bench run)
against results/.

For every benchmark present on both sides it prints the old and new median
time per run, the change in percent with a 95% bootstrap confidence interval
for it (ratio of medians), the two-sided Mann-Whitney U p-value over the
repetitions (scipy), and a verdict: "faster" or "slower" when p < alpha and
the change is at least the noise threshold, otherwise "no change". With
fewer than 9 repetitions on a side the verdicts are marked unreliable ("?").
Below the table: the geometric mean of the new/old ratios, the benchmarks
present on one side only, rows in error (skipped), and the context
differences that matter (CPUs, library versions, profile, timer slack).

--json OUT writes the comparison as JSON, and a chart of each benchmark's
change with its interval beside it (OUT with .png and .svg suffixes).

--metric speedup (or efficiency, items_per_second) compares that counter
instead of the time, higher being better. Wall times of CPU-bound runs drift
with a virtual machine's speed from one run to the next; the paired speedup
and efficiency of cpu_hash rows are measured against a serial run next to
each timed run, and drift far less.

Exit status: 0 compared; 1 --fail-on-regression tripped (a benchmark is
significantly slower by more than PCT); 2 bad input (a file missing or not
Google Benchmark JSON, no benchmark in common).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import plot

MIN_RELIABLE_REPS = 9
CONTEXT_KEYS = ("host_name", "num_cpus", "cpus_usable", "cpus_cgroup_quota", "cvp_profile",
                "cvpbench_version", "libuv_version", "tbb_version", "openssl_version",
                "timer_slack_ns", "uv_threadpool_size", "tbb_default_concurrency",
                "library_build_type")


# What --metric may compare, and whether a higher value is the better one.
METRICS = {"time": False, "speedup": True, "efficiency": True, "items_per_second": True}


@dataclass
class Change:
    name: str
    old_median: float
    new_median: float
    change_pct: float
    ci_low_pct: float | None
    ci_high_pct: float | None
    p_value: float | None
    old_reps: int
    new_reps: int
    verdict: str  # "faster", "slower", "no change"
    reliable: bool


def load_side(path: Path) -> list[plot.ResultFile]:
    """One side of the comparison: a JSON file, or every JSON file in a folder."""
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise plot.InputError(f"{path}: folder holds no *.json result file")
        return [plot.load(f) for f in files]
    return [plot.load(path)]


def merged(files: list[plot.ResultFile]) -> dict[str, plot.Series]:
    result: dict[str, plot.Series] = {}
    for f in files:
        result.update(f.series)
    return result


def compare_series(name: str, old: list[float], new: list[float], threshold_pct: float,
                   alpha: float, higher_is_better: bool = False) -> Change:
    """One benchmark's verdict: "slower" is a significant change, at least the
    threshold, in the bad direction (up for times, down for speedups)."""
    import numpy as np
    from scipy import stats

    old_med, new_med = statistics.median(old), statistics.median(new)
    change = (new_med / old_med - 1) * 100
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
        ci = stats.bootstrap((new, old), median_change_pct, vectorized=True, paired=False,
                             n_resamples=2000, confidence_level=0.95, method="percentile",
                             random_state=12345).confidence_interval
        low, high = float(ci.low), float(ci.high)
    significant = p is not None and p < alpha and abs(change) >= threshold_pct
    worse = change < 0 if higher_is_better else change > 0
    verdict = "no change" if not significant else ("slower" if worse else "faster")
    return Change(name=name, old_median=old_med, new_median=new_med, change_pct=change, ci_low_pct=low,
                  ci_high_pct=high, p_value=p, old_reps=len(old), new_reps=len(new),
                  verdict=verdict, reliable=min(len(old), len(new)) >= MIN_RELIABLE_REPS)


def context_differences(old: list[plot.ResultFile], new: list[plot.ResultFile]) -> list[str]:
    def ctx(files: list[plot.ResultFile]) -> dict:
        merged_ctx: dict = {}
        for f in files:
            merged_ctx.update(f.context)
        return merged_ctx

    a, b = ctx(old), ctx(new)
    return [f"{k}: {a.get(k, '—')} -> {b.get(k, '—')}" for k in CONTEXT_KEYS
            if str(a.get(k)) != str(b.get(k))]


def geomean_change_pct(changes: list[Change]) -> float:
    logs = [math.log(c.new_median / c.old_median) for c in changes]
    return (math.exp(sum(logs) / len(logs)) - 1) * 100


def format_table(changes: list[Change], unit: str) -> str:
    def pct(v: float | None) -> str:
        return "" if v is None else f"{v:+.1f}%"

    header = ("benchmark", f"old {unit}", f"new {unit}", "change", "95% CI", "p", "verdict")
    lines = [header]
    for c in changes:
        ci = f"[{pct(c.ci_low_pct)}, {pct(c.ci_high_pct)}]" if c.ci_low_pct is not None else "—"
        p = "—" if c.p_value is None else f"{c.p_value:.3g}"
        verdict = c.verdict + ("" if c.reliable else " ?")
        lines.append((c.name, f"{c.old_median:.3f}", f"{c.new_median:.3f}", pct(c.change_pct), ci, p,
                      verdict))
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = []
    for row in lines:
        out.append("  ".join(cell.ljust(w) if i in (0, 6) else cell.rjust(w)
                             for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
    return "\n".join(out)


def chart(changes: list[Change], stem: Path, threshold_pct: float, metric: str) -> list[Path]:
    plt = plot._plt()
    colors = {"faster": "#2ca02c", "slower": "#d62728", "no change": "#7f7f7f"}
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(changes) + 1.6))
    ys = range(len(changes))
    for y, c in zip(ys, changes):
        err = None
        if c.ci_low_pct is not None:
            err = [[c.change_pct - c.ci_low_pct], [c.ci_high_pct - c.change_pct]]
        ax.errorbar(c.change_pct, y, xerr=err, fmt="o", color=colors[c.verdict], capsize=2)
    ax.axvspan(-threshold_pct, threshold_pct, color="#dddddd", alpha=0.5,
               label=f"noise threshold ±{threshold_pct:g}%")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(list(ys), [c.name.removesuffix("/manual_time") for c in changes], fontsize=6)
    ax.invert_yaxis()
    what = "wall time per run" if metric == "time" else metric
    ax.set_xlabel(f"change in median {what}, new vs old (%), with 95% CI")
    ax.set_title("compare: green faster, red slower, grey no significant change")
    ax.legend(fontsize=7)
    written = []
    for ext in ("png", "svg"):
        path = stem.with_suffix(f".{ext}")
        fig.savefig(path, dpi=130 if ext == "png" else None, bbox_inches="tight",
                    metadata={"Date": None} if ext == "svg" else None)
        written.append(path)
    plt.close(fig)
    return written


def values(s: plot.Series, metric: str) -> list[float] | None:
    return s.times_ms if metric == "time" else s.counters.get(metric)


def compare(old_path: Path, new_path: Path, threshold_pct: float, alpha: float,
            fail_pct: float | None, json_out: Path | None, metric: str = "time") -> int:
    old_files, new_files = load_side(old_path), load_side(new_path)
    old, new = merged(old_files), merged(new_files)
    common = sorted(n for n in new if n in old)
    if not common:
        raise plot.InputError(f"{old_path} and {new_path} have no benchmark in common")
    without = [n for n in common if not values(old[n], metric) or not values(new[n], metric)]
    common = [n for n in common if n not in without]
    if not common:
        raise plot.InputError(f"no benchmark in common has a {metric} counter")
    changes = [compare_series(n, values(old[n], metric), values(new[n], metric), threshold_pct,
                              alpha, METRICS[metric])
               for n in common]

    print(f"old: {old_path}\nnew: {new_path}\nmetric: {metric}\n")
    print(format_table(changes, "ms" if metric == "time" else metric))
    print()
    min_reps = min(min(c.old_reps, c.new_reps) for c in changes)
    if min_reps < MIN_RELIABLE_REPS:
        print(f"note: as few as {min_reps} repetitions on a side (fewer than {MIN_RELIABLE_REPS}): "
              "verdicts marked ? are unreliable; the full profile runs 10")
    counts = {v: sum(c.verdict == v for c in changes) for v in ("faster", "slower", "no change")}
    print(f"geometric mean change: {geomean_change_pct(changes):+.2f}% over {len(changes)} "
          f"benchmarks ({counts['faster']} faster, {counts['slower']} slower, "
          f"{counts['no change']} no change; threshold {threshold_pct:g}%, alpha {alpha:g})")
    for label, names in (("only in old", [n for n in old if n not in new]),
                         ("only in new", [n for n in new if n not in old])):
        if names:
            print(f"{label} ({len(names)}):")
            for n in names:
                print(f"  {n}")
    errors = [e for f in old_files + new_files for e in (f"{f.path}: {x}" for x in f.errors)]
    if errors:
        print(f"rows in error, skipped ({len(errors)}):")
        for e in errors:
            print(f"  {e}")
    if without:
        print(f"without a {metric} counter on both sides, skipped ({len(without)}):")
        for n in without[:5]:
            print(f"  {n}")
        if len(without) > 5:
            print(f"  ... and {len(without) - 5} more")
    diffs = context_differences(old_files, new_files)
    if diffs:
        print("context differences:")
        for d in diffs:
            print(f"  {d}")

    if json_out:
        json_out.parent.mkdir(parents=True, exist_ok=True)
        json_out.write_text(json.dumps({
            "old": str(old_path), "new": str(new_path), "metric": metric,
            "threshold_pct": threshold_pct,
            "alpha": alpha, "geomean_change_pct": geomean_change_pct(changes),
            "benchmarks": [asdict(c) for c in changes],
            "only_in_old": [n for n in old if n not in new],
            "only_in_new": [n for n in new if n not in old],
            "errors": errors, "context_differences": diffs}, indent=2))
        print(f"wrote {json_out}")
        for path in chart(changes, json_out.with_suffix(""), threshold_pct, metric):
            print(f"wrote {path}")

    if fail_pct is not None:
        regressions = [c for c in changes
                       if c.verdict == "slower" and abs(c.change_pct) > fail_pct]
        if regressions:
            print(f"FAIL: {len(regressions)} benchmarks significantly slower by more than "
                  f"{fail_pct:g}%:", file=sys.stderr)
            for c in regressions:
                print(f"  {c.name}: {c.change_pct:+.1f}%", file=sys.stderr)
            return 1
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sides", nargs="*", type=Path, metavar="OLD NEW",
                        help="result files or folders (default: results/previous results)")
    parser.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                        help="changes smaller than this are no change (default 5)")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="significance level of the U test (default 0.05)")
    parser.add_argument("--fail-on-regression", type=float, metavar="PCT",
                        help="exit 1 when a benchmark is significantly slower by more than PCT")
    parser.add_argument("--json", type=Path, metavar="OUT", help="write the comparison as JSON")
    parser.add_argument("--metric", choices=sorted(METRICS), default="time",
                        help="what to compare: the wall time per run (default), or a counter "
                             "where higher is better; speedup and efficiency are paired with a "
                             "serial run, so they hold up when the machine's speed drifts")
    args = parser.parse_args(argv)
    try:
        plot.require_matplotlib(Path(__file__).resolve())
        if len(args.sides) == 0:
            results = Path(__file__).resolve().parent / "results"
            old_path, new_path = results / "previous", results
            if not old_path.is_dir():
                raise plot.InputError(f"{old_path}: no previous results; a bench run keeps the "
                                      "results it replaces there, so run ctest -L bench twice")
        elif len(args.sides) == 2:
            old_path, new_path = args.sides
        else:
            raise plot.InputError("give two result files or folders, OLD NEW, or none")
        if not 0 < args.alpha < 1:
            raise plot.InputError(f"--alpha is {args.alpha}; allowed: between 0 and 1")
        if args.threshold < 0:
            raise plot.InputError(f"--threshold is {args.threshold}; allowed: 0 or more")
        return compare(old_path, new_path, args.threshold, args.alpha, args.fail_on_regression,
                       args.json, args.metric)
    except plot.InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
