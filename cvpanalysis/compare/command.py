"""compare.py's orchestration: both sides read, the outputs checked, the table
and notes printed, --json written, the gate applied."""

from __future__ import annotations

import argparse
import math
import statistics
import sys
from dataclasses import asdict
from pathlib import Path

from ..base.errors import InputError
from ..base.project import results_folder
from ..base.text import one_line
from ..figures.interpreter import require_matplotlib
from ..output.publish import check_target
from ..reading.context import context_differences
from ..reading.inputs import load_side, merged
from ..reading.series import ResultFile
from ..stats.change import MIN_RELIABLE_REPS, Change, geomean_change_pct
from ..stats.gate import EXIT_REGRESSION, gate_lines, regressions
from ..stats.metrics import changes_between
from .files import chart_paths, claim_outputs, write_json_and_chart
from .table import format_table


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
    failing = regressions(changes, fail_pct)
    if not failing:
        return 0
    for line in gate_lines(failing, fail_pct):
        print(line, file=sys.stderr)
    return EXIT_REGRESSION


def check_options(args: argparse.Namespace) -> None:
    if not (math.isfinite(args.alpha) and 0 < args.alpha < 1):
        raise InputError(f"--alpha is {args.alpha}; allowed: between 0 and 1")
    if not (math.isfinite(args.threshold) and args.threshold >= 0):
        raise InputError(f"--threshold is {args.threshold}; allowed: 0 or more")
    fail = args.fail_on_regression
    if fail is not None and not (math.isfinite(fail) and fail >= 0):
        raise InputError(f"--fail-on-regression is {fail}; allowed: 0 or more")


def run(args: argparse.Namespace, script: Path) -> int:
    """compare.py's work once its options are parsed: `script` is compare.py,
    re-run under another interpreter when this one lacks matplotlib."""
    check_options(args)
    if len(args.sides) == 0:
        results = results_folder()
        old_path, new_path = results / "previous", results
        if not old_path.is_dir():
            raise InputError(f"{old_path}: no previous results; a bench run keeps the "
                             "results it replaces there, so run ctest -L bench twice")
    elif len(args.sides) == 2:
        old_path, new_path = args.sides
    else:
        raise InputError("give two result files or folders, OLD NEW, or none")
    require_matplotlib(script)
    return compare(old_path, new_path, args.threshold, args.alpha, args.fail_on_regression,
                   args.json, args.metric, args.force)
