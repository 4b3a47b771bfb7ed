"""<file>_times: median time per benchmark, for benchmarks not named by
cvpbench's grammar."""

from __future__ import annotations

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.series import ResultFile
from ..stats.intervals import spread


def draw(f: ResultFile, c: Chart) -> str | None:
    """Median time per benchmark, for benchmarks not named by cvpbench's grammar."""
    rows = [s for s in f.series.values() if s.key is None]
    if not rows:
        return None
    plt = pyplot()
    rows = rows[:60]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.5))
    lo_hi = list(zip(*(spread(s.times_ms) for s in rows)))
    ax.barh(range(len(rows)), [s.median_ms for s in rows], xerr=lo_hi, capsize=2, color="#1f77b4")
    ax.set_yticks(range(len(rows)), [text(s.name) for s in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("median real time per iteration (ms)")
    ax.set_xlim(left=0)
    ax.set_title(f"{text(f.path.name)}: time per benchmark")
    return c.save(fig, f"{f.path.stem}_times")
