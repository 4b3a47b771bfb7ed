"""The comparison as a text table, one benchmark a row."""

from __future__ import annotations

from ..reading.units import scaled_time
from ..stats.change import Change


def format_table(changes: list[Change], metric: str) -> str:
    def pct(v: float | None) -> str:
        return "" if v is None else f"{v:+.1f}%"

    def value(v: float, what: str) -> str:
        return scaled_time(v) if what == "time" else f"{v:.4g}"

    header = ("benchmark", "metric", "old", "new", "change", "95% CI", "detectable", "p",
              "verdict")
    lines = [header]
    for c in changes:
        ci = f"[{pct(c.ci_low_pct)}, {pct(c.ci_high_pct)}]" if c.ci_low_pct is not None else "—"
        p = "—" if c.p_value is None else f"{c.p_value:.3g}"
        mdc = "—" if c.detectable_pct is None else f"±{c.detectable_pct:.1f}%"
        verdict = c.verdict + ("" if c.reliable or not c.tested else " ?")
        lines.append((c.name, c.metric, value(c.old_median, c.metric),
                      value(c.new_median, c.metric), pct(c.change_pct), ci, mdc, p, verdict))
    left = (0, 1, len(header) - 1)
    widths = [max(len(row[i]) for row in lines) for i in range(len(header))]
    out = []
    for row in lines:
        out.append("  ".join(cell.ljust(w) if i in left else cell.rjust(w)
                             for i, (cell, w) in enumerate(zip(row, widths))).rstrip())
    return "\n".join(out)
