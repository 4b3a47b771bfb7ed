"""The wall-time lines of the IO charts (io_sleep_wall, net_rpc_wall): for each model, its
median time per run against the task count at its largest W, with the spread of its
repetitions as error bars."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..reading.series import Series
from ..stats.intervals import spread
from .canvas import text
from .chart import Chart

if TYPE_CHECKING:
    from matplotlib.axes import Axes


def draw_wall_lines(ax: Axes, series: list[Series], c: Chart) -> None:
    """One errorbar line per model of `series`, in the registry's order, at the model's
    largest W: the most workers it was given is its best chance at the waits."""
    for model in c.in_order(series):
        w = max(s.key["workers"] for s in series if s.key["model"] == model)
        pts = sorted((s for s in series if s.key["model"] == model and s.key["workers"] == w),
                     key=lambda s: s.key["tasks"])
        lo_hi = list(zip(*(spread(s.times_ms) for s in pts)))
        ax.errorbar([s.key["tasks"] for s in pts], [s.median_ms for s in pts], yerr=lo_hi,
                    capsize=3, label=text(c.label(pts[0])), **c.style[model].line())
