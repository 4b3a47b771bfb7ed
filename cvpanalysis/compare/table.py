"""The comparison as text: the heading, the table (one benchmark a row), the
notes below it and the lists of what was left out."""

from __future__ import annotations

import statistics
from pathlib import Path

from ..reading.units import scaled_time
from ..stats.change import MIN_RELIABLE_REPS, Change, geomean_change_pct


def heading(old_path: Path, new_path: Path, metric: str, changes: list[Change]) -> str:
    """Which sides, and what they are compared on (with auto: the metrics used)."""
    used = sorted({c.metric for c in changes})
    return (f"old: {old_path}\nnew: {new_path}\nmetric: {metric}"
            + (f" ({', '.join(used)})" if metric == "auto" else "") + "\n")


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


def notes(changes: list[Change], threshold_pct: float, alpha: float) -> list[str]:
    """Below the table: too few repetitions, untested verdicts, the detectable
    change, and the geometric mean with the verdicts counted."""
    lines = []
    tested = [c for c in changes if c.tested]
    if tested and min(min(c.old_reps, c.new_reps) for c in tested) < MIN_RELIABLE_REPS:
        min_reps = min(min(c.old_reps, c.new_reps) for c in tested)
        lines.append(f"note: as few as {min_reps} repetitions on a side (fewer than "
                     f"{MIN_RELIABLE_REPS}): verdicts marked ? are unreliable; the full profile "
                     "runs 10")
    untested = [c for c in changes if not c.tested]
    if untested:
        sizes = sorted({(c.old_reps, c.new_reps) for c in untested})
        lines.append(f"note: {len(untested)} benchmarks have too few repetitions for a "
                     f"significance test at alpha {alpha:g} "
                     f"({', '.join(f'{a} vs {b}' for a, b in sizes)}); their verdicts are the "
                     "change against the threshold alone, marked (untested)")
    counts = {v: sum(c.direction == v for c in changes) for v in ("faster", "slower", "no change")}
    detectable = sorted(c.detectable_pct for c in changes if c.detectable_pct is not None)
    if detectable:
        lines.append(f"detectable change (5% test, 80% power): median "
                     f"±{statistics.median(detectable):.1f}%, largest ±{detectable[-1]:.1f}% "
                     f"over {len(detectable)} tested benchmarks")
    lines.append(f"geometric mean change: {geomean_change_pct(changes):+.2f}% over "
                 f"{len(changes)} benchmarks ({counts['faster']} faster, {counts['slower']} "
                 f"slower, {counts['no change']} no change; threshold {threshold_pct:g}%, "
                 f"alpha {alpha:g})")
    return lines


def listing(title: str, items: list[str], most: int | None = None) -> list[str]:
    """`title` and the items indented below it (the first `most` of them, and
    how many more), or nothing when there are none."""
    if not items:
        return []
    shown = items if most is None else items[:most]
    more = [f"  ... and {len(items) - most} more"] if most is not None and len(items) > most else []
    return [title] + [f"  {item}" for item in shown] + more
