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
import sys
from pathlib import Path

# The package sits beside this script (see plot.py).
from cvpanalysis.base.cli import OneLineParser, nonempty_path, run_with_one_line_errors
from cvpanalysis.base.errors import EXIT_FAILED, OutputError
from cvpanalysis.compare import command
from cvpanalysis.figures.interpreter import MissingMatplotlib
from cvpanalysis.stats.metrics import METRICS


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

    return run_with_one_line_errors("compare.py",
                                    lambda: command.run(args, Path(__file__).resolve()),
                                    debug=args.debug, failed_exit=EXIT_FAILED,
                                    plain=(MissingMatplotlib, OSError, OutputError))


if __name__ == "__main__":
    sys.exit(main())
