"""latency: how late a waiting task ends, its p99 latency above its wait T, against task count."""

from __future__ import annotations

import statistics

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.groups import Workloads
from ..reading.series import Series
from ..stats.intervals import spread
from ..stats.lateness import lateness_ms

STEM = "latency"


def panels(workloads: Workloads) -> list[tuple[str, list[Series]]]:
    """io_sleep, then net_rpc per connection mode: the rows with a p99 latency."""
    net = workloads.net
    found = [("io_sleep: a timer or a sleep of T", workloads.io),
             ("net_rpc: a connection kept across runs",
              [s for s in net if s.key.get("conn_per_task", 0) == 0]),
             ("net_rpc: a connection per task",
              [s for s in net if s.key.get("conn_per_task", 0) == 1])]
    found = [(title, [s for s in rows if lateness_ms(s) is not None]) for title, rows in found]
    return [(title, rows) for title, rows in found if rows]


def line(rows: list[Series], model: str) -> list[tuple[Series, list[float]]]:
    """The rows of `model` at its largest W by N, each with its p99 lateness per repetition. A log axis
    cannot show a lateness of 0 or less (a task can end no sooner than T), so such a
    point is left out rather than drawn at a made-up floor."""
    w = max(s.key["workers"] for s in rows if s.key["model"] == model)
    points = []
    for s in sorted((s for s in rows if s.key["model"] == model and s.key["workers"] == w),
                    key=lambda s: s.key["tasks"]):
        late = lateness_ms(s)
        if late and statistics.median(late) > 0:
            points.append((s, late))
    return points


def draw(workloads: Workloads, c: Chart) -> str | None:
    """One panel per workload (and connection mode); one line per model at its largest W."""
    found = panels(workloads)
    if not found:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(1, len(found), figsize=(5.5 * len(found), 5), squeeze=False)
    for ax, (title, rows) in zip(axes[0], found):
        for model in c.in_order(rows):
            points = line(rows, model)
            if not points:
                continue
            lo_hi = list(zip(*(spread(late) for _, late in points)))
            ax.errorbar([s.key["tasks"] for s, _ in points],
                        [statistics.median(late) for _, late in points],
                        yerr=lo_hi, capsize=3, label=text(c.label(points[0][0])),
                        **c.style[model].line())
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("tasks per run (N)")
        ax.set_title(text(title), fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        if ax.get_legend_handles_labels()[0]:
            ax.legend(fontsize=6)
    axes[0][0].set_ylabel("p99 latency above T (ms)")
    fig.suptitle("How late does a waiting task end? Each task's start to end, minus its wait")
    return c.save(fig, STEM)
