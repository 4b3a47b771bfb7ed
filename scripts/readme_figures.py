#!/usr/bin/env python3
"""The README's figures, computed from a results folder by the committed analysis code.

usage: python3 -m scripts.readme_figures [RESULTS]   (default: results/; from the
       repository root, which holds the analysis package cvpanalysis)

Prints, as Markdown: the claims table (report.html's verdicts and figures), the
W = 2 paired speedups of the parallel models per message size with their 95%
intervals and the ties among them, and the rows below their bare primitive.
The README's answer is pasted from this output, so every figure in it comes
from the files in results/ through code in the tree.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

if not __package__:  # started by its path: the root, and so cvpanalysis, is not importable
    print("readme_figures.py: error: run it from the repository root as "
          "python3 -m scripts.readme_figures [RESULTS]", file=sys.stderr)
    sys.exit(2)

from cvpanalysis.base.project import results_folder  # noqa: E402
from cvpanalysis.reading.groups import cpu_size, cpu_size_label  # noqa: E402
from cvpanalysis.reading.inputs import cores_of, ours, read_inputs  # noqa: E402
from cvpanalysis.reading.series import ResultFile  # noqa: E402
from cvpanalysis.report.claims import CLAIMS  # noqa: E402
from cvpanalysis.report.evidence import Evidence  # noqa: E402
from cvpanalysis.report.verdicts import judge  # noqa: E402
from cvpanalysis.stats.intervals import interval95, overlaps  # noqa: E402
from cvpanalysis.summary.markdown import below_limit as rows_below_limit  # noqa: E402

PARALLEL = ("tbb", "process_pool", "fork", "mpi", "event_loop_offload")


def claims_table(ev: Evidence) -> list[str]:
    lines = ["| # | claim | verdict | figures (from results/) |", "|---|---|---|---|"]
    for claim in CLAIMS:
        v = judge(claim, ev)
        figures = "; ".join(v.figures).replace("|", "\\|")
        lines.append(f"| {claim.number} | {claim.text} | **{v.status}**"
                     f"{(' ' + v.note) if v.note else ''} | {figures} |")
    return lines


def speedups_at_w2(files: list[ResultFile], cpus: int) -> list[str]:
    rows = [s for s in ours(files, "cpu_hash")
            if s.key["workers"] == 2 and s.key["model"] in PARALLEL and s.counters.get("speedup")]
    sizes = sorted({cpu_size(s.key) for s in rows})
    lines = ["| message | " + " | ".join(PARALLEL) + " | tied (95% intervals overlap) |",
             "|---|" + "---|" * (len(PARALLEL) + 1)]
    for size in sizes:
        at = {s.key["model"]: s for s in rows if cpu_size(s.key) == size}
        cells, intervals = [], {}
        for m in PARALLEL:
            s = at.get(m)
            if s is None:
                cells.append("—")
                continue
            values = s.counters["speedup"]
            ci = interval95(values)
            intervals[m] = ci
            fault = " fault: above the CPUs" if statistics.median(values) > cpus else ""
            cells.append(f"{statistics.median(values):.2f}x"
                         + (f" ({ci[0]:.2f}-{ci[1]:.2f})" if ci else "") + fault
                         + (" †" if s.noisy else ""))
        tied = sorted({f"{a}={b}" for a in intervals for b in intervals
                       if a < b and overlaps(intervals[a], intervals[b])})
        lines.append(f"| {cpu_size_label(size)} | " + " | ".join(cells) + " | "
                     + (", ".join(tied) or "—") + " |")
    return lines


def below_limit(files: list[ResultFile]) -> list[str]:
    low = rows_below_limit(files)
    return [f"- `{s.name}`: {s.counter('vs_limit'):.2f}" for s in low] or ["- none"]


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else results_folder()
    inputs = read_inputs([folder])
    ev = Evidence.of(inputs.files, inputs.traces, inputs.models)
    cpus = cores_of(inputs.files, 2)
    print("\n".join(["## Claims", ""] + claims_table(ev)
                    + ["", "## W = 2 paired speedups", ""] + speedups_at_w2(inputs.files, cpus)
                    + ["", "## Below the bare primitive (vs_limit < 0.95)", ""]
                    + below_limit(inputs.files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
