"""The page itself: its style, its sections in order, and report.html written
into plot.py's staging folder."""

from __future__ import annotations

import tempfile
from pathlib import Path

from ..base.errors import InputError, OutputError
from ..base.text import one_line
from ..output.publish import text_bytes
from ..reading.inputs import Inputs
from .comparison import Comparison, compare_runs, comparison_section, previous_of
from .evidence import Evidence
from .machine import context_section
from .markup import esc
from .sections import (QUESTION, answer_section, chart_order, charts_section, section,
                       summary_section, timelines_section)

REPORT_NAME = "report.html"
MAX_BYTES = 5 * 1024 * 1024


STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  margin:0 auto;max-width:1180px;padding:1em 1.5em;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;
  margin-top:1.6em}
table{border-collapse:collapse;font-size:.86em;margin:.6em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f0f0f0}td ul{margin:0;padding-left:1.1em}
.scroll{overflow-x:auto}
.verdict{font-weight:bold;padding:.1em .45em;border-radius:.3em;white-space:nowrap}
.verdict.holds{background:#d6f0d6;color:#135e13}.verdict.fails{background:#f8d4d4;color:#8a1414}
.verdict.unmeasured{background:#e6e6e6;color:#555}.note{font-size:.85em;color:#555}
figure{margin:1.4em 0;border-top:1px solid #eee;padding-top:.6em}
figcaption{font-size:.9em;color:#333;max-width:60em}
svg.chart{display:block;max-width:100%;height:auto}
svg.chart *{stroke-linejoin:round;stroke-linecap:butt}
tr.change-slower td{background:#fbe1e1}tr.change-faster td{background:#e1f5e1}
tr.change-no-change td{color:#666}tr.loaded td{background:#fff6dd}
.gate-pass{color:#135e13;font-weight:bold}.gate-fail{color:#8a1414;font-weight:bold}
code{font-size:.92em}nav a{margin-right:.8em}
"""

SECTIONS = (("question", "Question"), ("answer", "Answer"), ("charts", "Charts"),
            ("timelines", "Timelines"), ("summary", "Summary"), ("context", "Machine"),
            ("comparison", "Comparison"))


def page(body: list[str], title: str, has_comparison: bool) -> str:
    nav = " ".join(f'<a href="#{a}">{t}</a>' for a, t in SECTIONS
                   if a != "comparison" or has_comparison)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{esc(title)}</h1>\n<nav>{nav}</nav>\n" + "\n".join(body)
            + "\n</body>\n</html>\n")


def render(ev: Evidence, stems: set[str], known: tuple[str, ...], folder: Path, out: Path,
           summary: str | None, comparison: Comparison | str | None) -> str:
    """The page for charts `stems` (SVG files in `folder`, those in `known`
    first, in that order), to be written into `out`."""
    ctx = next((f.context for f in ev.files if f.harness != "limits"),
               ev.files[0].context if ev.files else {})
    machine = f" on {ctx['host_name']}" if ctx.get("host_name") else ""
    title = f"cvpbench: does an event loop run in parallel? Measured{machine}"
    charts = chart_order([s for s in stems if (folder / f"{s}.svg").exists()], known)
    body = [section("question", "The question", f"<p>{esc(QUESTION)}</p>"),
            answer_section(ev, stems),
            charts_section(charts, folder, ev),
            timelines_section(ev, folder, out, len(charts)),
            summary_section(summary),
            context_section(ev.files, out)]
    if isinstance(comparison, Comparison):
        body.append(comparison_section(comparison, out))
    elif comparison:
        body.append(section("comparison", "This run against the previous one",
                            f"<p>{esc(comparison)}</p>"))
    return page(body, title, comparison is not None)


def write_report(inputs: Inputs, paths: list[Path], staging: Path, stems: set[str],
                 known: tuple[str, ...], out: Path, summary: str | None) -> Path:
    """report.html in `staging` from the charts drawn there (moved into `out`
    with them), with the comparison against previous/ when an input folder has one."""
    ev = Evidence.of(inputs.files, inputs.traces, inputs.models)
    comparison: Comparison | str | None = None
    sides = previous_of(paths)
    with tempfile.TemporaryDirectory(dir=staging) as scratch:
        if sides is not None:
            try:
                comparison = compare_runs(*sides, Path(scratch))
            except InputError as e:
                comparison = f"No comparison with {sides[0]}: {one_line(e, 300)}"
        text = render(ev, stems, known, staging, out, summary, comparison)
    path = staging / REPORT_NAME
    try:
        path.write_bytes(text_bytes(text))
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({one_line(e.strerror or e)})") from None
    return path
