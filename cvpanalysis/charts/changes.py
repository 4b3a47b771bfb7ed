"""compare's chart: each benchmark's change between two runs with its interval,
coloured by verdict."""

from __future__ import annotations

from pathlib import Path

from ..figures import canvas
from ..figures.canvas import text
from ..stats.change import Change


def chart_figure(changes: list[Change], threshold_pct: float, metric: str):
    """Each benchmark's change with its interval, coloured by verdict."""
    plt = canvas.pyplot()
    colors = {"faster": "#2ca02c", "slower": "#d62728", "no change": "#7f7f7f"}
    fig, ax = plt.subplots(figsize=(8, 0.28 * len(changes) + 1.6))
    ys = range(len(changes))
    # One errorbar call per colour, fill and whether there is an interval:
    # a call per benchmark made the report's chart of ~450 rows take 18 s.
    groups: dict[tuple[str, bool, bool], list[tuple[int, Change]]] = {}
    for y, c in zip(ys, changes):
        groups.setdefault((c.direction, c.tested, c.ci_low_pct is not None), []).append((y, c))
    for (direction, tested, has_ci), members in groups.items():
        err = None
        if has_ci:
            err = [[max(0.0, c.change_pct - c.ci_low_pct) for _, c in members],
                   [max(0.0, c.ci_high_pct - c.change_pct) for _, c in members]]
        ax.errorbar([c.change_pct for _, c in members], [y for y, _ in members], xerr=err,
                    fmt="o", color=colors[direction], capsize=2,
                    markerfacecolor=colors[direction] if tested else "white")
    ax.axvspan(-threshold_pct, threshold_pct, color="#dddddd", alpha=0.5,
               label=f"noise threshold ±{threshold_pct:g}%")
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(list(ys), [text(c.name) for c in changes], fontsize=6)
    ax.invert_yaxis()
    what = {"time": "wall time per run", "auto": "speedup, vs_limit or time"}.get(metric, metric)
    ax.set_xlabel(f"change in median {what}, new vs old (%), with 95% CI")
    ax.set_title("compare: green faster, red slower, grey no significant change; "
                 "hollow: untested", fontsize=9)
    ax.legend(fontsize=7)
    return fig


def chart(changes: list[Change], stem: Path, threshold_pct: float, metric: str,
          formats: tuple[str, ...] = ("png", "svg")) -> list[Path]:
    """chart_figure as `stem`.png and `stem`.svg, or the `formats` asked for
    (in a folder of the caller's own)."""
    fig = chart_figure(changes, threshold_pct, metric)
    written: list[Path] = []
    canvas.save_figure(fig, stem, written, formats)
    canvas.pyplot().close(fig)
    return written
