#!/usr/bin/env python3
"""The A/A check: two runs of the same tree on the same machine, compared as compare.py does.

usage: python3 -m scripts.aa_summary RUN1 RUN2 [--alpha A] [--threshold PCT]
       (from the repository root, which holds the analysis package cvpanalysis)

RUN1 and RUN2 are result folders of two back-to-back `ctest -L bench` runs with
nothing changed between them. Prints, per workload, how many benchmarks compare.py's
default comparison calls "no change" with a test that could have said otherwise (not
"untested"), the false-positive rate that implies, and how far the W = 2 paired
speedups of the parallel C++ models moved between the runs.
Exit status: 0 when at least 95% of the rows of every workload say "no change" with a
test, 1 otherwise, 2 bad input.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

if not __package__:  # started by its path: the root, and so cvpanalysis, is not importable
    print("aa_summary.py: error: run it from the repository root as "
          "python3 -m scripts.aa_summary RUN1 RUN2", file=sys.stderr)
    sys.exit(2)

from cvpanalysis.base.cli import run_with_one_line_errors  # noqa: E402
from cvpanalysis.base.errors import InputError  # noqa: E402
from cvpanalysis.reading.inputs import load_side, merged  # noqa: E402
from cvpanalysis.stats.change import Change  # noqa: E402
from cvpanalysis.stats.metrics import changes_between  # noqa: E402

PARALLEL = ("tbb", "fork", "process_pool", "mpi")
GOAL_NO_CHANGE = 0.95


def workload_of(name: str) -> str:
    return name.split("/", 1)[0]


def summarize(run1: Path, run2: Path, threshold: float, alpha: float) -> int:
    old_files, new_files = load_side(run1), load_side(run2)
    old, new = merged(old_files), merged(new_files)
    common = sorted(n for n in new if n in old)
    if not common:
        raise InputError(f"{run1} and {run2} have no benchmark in common")
    changes, _ = changes_between(old, new, common, "auto", threshold, alpha)
    by_workload: dict[str, list[Change]] = {}
    for c in changes:
        by_workload.setdefault(workload_of(c.name), []).append(c)
    ok = True
    print(f"{'workload':<20} {'rows':>5} {'no change, tested':>18} {'untested':>9} "
          f"{'changed':>8}  false positives")
    for workload, cs in sorted(by_workload.items()):
        quiet = sum(c.tested and c.direction == "no change" for c in cs)
        untested = sum(not c.tested for c in cs)
        changed = [c for c in cs if c.direction != "no change"]
        share = quiet / len(cs)
        ok &= share >= GOAL_NO_CHANGE
        print(f"{workload:<20} {len(cs):>5} {quiet:>12} ({share:4.0%}) {untested:>9} "
              f"{len(changed):>8}  {len(changed) / len(cs):.1%}"
              + (": " + ", ".join(f"{c.name} {c.metric} {c.change_pct:+.1f}%"
                                  for c in changed[:4]) if changed else ""))
    print("\nW = 2 paired speedups (median), run 1 -> run 2:")
    for name in common:
        parts = name.split("/")
        if len(parts) > 3 and parts[1] in PARALLEL and parts[3] == "workers:2" \
                and old[name].counters.get("speedup") and new[name].counters.get("speedup"):
            a = statistics.median(old[name].counters["speedup"])
            b = statistics.median(new[name].counters["speedup"])
            print(f"  {name}: {a:.3f}x -> {b:.3f}x ({(b / a - 1) * 100:+.1f}%)")
    return 0 if ok else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("run1", type=Path)
    parser.add_argument("run2", type=Path)
    parser.add_argument("--alpha", type=float, default=0.05)
    parser.add_argument("--threshold", type=float, default=5.0)
    args = parser.parse_args(argv)
    return run_with_one_line_errors(
        "aa_summary.py", lambda: summarize(args.run1, args.run2, args.threshold, args.alpha),
        debug=False, failed_exit=2)


if __name__ == "__main__":
    sys.exit(main())
