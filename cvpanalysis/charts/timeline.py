"""timeline_<scenario>: one panel per model, each task a bar on the thread or
process that ran it."""

from __future__ import annotations

from ..figures.canvas import pyplot, text
from ..figures.chart import Chart
from ..reading.series import Trace


def draw(scenario: str, traces: list[Trace], c: Chart) -> str:
    """One panel per model on a shared time axis; a band per thread or process,
    and inside a band one row per task that overlaps another."""
    plt = pyplot()
    order = {m: i for i, m in enumerate(c.models.ordered())}
    traces = sorted(traces, key=lambda t: (order.get(t.model, len(order)), t.model))
    panels = []
    for t in traces:
        lanes: dict[tuple, list] = {}
        for e in sorted(t.events, key=lambda e: e.ts):
            lanes.setdefault((e.pid, e.tid), []).append(e)
        panels.append((t, lanes))
    heights = [sum(_pack(ev)[1] for ev in lanes.values()) + 0.6 for _, lanes in panels]
    fig, axes = plt.subplots(len(panels), 1, sharex=True, squeeze=False,
                             figsize=(9, min(0.9 + 0.32 * sum(heights), 60)),
                             gridspec_kw={"height_ratios": heights})
    cmap = plt.get_cmap("tab10")
    for ax, (t, lanes) in zip(axes[:, 0], panels):
        y = 0.0
        ticks, names = [], []
        pids = sorted({pid for pid, _ in lanes}, key=str)
        for n, ((pid, tid), evs) in enumerate(sorted(lanes.items(), key=lambda kv: kv[1][0].ts)):
            rows, count = _pack(evs)
            ax.axhspan(y - 0.45, y + count - 0.55, color="#f2f2f2" if n % 2 == 0 else "#e3e3e3")
            for e, row in zip(evs, rows):
                ax.barh(y + row, e.dur / 1e3, left=e.ts / 1e3, height=0.8,
                        color=cmap(e.index % 10), edgecolor="black", linewidth=0.4)
                ax.text((e.ts + e.dur / 2) / 1e3, y + row, str(e.index), ha="center",
                        va="center", fontsize=6)
            ticks.append(y + (count - 1) / 2)
            if len(pids) > 1:
                names.append(f"process {pids.index(pid) + 1}")
            elif pid == tid:
                names.append("main thread")
            else:
                names.append(f"thread {n + 1}")
            y += count
        ax.set_yticks(ticks, names, fontsize=7)
        ax.set_ylim(y - 0.5, -0.6)
        w = f", W={t.workers}" if c.models[t.model].takes_workers else ""
        ax.set_title(f"{text(t.model)}{w}: {t.wall_ms:.0f} ms", fontsize=8, loc="left")
        ax.grid(True, axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("time since the run started (ms)")
    axes[-1, 0].set_xlim(left=0)
    fig.suptitle(f"timeline: {text(scenario)} — each bar is one task, numbered", fontsize=10)
    fig.tight_layout()
    return c.save(fig, f"timeline_{scenario}")


def _pack(events: list) -> tuple[list[int], int]:
    """Rows for events sorted by start: each takes the first row free at its start.
    Events are TraceEvents or {"ts", "dur"} dicts."""
    def ts_dur(e) -> tuple[float, float]:
        return (e["ts"], e["dur"]) if isinstance(e, dict) else (e.ts, e.dur)

    ends: list[float] = []
    rows = []
    for e in events:
        ts, dur = ts_dur(e)
        for r, end in enumerate(ends):
            if end <= ts:
                ends[r] = ts + dur
                rows.append(r)
                break
        else:
            ends.append(ts + dur)
            rows.append(len(ends) - 1)
    return rows, max(len(ends), 1)
