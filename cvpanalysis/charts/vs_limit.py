"""vs_limit: each model's bare primitive's time / the model's, per size."""

from __future__ import annotations

import statistics

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.groups import Workloads, size_groups
from ..reading.series import Series
from ..stats.ranking import best_per_model

STEM = "vs_limit"


def draw(workloads: Workloads, c: Chart) -> str | None:
    """Per workload, bars of each model's vs_limit per size: 1.0 is the bare primitive."""
    panels: dict[str, list[tuple[str, dict[str, Series]]]] = {}
    for (workload, _, label), at in size_groups(workloads.io, workloads.cpu, workloads.mixed):
        best = best_per_model([s for s in at if s.counter("vs_limit") is not None], None)
        if best:
            panels.setdefault(workload, []).append((label, best))
    if not panels:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 3.4 * len(panels)), squeeze=False)
    for ax, (workload, sizes) in zip(axes[:, 0], panels.items()):
        models = c.models.ordered({m for _, best in sizes for m in best})
        width = 0.8 / len(models)
        top = 1.2
        for i, model in enumerate(models):
            xs, meds, lo, hi = [], [], [], []
            for x, (_, best) in enumerate(sizes):
                if model in best:
                    values = best[model].counters["vs_limit"]
                    med = statistics.median(values)
                    xs.append(x - 0.4 + width * (i + 0.5))
                    meds.append(med)
                    lo.append(med - min(values))
                    hi.append(max(values) - med)
                    top = max(top, max(values) * 1.05)
            style = c.style[model]
            ax.bar(xs, meds, width, yerr=[lo, hi], capsize=2, color=style.color,
                   hatch="//" if style.hollow else None,
                   edgecolor="white" if style.hollow else None, label=text(model))
        ax.axhline(1.0, color="black", linestyle=":", linewidth=1,
                   label="1.0: at the primitive's limit")
        ax.set_xticks(range(len(sizes)), [label for label, _ in sizes], fontsize=8)
        ax.set_ylim(0, top)
        ax.set_ylabel("vs_limit (limit / measured)")
        ax.set_title(f"{workload}: how close each model gets to its bare primitive "
                     "(fastest configuration per size)", fontsize=9)
        ax.grid(True, axis="y", alpha=0.3)
        ax.legend(fontsize=6, ncol=4, loc="upper right")
    fig.tight_layout()
    return c.save(fig, STEM)
