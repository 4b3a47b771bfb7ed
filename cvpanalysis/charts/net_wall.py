"""net_rpc_wall: wall time per run against task count on real sockets, kept connections beside a connection per task."""

from __future__ import annotations

from ..figures.canvas import pyplot
from ..figures.chart import Chart
from ..figures.wall_lines import draw_wall_lines
from ..reading.groups import Workloads

STEM = "net_rpc_wall"
PANELS = ((0, "a connection kept across runs"), (1, "a connection per task"))


def draw(workloads: Workloads, c: Chart) -> str | None:
    """One panel per connection mode; one line per model at its largest W."""
    series = workloads.net
    if not series:
        return None
    plt = pyplot()
    fig, axes = plt.subplots(1, 2, figsize=(11, 5), sharey=True)
    for ax, (mode, title) in zip(axes, PANELS):
        rows = [s for s in series if s.key.get("conn_per_task", 0) == mode]
        draw_wall_lines(ax, rows, c)
        delay_ms = max((s.key["sleep_us"] for s in rows), default=0) / 1000
        if delay_ms > 0:
            ax.axhline(delay_ms, color="black", linestyle=":",
                       label=f"ideal: one reply delay, T = {delay_ms:g} ms")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("tasks per run (N)")
        ax.set_title(f"net_rpc: {title}", fontsize=10)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=6)
    axes[0].set_ylabel("wall time per run (ms)")
    fig.suptitle("Requests over loopback TCP to a server process: who overlaps them?")
    return c.save(fig, STEM)
