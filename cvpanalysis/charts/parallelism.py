"""parallelism: CPU seconds per wall second, per model and workload, with the
core count marked."""

from __future__ import annotations

import statistics

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.groups import Workloads
from ..reading.series import Series

STEM = "parallelism"


def representative(series: list[Series], model: str) -> Series | None:
    """The row of `model` doing the most work: most tasks, largest message, most workers."""
    rows = [s for s in series if s.key["model"] == model and s.counter("parallelism") is not None]
    if not rows:
        return None
    return max(rows, key=lambda s: (s.key["tasks"], s.key["bytes"], s.key["workers"]))


def draw(workloads: Workloads, c: Chart) -> str | None:
    """Bars of CPU seconds per wall second, grouped by workload, one per model."""
    io, cpu = workloads.io, workloads.cpu
    groups = [(name, rows) for name, rows in (("io_sleep", io), ("cpu_hash", cpu)) if rows]
    bars = [(w, rows, m, representative(rows, m)) for w, rows in groups for m in c.in_order(rows)]
    bars = [b for b in bars if b[3] is not None]
    if not bars:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(max(9.0, 0.45 * len(bars) + 2), 4.8))
    xticks, xlabels, seen = [], [], set()
    x, top = 0.0, float(c.cores)
    for workload, rows in groups:
        start = x
        for model, s in ((m, s) for w, _, m, s in bars if w == workload):
            values = s.counters["parallelism"]
            med = statistics.median(values)
            top = max(top, max(values))
            style = c.style[model]
            ax.bar(x, med, color=style.color, hatch="//" if style.hollow else None,
                   edgecolor="white" if style.hollow else None,
                   yerr=[[med - min(values)], [max(values) - med]], capsize=3,
                   label=None if model in seen else text(model))
            seen.add(model)
            ax.text(x, med + 0.05, f"{med:.2f}", ha="center", fontsize=7)
            w = f" W={s.key['workers']}" if c.models[model].takes_workers else ""
            ax.text(x, -0.08, f"N={s.key['tasks']}{w}", ha="center", va="top", fontsize=6,
                    rotation=90)
            x += 1
        if x == start:
            continue
        xticks.append((start + x - 1) / 2)
        size = f", {max(r.key['bytes'] for r in rows)} B" if workload == "cpu_hash" else ""
        xlabels.append(f"{workload}{size}")
        x += 1
    ax.axhline(c.cores, color="black", linestyle="--", label=f"{c.cores} cores: fully parallel")
    ax.axhline(1.0, color="gray", linestyle=":", label="1: one CPU at a time")
    ax.set_xticks(xticks, xlabels, fontsize=9)
    ax.tick_params(axis="x", pad=56)
    ax.set_ylabel("parallelism (CPU seconds per wall second)")
    ax.set_ylim(0, top * 1.05 + 0.6)
    ax.set_title("Is it parallel? CPU time / wall time, children included "
                 "(each model's row with the most tasks and workers)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    return c.save(fig, STEM)
