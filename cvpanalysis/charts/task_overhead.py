"""task_overhead: per model, the time per task above its ideal, C++ beside its
Python twin."""

from __future__ import annotations

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.groups import Workloads, cpu_size, cpu_size_label
from ..reading.series import Series
from ..stats.ranking import best_per_model, overhead_us

STEM = "task_overhead"


def largest_common_tasks(io: list[Series]) -> int | None:
    """The largest task count every io_sleep model (with ideal_ms) ran; else the
    one the most models ran."""
    per_model: dict[str, set[int]] = {}
    for s in io:
        if s.counter("ideal_ms") is not None:
            per_model.setdefault(s.key["model"], set()).add(s.key["tasks"])
    if not per_model:
        return None
    common = set.intersection(*per_model.values())
    if common:
        return max(common)
    counts = {n: sum(n in ns for ns in per_model.values()) for ns in per_model.values() for n in ns}
    return max(counts, key=lambda n: (counts[n], n))


def overhead_panels(io: list[Series], cpu: list[Series]) -> list[tuple[str, list[Series]]]:
    panels = []
    n = largest_common_tasks(io)
    if n is not None:
        panels.append((f"io_sleep, N={n}", [s for s in io if s.key["tasks"] == n]))
    for size in sorted({cpu_size(s.key) for s in cpu}):
        panels.append((f"cpu_hash, {cpu_size_label(size)}",
                       [s for s in cpu if cpu_size(s.key) == size]))
    return [(title, [s for s in rows if s.counter("ideal_ms") is not None])
            for title, rows in panels]


def draw(workloads: Workloads, c: Chart) -> str | None:
    """Per workload, each model's time per task above its ideal (its fastest
    configuration), on a log axis: C++ and its Python twin side by side."""
    panels = [(t, best_per_model(rows, None))
              for t, rows in overhead_panels(workloads.io, workloads.cpu) if rows]
    panels = [(t, best) for t, best in panels if best]
    if not panels:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 3.2 * len(panels)), squeeze=False)
    for ax, (title, best) in zip(axes[:, 0], panels):
        # One group per model family pair: a C++ model and the Python models that mirror it.
        groups: dict[str, list[str]] = {}
        for model in c.models.ordered(best):
            twin = c.models[model].twin
            groups.setdefault(twin if twin in best else model, []).append(model)
        x, ticks, labels = 0.0, [], []
        positive = [v for v in (overhead_us(s) for s in best.values()) if v is not None and v > 0]
        floor = min(positive) / 3 if positive else 0.01
        for members in groups.values():
            for model in members:
                value = overhead_us(best[model])
                style = c.style[model]
                # A run at or under its ideal has no overhead to draw on a log axis.
                shown = value if value is not None and value > 0 else floor
                ax.bar(x, shown, 0.8, color=style.color, hatch="//" if style.hollow else None,
                       edgecolor="white" if style.hollow else None,
                       alpha=1.0 if shown == value else 0.25)
                ax.text(x, shown * 1.1, "≤ 0" if shown != value else f"{value:.3g}",
                        ha="center", fontsize=6)
                ticks.append(x)
                labels.append(text(c.label(best[model])))
                x += 1
            x += 0.6  # a gap between twin groups
        ax.set_yscale("log")
        ax.set_xlim(-0.8, max(x - 0.8, 8))  # a few bars stay bars, not walls
        ax.set_xticks(ticks, labels, rotation=60, ha="right", fontsize=6)
        ax.set_ylabel("µs per task above ideal")
        ax.set_title(f"{text(title)}: overhead per task, (median − ideal_ms) / N "
                     "(hatched: Python)", fontsize=9)
        ax.grid(True, axis="y", which="both", alpha=0.3)
    fig.tight_layout()
    return c.save(fig, STEM)
