"""The previous run against this one, by the statistics compare.py uses, at
its defaults."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..base.errors import InputError
from ..charts import changes as changes_chart
from ..reading.context import context_differences
from ..reading.inputs import load_side, merged
from ..reading.units import scaled_time
from ..stats.change import Change, geomean_change_pct
from ..stats.gate import EXIT_REGRESSION, gate_lines, regressions
from ..stats.metrics import changes_between
from .markup import esc, inline_svg, table_html
from .sections import section

# compare.py's defaults for --threshold and --alpha (the gate is judged at the threshold).
COMPARE_THRESHOLD_PCT = 5.0
COMPARE_ALPHA = 0.05


@dataclass
class Comparison:
    old: Path
    new: Path
    changes: list[Change]
    gate_code: int
    gate_text: str
    geomean_pct: float
    context_diffs: list[str]
    chart_svg: Path | None


def previous_of(paths: list[Path]) -> tuple[Path, Path] | None:
    """(previous/, the folder it is in) for the first input folder that keeps one."""
    for p in paths:
        if p.is_dir() and (p / "previous").is_dir():
            return p / "previous", p
    return None


def compare_runs(old: Path, new: Path, scratch: Path) -> Comparison:
    """compare.py's verdicts, gate and chart at its default threshold."""
    old_files, new_files = load_side(old), load_side(new)
    before, after = merged(old_files), merged(new_files)
    common = sorted(n for n in after if n in before)
    if not common:
        raise InputError(f"{old} and {new} have no benchmark in common")
    changes, _ = changes_between(before, after, common, "auto", COMPARE_THRESHOLD_PCT,
                                 COMPARE_ALPHA)
    failing = regressions(changes, COMPARE_THRESHOLD_PCT)
    said = "\n".join(gate_lines(failing, COMPARE_THRESHOLD_PCT)) if failing else ""
    # The chart shows the benchmarks that changed (the table lists them
    # all): ~450 grey rows of "no change" told nothing and took 8 s to draw.
    changed = [c for c in changes if c.direction != "no change"]
    svg = next(iter(changes_chart.chart(changed, scratch / "compare", COMPARE_THRESHOLD_PCT,
                                        "auto", ("svg",))), None) if changed else None
    return Comparison(old=old, new=new, changes=changes,
                      gate_code=EXIT_REGRESSION if failing else 0, gate_text=said.strip(),
                      geomean_pct=geomean_change_pct(changes),
                      context_diffs=context_differences(old_files, new_files),
                      chart_svg=svg)


def comparison_section(c: Comparison, out: Path) -> str:
    order = {"slower": 0, "faster": 1, "no change": 2}
    changes = sorted(c.changes, key=lambda x: (order.get(x.direction, 3), x.name))
    rows, classes = [], []
    for x in changes:
        ci = (f"[{x.ci_low_pct:+.1f}%, {x.ci_high_pct:+.1f}%]" if x.ci_low_pct is not None
              else "—")
        verdict = x.verdict + ("" if x.reliable or not x.tested else " ?")
        def value(v: float) -> str:
            return scaled_time(v) if x.metric == "time" else f"{v:.4g}"

        mdc = "—" if x.detectable_pct is None else f"±{x.detectable_pct:.1f}%"
        rows.append([f"<code>{esc(x.name)}</code>", esc(x.metric), esc(value(x.old_median)),
                     esc(value(x.new_median)), f"{x.change_pct:+.1f}%", esc(ci), esc(mdc),
                     "—" if x.p_value is None else f"{x.p_value:.3g}", esc(verdict)])
        classes.append("change-" + x.direction.replace(" ", "-"))
    counts = {v: sum(x.direction == v for x in c.changes) for v in order}
    gate = (f"passes (exit 0): no benchmark slower by more than {COMPARE_THRESHOLD_PCT:g}%"
            if c.gate_code == 0 else f"fails (exit {c.gate_code})")
    parts = [f"<p>Previous run <code>{esc(c.old)}</code> against this run "
             f"<code>{esc(c.new)}</code>, by <code>compare.py</code> at its "
             f"defaults (threshold {COMPARE_THRESHOLD_PCT:g}%, alpha {COMPARE_ALPHA:g}): "
             f"{len(c.changes)} benchmarks, {counts['slower']} slower, {counts['faster']} "
             f"faster, {counts['no change']} no change; geometric mean change "
             f"{c.geomean_pct:+.2f}%.</p>",
             f'<p class="gate gate-{"pass" if c.gate_code == 0 else "fail"}">Gate '
             f"(<code>--fail-on-regression {COMPARE_THRESHOLD_PCT:g}</code>): {esc(gate)}</p>"]
    if c.gate_text:
        parts.append(f"<pre>{esc(c.gate_text)}</pre>")
    if c.context_diffs:
        parts.append("<p>Context differences: " + "; ".join(esc(d) for d in c.context_diffs)
                     + "</p>")
    if c.chart_svg is not None:
        parts.append('<figure id="chart-compare">' + inline_svg(c.chart_svg, "cmp-", "compare")
                     + "<figcaption><strong>compare</strong>: each changed benchmark's change in its "
                     "paired speedup, else its vs_limit, else its median wall time, with its "
                     "95% interval; green faster, red slower, grey no "
                     "significant change.<br>This run against the previous one: "
                     f"{counts['slower']} slower, {counts['faster']} faster.</figcaption>"
                     "</figure>")
    parts.append(table_html(["benchmark", "compared on", "previous", "this run", "change",
                             "95% CI", "detectable", "p", "verdict"], rows, classes))
    return section("comparison", "This run against the previous one", "\n".join(parts))
