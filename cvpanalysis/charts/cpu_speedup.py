"""cpu_hash_speedup: speedup over serial against workers, one panel per size,
with the ideal min(W, cores); paired speedups where the rows carry them."""

from __future__ import annotations

import statistics

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.groups import Workloads, cpu_size
from ..reading.models import ModelRegistry
from ..reading.series import Series
from ..stats.ranking import speedup_values

STEM = "cpu_hash_speedup"


def speedups(series: list[Series], models: ModelRegistry
             ) -> dict[tuple[int, int], dict[str, list[tuple[int, float, float, float]]]]:
    """Per size (bytes, rounds), per model: (workers, median speedup, min, max)."""
    result: dict[tuple[int, int], dict[str, list[tuple[int, float, float, float]]]] = {}
    base = models.baseline()
    for size in sorted({cpu_size(s.key) for s in series}):
        at = [s for s in series if cpu_size(s.key) == size]
        baseline = next((s for s in at if s.key["model"] == base), None)
        per_model: dict[str, list[tuple[int, float, float, float]]] = {}
        for s in at:
            values = speedup_values(s, baseline)
            if values:
                per_model.setdefault(s.key["model"], []).append(
                    (s.key["workers"], statistics.median(values), min(values), max(values)))
        for pts in per_model.values():
            pts.sort()
        if per_model:
            result[size] = per_model
    return result


def draw(workloads: Workloads, c: Chart) -> str | None:
    """Speedup over the baseline model against workers, one panel per size."""
    data = speedups(workloads.cpu, c.models)
    if not data:
        return None
    plt = pyplot()
    cores = c.cores
    top = max([cores] + [p[3] for per_model in data.values() for pts in per_model.values()
                         for p in pts]) * 1.1
    fig, axes = plt.subplots(1, len(data), figsize=(4.2 * len(data), 4), sharey=True, squeeze=False)
    base = c.models.baseline() or "the first model"
    for ax, (size, per_model) in zip(axes[0], data.items()):
        w_max = max(w for pts in per_model.values() for w, *_ in pts)
        ws = sorted({1, min(cores, w_max), w_max})
        ax.plot(ws, [min(w, cores) for w in ws], color="black", linestyle=":",
                label=f"ideal min(W, {cores} cores)")
        for model in c.models.ordered(per_model):
            pts = per_model[model]
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                        yerr=[[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]],
                        capsize=3, label=text(model), **c.style[model].line())
        rounds = f" × {size[1]} rounds" if size[1] else ""
        ax.set_title(f"cpu_hash, {size[0]} B messages{rounds}")
        ax.set_xlabel("workers (W)")
        ax.set_ylim(0, top)
        ax.set_xlim(left=0)
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel(f"speedup over {text(base)} (x)")
    axes[0][0].legend(fontsize=7)
    return c.save(fig, STEM)
