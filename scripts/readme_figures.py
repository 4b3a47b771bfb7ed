#!/usr/bin/env python3
"""The README's figures, computed from a results folder by the committed analysis code.

usage: scripts/readme_figures.py [RESULTS]   (default: results/)

Prints, as Markdown: the claims table (report.py's verdicts and figures), the
W = 2 paired speedups of the parallel models per message size with their 95%
intervals and the ties among them, and the rows below their bare primitive.
The README's answer is pasted from this output, so every figure in it comes
from the files in results/ through code in the tree.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the analysis modules sit at the root

import cvpresults  # noqa: E402
import plot  # noqa: E402
import report  # noqa: E402

PARALLEL = ("tbb", "process_pool", "fork", "mpi", "event_loop_offload")


def claims_table(ev: report.Evidence) -> list[str]:
    lines = ["| # | claim | verdict | figures (from results/) |", "|---|---|---|---|"]
    for claim in report.CLAIMS:
        v = report.judge(claim, ev)
        figures = "; ".join(v.figures).replace("|", "\\|")
        lines.append(f"| {claim.number} | {claim.text} | **{v.status}**"
                     f"{(' ' + v.note) if v.note else ''} | {figures} |")
    return lines


def speedups_at_w2(files: list[cvpresults.ResultFile], cpus: int) -> list[str]:
    rows = [s for s in cvpresults.ours(files, "cpu_hash")
            if s.key["workers"] == 2 and s.key["model"] in PARALLEL and s.counters.get("speedup")]
    sizes = sorted({plot.cpu_size(s.key) for s in rows})
    lines = ["| message | " + " | ".join(PARALLEL) + " | tied (95% intervals overlap) |",
             "|---|" + "---|" * (len(PARALLEL) + 1)]
    for size in sizes:
        at = {s.key["model"]: s for s in rows if plot.cpu_size(s.key) == size}
        cells, intervals = [], {}
        for m in PARALLEL:
            s = at.get(m)
            if s is None:
                cells.append("—")
                continue
            values = s.counters["speedup"]
            ci = cvpresults.interval95(values)
            intervals[m] = ci
            fault = " fault: above the CPUs" if statistics.median(values) > cpus else ""
            cells.append(f"{statistics.median(values):.2f}x"
                         + (f" ({ci[0]:.2f}-{ci[1]:.2f})" if ci else "") + fault
                         + (" †" if s.noisy else ""))
        tied = sorted({f"{a}={b}" for a in intervals for b in intervals
                       if a < b and cvpresults.overlaps(intervals[a], intervals[b])})
        lines.append(f"| {plot.cpu_size_label(size)} | " + " | ".join(cells) + " | "
                     + (", ".join(tied) or "—") + " |")
    return lines


def below_limit(files: list[cvpresults.ResultFile]) -> list[str]:
    low = plot.below_limit(files)
    return [f"- `{s.name}`: {s.counter('vs_limit'):.2f}" for s in low] or ["- none"]


def main() -> int:
    folder = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "results"
    inputs = cvpresults.read_inputs([folder])
    ev = report.Evidence.of(inputs.files, inputs.traces, inputs.models)
    cpus = cvpresults.cores_of(inputs.files, 2)
    print("\n".join(["## Claims", ""] + claims_table(ev)
                    + ["", "## W = 2 paired speedups", ""] + speedups_at_w2(inputs.files, cpus)
                    + ["", "## Below the bare primitive (vs_limit < 0.95)", ""]
                    + below_limit(inputs.files)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
