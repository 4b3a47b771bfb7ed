"""efficiency: the model's own lower bound / measured time against workers,
for models on several threads or processes."""

from __future__ import annotations

import statistics

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.groups import Workloads, cpu_size
from ..reading.series import Series

STEM = "efficiency"


def _eff_points(pts: list[Series]) -> list[tuple[int, float, float, float]]:
    """(workers, median efficiency, min, max) from each repetition's counter."""
    result = []
    for s in sorted(pts, key=lambda s: s.key["workers"]):
        eff = s.counters.get("efficiency")
        if eff:
            result.append((s.key["workers"], statistics.median(eff), min(eff), max(eff)))
    return result


def draw(workloads: Workloads, c: Chart) -> str | None:
    """Efficiency against workers of the models on several threads or
    processes: cpu_hash per size, io_sleep per task count."""
    io, cpu = workloads.io, workloads.cpu
    lines: list[tuple[str, str, str, str, list[tuple[int, float, float, float]]]] = []
    dashes = ["-", "--", ":", "-."]
    parallel = [m for m in c.in_order(io + cpu) if c.models[m].parallel]
    for model in parallel:
        for i, size in enumerate(sorted({cpu_size(s.key) for s in cpu})):
            pts = [s for s in cpu if s.key["model"] == model and cpu_size(s.key) == size]
            lines.append(("cpu_hash", model, f"{model}, {size[0]} B", dashes[i % 4],
                          _eff_points(pts)))
        # io_sleep: one line per task count that every W of the model ran.
        rows = [s for s in io if s.key["model"] == model]
        ws = {s.key["workers"] for s in rows}
        common = sorted(n for n in {s.key["tasks"] for s in rows}
                        if {s.key["workers"] for s in rows if s.key["tasks"] == n} == ws and n > 1)
        for i, n in enumerate(common[-3:]):
            lines.append(("io_sleep", model, f"{model}, N={n}", dashes[i % 4],
                          _eff_points([s for s in rows if s.key["tasks"] == n])))
    lines = [line for line in lines if line[4]]
    if not lines:
        return None
    plt = pyplot()
    panels = [w for w in ("io_sleep", "cpu_hash") if any(line[0] == w for line in lines)]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    for ax, workload in zip(axes[0], panels):
        top = 1.15
        for _, model, label, dash, pts in (line for line in lines if line[0] == workload):
            style = c.style[model]
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                        yerr=[[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]],
                        capsize=3, label=text(label),
                        **dict(style.line(), linestyle=dash if not style.hollow else "--"))
            top = max(top, max(p[3] for p in pts) * 1.05)
        ax.axhline(1.0, color="black", linestyle=":", linewidth=1)
        ax.set_title(f"{workload}: efficiency (ideal / measured)")
        ax.set_xlabel("workers (W)")
        ax.set_ylabel("efficiency")
        ax.set_ylim(0, top)
        ax.set_xlim(left=0)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=6, loc="lower right")
    return c.save(fig, STEM)
