"""task_memory: what a task in flight costs in memory against task count, per model, user
space beside kernel (thread stacks, socket buffers), for io_sleep and net_rpc (a
connection per task)."""

from __future__ import annotations

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.groups import Workloads
from ..reading.series import Series

STEM = "task_memory"
# (counter, column title): the rows' memory per task in flight, in KiB.
COLUMNS = (("mem_kib_per_task", "user space (RSS, workers' private pages)"),
           ("kmem_kib_per_task", "kernel (thread stacks, socket buffers)"))


def panels(workloads: Workloads) -> list[tuple[str, list[Series]]]:
    """(title, rows) per workload that has a memory counter; rows of files written
    before the counters have none and are left out. net_rpc's rows are those with a
    connection per task, where each task's own socket is in the figure (kept
    connections where there are none): one row of panels each, as a chart of six
    panels took twice as long to draw as any other chart."""
    per_task = [s for s in workloads.net if s.key.get("conn_per_task", 0)]
    out = [("io_sleep", workloads.io)]
    if per_task:
        out.append(("net_rpc, a connection per task", per_task))
    elif workloads.net:
        out.append(("net_rpc, kept connections", workloads.net))
    return [(title, rows) for title, rows in out
            if any(s.counter(counter) is not None for s in rows for counter, _ in COLUMNS)]


def points(rows: list[Series], model: str, counter: str) -> tuple[list[int], list[float]]:
    """N and the counter's median, at the model's largest W; zero and missing values are
    left out (a log axis has no zero)."""
    mine = [s for s in rows if s.key["model"] == model]
    w = max(s.key["workers"] for s in mine)
    pts = sorted(((s.key["tasks"], s.counter(counter)) for s in mine if s.key["workers"] == w),
                 key=lambda p: p[0])
    kept = [(n, v) for n, v in pts if v is not None and v > 0]
    return [n for n, _ in kept], [v for _, v in kept]


def draw(workloads: Workloads, c: Chart) -> str | None:
    """One row of panels per workload, user memory beside
    kernel memory per task in flight against N, log-log; one line per model."""
    rows_of = panels(workloads)
    if not rows_of:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(len(rows_of), 2, figsize=(11, 4 * len(rows_of)), squeeze=False)
    for (title, rows), row_axes in zip(rows_of, axes):
        for ax, (counter, column) in zip(row_axes, COLUMNS):
            for model in c.in_order(rows):
                tasks, kib = points(rows, model, counter)
                if tasks:
                    label = text(c.label(next(s for s in rows if s.key["model"] == model)))
                    ax.plot(tasks, kib, label=label, **c.style[model].line())
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("tasks per run (N)")
            ax.set_ylabel("KiB per task in flight")
            ax.set_title(f"{text(title)}: {column}", fontsize=9)
            ax.grid(True, which="both", alpha=0.3)
            if ax.has_data():
                ax.legend(fontsize=6)
            else:
                ax.text(0.5, 0.5, "no row above zero", ha="center", va="center",
                        transform=ax.transAxes, fontsize=8)
    fig.suptitle("Memory per task in flight at the run's peak, above the idle level "
                 "(models at their largest W; zero not drawn)")
    fig.tight_layout()
    return c.save(fig, STEM)
