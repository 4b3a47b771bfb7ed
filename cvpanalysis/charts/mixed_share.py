"""mixed_share: mixed's wall time against each task's CPU share."""

from __future__ import annotations

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.groups import Workloads
from ..reading.series import Series
from ..stats.intervals import spread

STEM = "mixed_share"


def draw(workloads: Workloads, c: Chart) -> str | None:
    """Wall time against CPU share, one line per model and W, with the share at
    which another model first beats the gathering event loop by more than 5%."""
    series = workloads.mixed
    lines: dict[tuple[str, int], list[tuple[float, Series]]] = {}
    for s in series:
        share = s.counter("cpu_share")
        if share is not None:
            lines.setdefault((s.key["model"], s.key["workers"]), []).append((share, s))
    if not lines:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    order = {m: i for i, m in enumerate(c.models.ordered())}
    for (model, workers), pts in sorted(lines.items(), key=lambda kv: (order[kv[0][0]], kv[0][1])):
        pts.sort(key=lambda p: p[0])
        style = c.style[model]
        # Oversubscribed rows (more workers than cores) get a lighter line.
        over = c.models[model].takes_workers and workers > c.cores
        lo_hi = list(zip(*(spread(s.times_ms) for _, s in pts)))
        ax.errorbar([p[0] for p in pts], [s.median_ms for _, s in pts], yerr=lo_hi, capsize=3,
                    label=text(c.label(pts[0][1])), alpha=0.6 if over else 1.0,
                    **dict(style.line(), linestyle="-." if over and not style.hollow
                           else style.linestyle))
    loop = c.models.gathering_loop()
    loop_pts = sorted((p for (m, _), pts in lines.items() if m == loop for p in pts),
                      key=lambda p: p[0])
    for share, s in loop_pts:
        rivals = [r for (m, _), pts in lines.items() if m != loop for _, r in pts
                  if r.key["sleep_us"] == s.key["sleep_us"]]
        if rivals and min(r.median_ms for r in rivals) < s.median_ms / 1.05:
            color = c.style[loop].color
            ax.axvline(share, color=color, linestyle=":", linewidth=1.5)
            ax.annotate(f"{text(loop)} stops winning\n(CPU share {share:.2f})", (share, 0.55),
                        xycoords=("data", "axes fraction"), va="top", fontsize=8, color=color,
                        xytext=(4, 0), textcoords="offset points")
            break
    tasks = sorted({s.key["tasks"] for s in series})
    n = str(tasks[0]) if len(tasks) == 1 else f"{tasks[0]}-{tasks[-1]}"
    ax.set_xlabel("CPU share of each task (hashing time / task time)")
    ax.set_ylabel("wall time per run (ms)")
    ax.set_title(f"mixed: {n} tasks, each hashes for a share of its time and waits for the rest")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0, 0.85))
    return c.save(fig, STEM)
