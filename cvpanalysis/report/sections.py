"""The page's sections: the question, the answer, the charts, the timelines,
the summary."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from .claims import CLAIMS
from .evidence import Evidence
from .markup import esc, inline_svg, markdown_html, table_html
from .readings import reading
from .verdicts import FAILS, HOLDS, Verdict, judge
from .words import FAMILY_WORDS, ms


def verdict_badge(v: Verdict) -> str:
    cls = {HOLDS: "holds", FAILS: "fails"}.get(v.status, "unmeasured")
    note = f'<br><span class="note">{esc(v.note)}</span>' if v.note else ""
    return f'<span class="verdict {cls}">{esc(v.status)}</span>{note}'


QUESTION = (
    "Does an event loop run in parallel? An event loop (asyncio, libuv, uvloop) keeps many "
    "tasks in flight on one thread: while one task waits, another runs. That is concurrency, "
    "tasks overlapping in time. Parallelism is tasks running at the same instant on different "
    "cores, which takes several threads or processes. This page measures, on the machine that "
    "ran it, where a single-threaded event loop wins, where threads win and where processes "
    "win, and by how much: the same workloads (tasks that wait, tasks that hash with SHA-256, "
    "and a mix) under every execution model, with the claims commonly made about asyncio "
    "judged from the numbers of this run.")


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}">\n<h2>{esc(title)}</h2>\n{body}\n</section>'


def answer_section(ev: Evidence, charts: set[str]) -> str:
    rows, classes = [], []
    for claim in CLAIMS:
        v = judge(claim, ev)
        figures = "<ul>" + "".join(f"<li>{esc(f)}</li>" for f in v.figures) + "</ul>"
        links = ", ".join(f'<a href="#chart-{esc(s)}">{esc(s)}</a>' for s in claim.shown_by
                          if s in charts) or "—"
        rows.append([str(claim.number), esc(claim.text), verdict_badge(v), figures, links])
        classes.append(f"claim claim-{claim.number}")
    intro = ("<p>The common explanations of asyncio make these claims. Each verdict and figure "
             "below is computed from the result files of this run, not copied from the "
             "README: medians over repetitions.</p>")
    return section("answer", "The answer, measured on this run", intro + table_html(
        ["#", "claim", "verdict", "measured on this run", "shown by"], rows, classes))


def figure(stem: str, svg_path: Path, ev: Evidence, index: int) -> str:
    what, this_run = reading(stem, ev)
    svg = inline_svg(svg_path, f"c{index}-", stem)
    return (f'<figure id="chart-{esc(stem)}">\n{svg}\n<figcaption><strong>{esc(stem)}</strong>: '
            f"{esc(what)}<br>{esc(this_run)}</figcaption>\n</figure>")


def chart_order(stems: Iterable[str], known: tuple[str, ...]) -> list[str]:
    stems = set(stems)
    first = [s for s in known if s in stems]
    return first + sorted(s for s in stems if s not in known and not s.startswith("timeline_"))


def charts_section(stems: list[str], folder: Path, ev: Evidence) -> str:
    if not stems:
        return section("charts", "Charts", "<p>No chart could be drawn from these files.</p>")
    body = "\n".join(figure(s, folder / f"{s}.svg", ev, i) for i, s in enumerate(stems))
    return section("charts", "Charts", "<p>Points are medians; bars span the fastest to the "
                   "slowest repetition.</p>\n" + body)


def timelines_section(ev: Evidence, folder: Path, out: Path, first_index: int) -> str:
    scenarios = sorted({t.scenario for t in ev.traces})
    if not scenarios:
        return section("timelines", "Timelines", "<p>No timeline trace in these files.</p>")
    parts = ['<p>Each trace is a Chrome trace event file: open '
             '<code>ui.perfetto.dev</code> in a browser, choose <em>Open trace file</em> and '
             'pick the file (or load it in <code>chrome://tracing</code>); each task is one '
             'slice on the process and thread that ran it.</p>']
    order = {m: i for i, m in enumerate(ev.models.ordered())}
    for i, scenario in enumerate(scenarios):
        traces = sorted((t for t in ev.traces if t.scenario == scenario),
                        key=lambda t: order.get(t.model, len(order)))
        rows = [[esc(t.scenario), esc(t.model), esc(FAMILY_WORDS.get(ev.family(t.model), "?")),
                 str(t.workers), str(len(t.events)), esc(ms(t.wall_ms)),
                 f'<a href="{esc(relative(t.path, out))}"><code>{esc(relative(t.path, out))}'
                 "</code></a>"] for t in traces]
        parts.append(f'<h3 id="scenario-{esc(scenario)}">{esc(scenario)}</h3>')
        parts.append(table_html(["scenario", "model", "runs on", "workers", "tasks", "wall",
                                 "trace file"], rows))
        svg = folder / f"timeline_{scenario}.svg"
        if svg.exists():
            parts.append(figure(f"timeline_{scenario}", svg, ev, first_index + i))
    return section("timelines", "Timelines: overlap versus simultaneity", "\n".join(parts))


def relative(path: Path, out: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), out.resolve())
    except ValueError:  # another drive
        return str(path)


def summary_section(summary: str | None) -> str:
    if not summary:
        return section("summary", "Summary", "<p>No cvpbench benchmark rows in these files: "
                       "nothing to summarise.</p>")
    return section("summary", "Summary (results/summary.md)", markdown_html(summary))
