"""compare.py's orchestration: both sides read, the outputs checked, the table
and notes printed, --json written, the gate applied."""

from __future__ import annotations

import argparse
import math
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
from ..stats.change import Change, geomean_change_pct
from ..stats.gate import EXIT_REGRESSION, gate_lines, regressions
from ..stats.metrics import changes_between
from .files import chart_paths, claim_outputs, write_json_and_chart
from .table import format_table, heading, listing, notes


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


def claim_json_outputs(json_out: Path, inputs: list[Path], force: bool) -> list[Path]:
    """--json OUT and its chart checked before anything is printed or written;
    returns those that exist and will be replaced."""
    for target in (json_out, *chart_paths(json_out).values()):
        check_target(target, inputs)
    return claim_outputs(json_out, force)


def compare(old_path: Path, new_path: Path, threshold_pct: float, alpha: float,
            fail_pct: float | None, json_out: Path | None, metric: str = "time",
            force: bool = False) -> int:
    """Both sides compared: the table and notes on stdout, --json OUT written,
    the gate's exit status returned."""
    old_files, new_files = load_side(old_path), load_side(new_path)
    inputs = [f.path for f in old_files + new_files]
    replaced = claim_json_outputs(json_out, inputs, force) if json_out else []
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
    print(heading(old_path, new_path, metric, changes))
    print(format_table(changes, metric))
    print()
    only_old = [n for n in old if n not in new and n not in failed]
    only_new = [n for n in new if n not in old and n not in failed]
    errors = [f"{f.path}: {x}" for f in old_files + new_files for x in f.errors]
    diffs = context_differences(old_files, new_files)
    for line in (notes(changes, threshold_pct, alpha)
                 + listing(f"only in old ({len(only_old)}):", only_old)
                 + listing(f"only in new ({len(only_new)}):", only_new)
                 + listing(f"rows in error, skipped ({len(errors)}):", errors)
                 + listing(f"without a {metric} counter above zero on both sides, skipped "
                           f"({len(without)}):", without, most=5)
                 + listing("context differences:", diffs)):
        print(line)

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
