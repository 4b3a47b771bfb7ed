#!/usr/bin/env python3
"""Turn cvpbench (Google Benchmark JSON) results into the charts that answer
"does an event loop run in parallel?".

usage: plot.py [JSON or folder ...] [-o DIR] [--force] [--debug]

Reads Google Benchmark JSON files and timeline traces (default: results/,
without results/previous/ and results/baseline/) and writes, into DIR
(default: the folder of the first input), PNG and SVG charts:

  io_sleep_wall     wall time per run against task count, per model, with T
  latency           how late a waiting task ends: p99 latency minus T against
                    task count, per model (io_sleep; net_rpc per connection
                    mode), from the latency_p99_ms counter
  cpu_hash_speedup  speedup over serial against workers, one panel per size,
                    with the ideal min(W, cores); each repetition's speedup is
                    paired (the harness ran serial right before it), where the
                    rows carry the counter
  efficiency        the model's own lower bound / measured time, against
                    workers, for models on several threads or processes:
                    io_sleep per task count, cpu_hash per size
  parallelism       CPU seconds per wall second, per model and workload,
                    with the core count marked
  mixed_share       mixed: wall time against each task's CPU share
  vs_limit          each model's vs_limit (the bare primitive's time / the
                    model's; 1.0 = at the primitive's limit), per size
  task_overhead     per model, the time per task above the model's ideal in
                    µs, C++ beside its Python twin (io_sleep at the largest
                    task count every model ran, cpu_hash per size)
  task_memory       memory per task in flight at the run's peak against task
                    count, per model, log-log: user space beside kernel
                    (thread stacks, socket buffers), io_sleep and net_rpc
                    (a connection per task)
  timeline_<scen.>  one panel per model: each task as a bar on its thread
  <file>_times      for benchmarks not named by cvpbench's grammar: median
                    time per benchmark

and summary.md (also printed): per workload and size, the fastest model, its
speedup over serial and over the gathering event loop, its vs_limit, and each
model's efficiency; rows marked noisy by the harness and files run under load
are flagged; then the primitives' limits (results/limits.json) and the lost
updates of shared_counter. Points are medians over repetitions; bars span the
minimum to the maximum.

and report.html (cvpanalysis/report/): one self-contained page that opens
from disk with no network: the question, the answer table (each claim's
verdict and figures computed from these files), every chart inline as SVG
with a two-line reading, the timelines with their trace files, the summary,
the machine and software context, and, when an input folder holds previous/,
compare.py's comparison of that run against this one with the gate's outcome.

Models are drawn in the order, colour family and line style the files
describe (context cvp_models, trace otherData.model_facts): twins share a
colour, Python models have dashed lines and hollow markers. For files without
those facts, models keep the order they first appear in, and a model whose
rows all have W = 1 is taken to be fixed at one worker (no W in its label).

Inputs must be regular files of at most 64 MiB (a FIFO, a device or a
larger file is refused unread) holding JSON at most 64 levels deep.

plot.py replaces only what it wrote itself: DIR/.cvp-plot-manifest.json
lists the files it wrote there, with their sizes and SHA-256. A file at one
of its output names that the manifest does not list, or that changed since,
is the user's: plot.py refuses, naming it, unless --force (a device, FIFO,
folder or symlink there is refused even then). The project's own results/
folder, whose charts were committed before manifests, is taken as plot.py's
when it has no manifest yet. Charts of an earlier run that this run did not
make are removed when the manifest lists them, so the folder never mixes
runs; look-alikes it did not write are left, with a warning. What it
replaced is said on stderr. Charts are drawn into a staging folder; then
every output is written to a temporary file beside its target (an
unpredictable name made with O_EXCL), fsynced, and renamed over the target
only when all of them are written.

Exit status: 0 drawn; 2 bad input (a missing file or folder, not JSON, no
usable benchmark, a malformed row, context entry or trace, a bad option, an
output refused), reported in one "plot.py: error: ..." line with nothing
written; 1 any other failure, such as a full disk (one line naming the file;
--debug shows the traceback); 130 interrupted (SIGINT, SIGTERM or SIGHUP), with
nothing half-written left. Started by a Python without matplotlib, it re-runs
itself under /usr/bin/python3 when that one has it, and otherwise says so in
one line (exit 1).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# The package sits beside this script, so it imports wherever the script is
# started from: Python puts a script's own folder first on its path.
from cvpanalysis.base.cli import OneLineParser, nonempty_path, run_with_one_line_errors
from cvpanalysis.base.errors import EXIT_FAILED, OutputError
from cvpanalysis.figures.interpreter import MissingMatplotlib, require_matplotlib
from cvpanalysis.plotting import command


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="plot.py", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", type=nonempty_path,
                        help="Google Benchmark JSON files, traces, or folders of them")
    parser.add_argument("-o", "--output", type=nonempty_path,
                        help="folder for the charts and summary.md")
    parser.add_argument("--force", action="store_true",
                        help="replace files at the output names that plot.py did not write")
    parser.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    args = parser.parse_args(argv)

    def body() -> int:
        require_matplotlib(Path(__file__).resolve())
        return command.plot(args.inputs or command.default_inputs(), args.output,
                            args.force)

    return run_with_one_line_errors("plot.py", body, debug=args.debug, failed_exit=EXIT_FAILED,
                                    plain=(MissingMatplotlib, OSError, OutputError))


if __name__ == "__main__":
    sys.exit(main())
