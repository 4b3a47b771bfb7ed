"""io_sleep_wall: wall time per run against task count, per model, with T."""

from __future__ import annotations

from ..figures.canvas import pyplot
from ..figures.chart import Chart
from ..figures.wall_lines import draw_wall_lines
from ..reading.groups import Workloads

STEM = "io_sleep_wall"


def draw(workloads: Workloads, c: Chart) -> str | None:
    """Wall time per run against tasks, one line per model (at its largest W)."""
    series = workloads.io
    if not series:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5))
    draw_wall_lines(ax, series, c)
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
