#!/usr/bin/env python3
"""Compare two cvpbench result sets with a statistical verdict per benchmark.

usage: compare.py [OLD NEW] [--threshold PCT] [--alpha A] [--fail-on-regression PCT]
                  [--json OUT [--force]] [--metric NAME] [--debug]

OLD and NEW are Google Benchmark JSON files or folders of them (every *.json
inside, without previous/, baseline/ and traces): regular files of at most
64 MiB (a FIFO, a device or a larger file is refused unread). With no arguments:
results/previous (kept by the last bench run) against results/.

For every benchmark present on both sides it prints the old and new median
time per run (in a unit scaled to the value: ns, us, ms or s), the change in
percent with a 95% bootstrap confidence interval for it (ratio of medians),
the two-sided Mann-Whitney U p-value over the repetitions (scipy), and a
verdict: "faster" or "slower" when p < alpha and the change is at least the
noise threshold, otherwise "no change". With fewer than 9 repetitions on a
side the verdicts are marked unreliable ("?").

A test needs enough repetitions: with n and m of them the smallest p-value
the U test can give is 2 / C(n+m, n) (0.1 for 3 against 3, 0.029 for 4
against 4). When that is not below alpha, no test is possible, and the
verdict says what the change alone says, marked "(untested)": "slower
(untested)" when the change is at least the threshold in the bad direction.

Below the table: the geometric mean of the new/old ratios, the benchmarks
present on one side only, benchmarks in error (a repetition failed, or a
time that is not a finite number above zero: listed, not compared), and the
context differences that matter (CPUs, library versions, profile, timer
slack). A side run under load (context cvp_load.loaded) or with rows marked
noisy gets a one-line warning on stderr.

--json OUT writes the comparison as JSON, and a chart of each benchmark's
change with its interval beside it (OUT with .png and .svg suffixes). Each
is written to a temporary file beside it and renamed over it when whole. An
OUT (or chart) that exists and is not a regular file (a device, a FIFO, a
folder, a symlink), or that is one of the inputs, is refused before anything
is written. OUT records the size and sha256 of the chart it was written
with; an OUT.png or OUT.svg that OUT does not record (the user's own file,
or one changed since) is refused too, unless --force. What is replaced is
said on stderr.

By default (--metric auto) each benchmark is compared on the figure that
cancels the machine's drift: its paired speedup where it has one (measured
against a serial run next to each timed run), otherwise its vs_limit (the
bare primitive's time over the model's, both measured in the same
benchmark), otherwise its wall time; the table says which, per benchmark.
Wall times drift with a virtual machine's speed from one run to the next by
more than the models differ; these ratios drift far less. --metric time (or
speedup, efficiency, items_per_second, vs_limit) compares that figure for
every benchmark, higher being better for the counters.

The "detectable" column is the smallest change the repetitions could have
found: (t + 0.84) times the standard error of the difference of the means,
as a percent of the old median (a 5% two-sided test with 80% power). A
"no change" means no change of that size or more; below it the test is
blind.

--fail-on-regression PCT exits 1 when a benchmark is significantly slower by
more than PCT, or, where no test is possible, slower by more than PCT on the
change alone (it says so in one line).

Exit status: 0 compared; 1 --fail-on-regression tripped, or a failure
that is not the input's (an output that could not be written, a bug); 2
bad input (a file missing or not Google Benchmark JSON, no benchmark in
common, a bad option, an output refused); errors are one
"compare.py: error: ..." line (--debug shows the traceback); 130
interrupted (SIGINT, SIGTERM or SIGHUP), with no output file half-written.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import statistics
import sys
import warnings
from dataclasses import asdict, dataclass
from pathlib import Path

import plot
from cvpoutput import OutputError, Publisher, check_target, fingerprint, holds
from cvpresults import (InputError, OneLineParser, ResultFile, Series, TO_MS, nonempty_path,
                        parse_json, read_bounded,
                        one_line, read_inputs, run_with_one_line_errors, t95)

MIN_RELIABLE_REPS = 9
CONTEXT_KEYS = ("host_name", "num_cpus", "cpus_usable", "cpus_cgroup_quota", "cvp_profile",
                "cvpbench_version", "libuv_version", "tbb_version", "openssl_version",
                "timer_slack_ns", "uv_threadpool_size", "tbb_default_concurrency",
                "library_build_type", "python_implementation", "python_version", "python_gil",
                "uvloop_version")
EXIT_REGRESSION, EXIT_BAD_INPUT = 1, 2
# A failure that is not the input's fault (a write that failed, a bug): as plot.py.
EXIT_FAILED = 1

# What --metric may compare, and whether a higher value is the better one.
METRICS = {"time": False, "speedup": True, "efficiency": True, "items_per_second": True,
           "vs_limit": True}
# --metric auto: per benchmark, the first of these that both sides have.
AUTO_METRICS = ("speedup", "vs_limit", "time")
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


def load_side(path: Path) -> list[ResultFile]:
    """One side of the comparison: a JSON file, or every JSON file in a folder."""
    return read_inputs([path], recursive=False, traces=False).files


def merged(files: list[ResultFile]) -> dict[str, Series]:
    result: dict[str, Series] = {}
    for f in files:
        result.update(f.series)
    return result


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


def context_differences(old: list[ResultFile], new: list[ResultFile]) -> list[str]:
    def ctx(files: list[ResultFile]) -> dict:
        merged_ctx: dict = {}
        for f in files:
            merged_ctx.update(f.context)
        return merged_ctx

    a, b = ctx(old), ctx(new)
    return [f"{k}: {one_line(a.get(k, '—'), 80)} -> {one_line(b.get(k, '—'), 80)}"
            for k in CONTEXT_KEYS if str(a.get(k)) != str(b.get(k))]


def geomean_change_pct(changes: list[Change]) -> float:
    logs = [math.log(c.new_median / c.old_median) for c in changes]
    return (math.exp(sum(logs) / len(logs)) - 1) * 100


def scaled_time(ms: float) -> str:
    """A time in the unit that puts it between 1 and 1000 (ns below 1 ns)."""
    for unit in ("s", "ms", "us"):
        if ms >= TO_MS[unit]:
            return f"{ms / TO_MS[unit]:.3f} {unit}"
    return f"{ms / TO_MS['ns']:.3f} ns"


def format_table(changes: list[Change], metric: str) -> str:
    def pct(v: float | None) -> str:
        return "" if v is None else f"{v:+.1f}%"

    def value(v: float, what: str) -> str:
        return scaled_time(v) if what == "time" else f"{v:.4g}"

    header = ("benchmark", "metric", "old", "new", "change", "95% CI", "detectable", "p",
              "verdict")
    lines = [header]
    for c in changes:
        ci = f"[{pct(c.ci_low_pct)}, {pct(c.ci_high_pct)}]" if c.ci_low_pct is not None else "—"
        p = "—" if c.p_value is None else f"{c.p_value:.3g}"
        mdc = "—" if c.detectable_pct is None else f"±{c.detectable_pct:.1f}%"
        verdict = c.verdict + ("" if c.reliable or not c.tested else " ?")
        lines.append((c.name, c.metric, value(c.old_median, c.metric),
                      value(c.new_median, c.metric), pct(c.change_pct), ci, mdc, p, verdict))
    left = (0, 1, len(header) - 1)
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = []
    for row in lines:
        out.append("  ".join(cell.ljust(w) if i in left else cell.rjust(w)
                             for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
    return "\n".join(out)


def chart_figure(changes: list[Change], threshold_pct: float, metric: str):
    """Each benchmark's change with its interval, coloured by verdict."""
    plt = plot.pyplot()
    colors = {"faster": "#2ca02c", "slower": "#d62728", "no change": "#7f7f7f"}
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(changes) + 1.6))
    ys = range(len(changes))
    for y, c in zip(ys, changes):
        err = None
        if c.ci_low_pct is not None:
            err = [[max(0.0, c.change_pct - c.ci_low_pct)],
                   [max(0.0, c.ci_high_pct - c.change_pct)]]
        ax.errorbar(c.change_pct, y, xerr=err, fmt="o", color=colors[c.direction], capsize=2,
                    markerfacecolor=colors[c.direction] if c.tested else "white")
    ax.axvspan(-threshold_pct, threshold_pct, color="#dddddd", alpha=0.5,
               label=f"noise threshold ±{threshold_pct:g}%")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(list(ys), [plot.text(c.name) for c in changes], fontsize=6)
    ax.invert_yaxis()
    what = {"time": "wall time per run", "auto": "speedup, vs_limit or time"}.get(metric, metric)
    ax.set_xlabel(f"change in median {what}, new vs old (%), with 95% CI")
    ax.set_title("compare: green faster, red slower, grey no significant change; "
                 "hollow: untested", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def chart(changes: list[Change], stem: Path, threshold_pct: float, metric: str) -> list[Path]:
    """chart_figure as `stem`.png and `stem`.svg (in a folder of the caller's own)."""
    fig = chart_figure(changes, threshold_pct, metric)
    written: list[Path] = []
    plot.save_figure(fig, stem, written)
    plot.pyplot().close(fig)
    return written


def chart_paths(json_out: Path) -> dict[str, Path]:
    """Where --json OUT puts its chart: OUT with .png and .svg suffixes."""
    stem = json_out.with_suffix("")
    return {ext: stem.with_name(f"{stem.name}.{ext}") for ext in ("png", "svg")}


def write_json_and_chart(json_out: Path, report: dict, changes: list[Change],
                         threshold_pct: float, metric: str, inputs: list[Path]) -> list[Path]:
    """--json OUT and its chart, each published whole or not at all."""
    json_out.parent.mkdir(parents=True, exist_ok=True)
    fig = chart_figure(changes, threshold_pct, metric)
    try:
        images = plot.figure_bytes(fig)
    finally:
        plot.pyplot().close(fig)
    # What compare.py wrote, so that a later run knows the chart as its own.
    report = dict(report, chart={ext: fingerprint(data) for ext, data in images.items()})
    with Publisher(inputs) as out:
        out.stage(json_out, (json.dumps(report, indent=2) + "\n").encode())
        for ext, path in chart_paths(json_out).items():
            out.stage(path, images[ext])
        return out.commit()


def written_charts(json_out: Path) -> dict:
    """The chart fingerprints an earlier compare.py run recorded in OUT
    ("chart": {"png": {"size", "sha256"}, ...}); {} when there are none."""
    try:
        data = parse_json(read_bounded(json_out), str(json_out))
    except InputError:
        return {}
    chart = data.get("chart") if isinstance(data, dict) else None
    return chart if isinstance(chart, dict) else {}


def claim_outputs(json_out: Path, force: bool) -> list[Path]:
    """The outputs that exist and will be replaced. InputError (without
    --force) for an OUT.png or OUT.svg compare.py did not write: one that OUT
    does not record, or that changed since."""
    charts = written_charts(json_out) if os.path.lexists(json_out) else {}
    existing = [p for p in (json_out, *chart_paths(json_out).values()) if os.path.lexists(p)]
    foreign = [path for ext, path in chart_paths(json_out).items()
               if path in existing and not (isinstance(charts.get(ext), dict)
                                            and holds(path, charts[ext]))]
    if foreign and not force:
        raise InputError(f"{foreign[0]}: exists, and compare.py did not write it or it changed "
                         "since; refusing to replace it (--force replaces it)")
    return existing


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


def warn_about_noise(side: str, files: list[ResultFile]) -> None:
    """One line per file run under load, one per side with noisy rows."""
    for f in files:
        if f.loaded:
            print(f"compare.py: warning: {side} side: {f.path} was run under load "
                  f"({f.load_note()}); its times may be slow and its speedups low", file=sys.stderr)
    noisy = [s.name for f in files for s in f.series.values() if s.noisy]
    if noisy:
        print(f"compare.py: warning: {side} side: {len(noisy)} benchmarks marked noisy by the "
              f"harness (e.g. {one_line(noisy[0], 120)}); their verdicts are less certain",
              file=sys.stderr)


def compare(old_path: Path, new_path: Path, threshold_pct: float, alpha: float,
            fail_pct: float | None, json_out: Path | None, metric: str = "time",
            force: bool = False) -> int:
    old_files, new_files = load_side(old_path), load_side(new_path)
    inputs = [f.path for f in old_files + new_files]
    replaced: list[Path] = []
    if json_out:  # refused before anything is printed or written
        for target in (json_out, *chart_paths(json_out).values()):
            check_target(target, inputs)
        replaced = claim_outputs(json_out, force)
    old, new = merged(old_files), merged(new_files)
    failed = {n for f in old_files + new_files for n in f.failed}
    common = sorted(n for n in new if n in old)
    if not common:
        raise InputError(f"{old_path} and {new_path} have no benchmark in common")
    changes, without = changes_between(old, new, common, metric, threshold_pct, alpha)
    if not changes:
        raise InputError(f"no benchmark in common has a {metric} counter above zero")

    warn_about_noise("old", old_files)
    warn_about_noise("new", new_files)
    used = sorted({c.metric for c in changes})
    print(f"old: {old_path}\nnew: {new_path}\nmetric: {metric}"
          + (f" ({', '.join(used)})" if metric == "auto" else "") + "\n")
    print(format_table(changes, metric))
    print()
    tested = [c for c in changes if c.tested]
    if tested and min(min(c.old_reps, c.new_reps) for c in tested) < MIN_RELIABLE_REPS:
        min_reps = min(min(c.old_reps, c.new_reps) for c in tested)
        print(f"note: as few as {min_reps} repetitions on a side (fewer than {MIN_RELIABLE_REPS}): "
              "verdicts marked ? are unreliable; the full profile runs 10")
    untested = [c for c in changes if not c.tested]
    if untested:
        sizes = sorted({(c.old_reps, c.new_reps) for c in untested})
        print(f"note: {len(untested)} benchmarks have too few repetitions for a significance test "
              f"at alpha {alpha:g} ({', '.join(f'{a} vs {b}' for a, b in sizes)}); their "
              "verdicts are the change against the threshold alone, marked (untested)")
    counts = {v: sum(c.direction == v for c in changes) for v in ("faster", "slower", "no change")}
    detectable = sorted(c.detectable_pct for c in changes if c.detectable_pct is not None)
    if detectable:
        print(f"detectable change (5% test, 80% power): median ±{statistics.median(detectable):.1f}%"
              f", largest ±{detectable[-1]:.1f}% over {len(detectable)} tested benchmarks")
    print(f"geometric mean change: {geomean_change_pct(changes):+.2f}% over {len(changes)} "
          f"benchmarks ({counts['faster']} faster, {counts['slower']} slower, "
          f"{counts['no change']} no change; threshold {threshold_pct:g}%, alpha {alpha:g})")
    only_old = [n for n in old if n not in new and n not in failed]
    only_new = [n for n in new if n not in old and n not in failed]
    for label, names in (("only in old", only_old), ("only in new", only_new)):
        if names:
            print(f"{label} ({len(names)}):")
            for n in names:
                print(f"  {n}")
    errors = [f"{f.path}: {x}" for f in old_files + new_files for x in f.errors]
    if errors:
        print(f"rows in error, skipped ({len(errors)}):")
        for e in errors:
            print(f"  {e}")
    if without:
        print(f"without a {metric} counter above zero on both sides, skipped ({len(without)}):")
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
        report = {
            "old": str(old_path), "new": str(new_path), "metric": metric,
            "unit": "ms for time, else the counter", "threshold_pct": threshold_pct,
            "alpha": alpha, "geomean_change_pct": geomean_change_pct(changes),
            "benchmarks": [asdict(c) for c in changes],
            "only_in_old": only_old, "only_in_new": only_new,
            "errors": errors, "context_differences": diffs}
        for path in write_json_and_chart(json_out, report, changes, threshold_pct, metric,
                                         inputs):
            print(f"wrote {path}")
        if replaced:
            print("compare.py: replaced " + ", ".join(map(str, replaced)), file=sys.stderr)

    if fail_pct is not None:
        return gate(changes, fail_pct)
    return 0


def gate(changes: list[Change], fail_pct: float) -> int:
    """--fail-on-regression: significantly worse by more than PCT, or, where no
    test is possible, worse by more than PCT on the change alone."""
    regressions = [c for c in changes if c.worse and abs(c.change_pct) > fail_pct
                   and (c.direction == "slower" or not c.tested)]
    if not regressions:
        return 0
    for sizes in sorted({(c.old_reps, c.new_reps) for c in regressions if not c.tested}):
        print(f"compare.py: no significance test possible with {sizes[0]} vs {sizes[1]} "
              "repetitions; failing on the change alone", file=sys.stderr)
    untested = sum(not c.tested for c in regressions)
    how = ("significantly slower" if not untested else "slower" if untested == len(regressions)
           else f"slower ({len(regressions) - untested} significantly, {untested} untested)")
    print(f"FAIL: {len(regressions)} benchmarks {how} by more than {fail_pct:g}%:", file=sys.stderr)
    for c in regressions:
        print(f"  {c.name}: {c.change_pct:+.1f}%{'' if c.tested else ' (untested)'}",
              file=sys.stderr)
    return EXIT_REGRESSION


def check_options(args: argparse.Namespace) -> None:
    if not (math.isfinite(args.alpha) and 0 < args.alpha < 1):
        raise InputError(f"--alpha is {args.alpha}; allowed: between 0 and 1")
    if not (math.isfinite(args.threshold) and args.threshold >= 0):
        raise InputError(f"--threshold is {args.threshold}; allowed: 0 or more")
    fail = args.fail_on_regression
    if fail is not None and not (math.isfinite(fail) and fail >= 0):
        raise InputError(f"--fail-on-regression is {fail}; allowed: 0 or more")


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="compare.py", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("sides", nargs="*", type=nonempty_path, metavar="OLD NEW",
                        help="result files or folders (default: results/previous results)")
    parser.add_argument("--threshold", type=float, default=5.0, metavar="PCT",
                        help="changes smaller than this are no change (default 5)")
    parser.add_argument("--alpha", type=float, default=0.05,
                        help="significance level of the U test (default 0.05)")
    parser.add_argument("--fail-on-regression", type=float, metavar="PCT",
                        help="exit 1 when a benchmark is slower by more than PCT: significantly, "
                             "or on the change alone where no test is possible")
    parser.add_argument("--json", type=nonempty_path, metavar="OUT",
                        help="write the comparison as JSON, and its chart as OUT.png and OUT.svg")
    parser.add_argument("--metric", choices=["auto", *sorted(METRICS)], default="auto",
                        help="what to compare: auto (default) takes per benchmark its paired "
                             "speedup, else its vs_limit, else its wall time, the figures that "
                             "hold up when the machine's speed drifts; time, or a counter where "
                             "higher is better, compares that for every benchmark")
    parser.add_argument("--force", action="store_true",
                        help="replace an OUT.png or OUT.svg that compare.py did not write")
    parser.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    args = parser.parse_args(argv)

    def body() -> int:
        check_options(args)
        if len(args.sides) == 0:
            results = Path(__file__).resolve().parent / "results"
            old_path, new_path = results / "previous", results
            if not old_path.is_dir():
                raise InputError(f"{old_path}: no previous results; a bench run keeps the "
                                 "results it replaces there, so run ctest -L bench twice")
        elif len(args.sides) == 2:
            old_path, new_path = args.sides
        else:
            raise InputError("give two result files or folders, OLD NEW, or none")
        plot.require_matplotlib(Path(__file__).resolve())
        return compare(old_path, new_path, args.threshold, args.alpha, args.fail_on_regression,
                       args.json, args.metric, args.force)

    return run_with_one_line_errors("compare.py", body, debug=args.debug,
                                    failed_exit=EXIT_FAILED,
                                    plain=(plot.MissingMatplotlib, OSError, OutputError))

if __name__ == "__main__":
    sys.exit(main())
