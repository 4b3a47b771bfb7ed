"""io_sleep_wall: wall time per run against task count, per model, with T."""

from __future__ import annotations

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.groups import Workloads
from ..reading.series import Series
from ..stats.intervals import spread

STEM = "io_sleep_wall"


def largest_w(series: list[Series], model: str) -> int | None:
    return max((s.key["workers"] for s in series if s.key["model"] == model), default=None)


def draw(workloads: Workloads, c: Chart) -> str | None:
    """Wall time per run against tasks, one line per model (at its largest W)."""
    series = workloads.io
    if not series:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for model in c.in_order(series):
        w = largest_w(series, model)
        pts = sorted((s for s in series if s.key["model"] == model and s.key["workers"] == w),
                     key=lambda s: s.key["tasks"])
        lo_hi = list(zip(*(spread(s.times_ms) for s in pts)))
        ax.errorbar([s.key["tasks"] for s in pts], [s.median_ms for s in pts], yerr=lo_hi,
                    capsize=3, label=text(c.label(pts[0])), **c.style[model].line())
    sleep_ms = max(s.key["sleep_us"] for s in series) / 1000
    if sleep_ms > 0:
        ax.axhline(sleep_ms, color="black", linestyle=":",
                   label=f"ideal: one wait, T = {sleep_ms:g} ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("tasks per run (N)")
    ax.set_ylabel("wall time per run (ms)")
    ax.set_title("io_sleep: who overlaps waits?")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return c.save(fig, STEM)
