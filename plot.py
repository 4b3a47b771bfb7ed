#!/usr/bin/env python3
"""Turn cvpbench (Google Benchmark JSON) results into the charts that answer
"does an event loop run in parallel?".

usage: plot.py [JSON or folder ...] [-o DIR] [--force] [--debug]

Reads Google Benchmark JSON files and timeline traces (default: results/,
without results/previous/ and results/baseline/) and writes, into DIR
(default: the folder of the first input), PNG and SVG charts:

  io_sleep_wall     wall time per run against task count, per model, with T
  cpu_hash_speedup  speedup over serial against workers, one panel per size,
                    with the ideal min(W, cores); each repetition's speedup is
                    paired (the harness ran serial right before it), where the
                    rows carry the counter
  efficiency        the model's own lower bound / measured time, against
                    workers, for models on several threads or processes:
                    io_sleep per task count, cpu_hash per size
  parallelism       CPU seconds per wall second, per model and workload,
                    with the core count marked
  mixed_share       mixed: wall time against each task's CPU share
  vs_limit          each model's vs_limit (the bare primitive's time / the
                    model's; 1.0 = at the primitive's limit), per size
  task_overhead     per model, the time per task above the model's ideal in
                    µs, C++ beside its Python twin (io_sleep at the largest
                    task count every model ran, cpu_hash per size)
  timeline_<scen.>  one panel per model: each task as a bar on its thread
  <file>_times      for benchmarks not named by cvpbench's grammar: median
                    time per benchmark

and summary.md (also printed): per workload and size, the fastest model, its
speedup over serial and over the gathering event loop, its vs_limit, and each
model's efficiency; rows marked noisy by the harness and files run under load
are flagged; then the primitives' limits (results/limits.json) and the lost
updates of shared_counter. Points are medians over repetitions; bars span the
minimum to the maximum.

and report.html (report.py): one self-contained page that opens from disk with
no network: the question, the answer table (each claim's verdict and figures
computed from these files), every chart inline as SVG with a two-line
reading, the timelines with their trace files, the summary, the machine and
software context, and, when an input folder holds previous/, compare.py's
comparison of that run against this one with the gate's outcome.

Models are drawn in the order, colour family and line style the files
describe (context cvp_models, trace otherData.model_facts): twins share a
colour, Python models have dashed lines and hollow markers. For files without
those facts, models keep the order they first appear in, and a model whose
rows all have W = 1 is taken to be fixed at one worker (no W in its label).

Inputs must be regular files of at most 64 MiB (a FIFO, a device or a
larger file is refused unread) holding JSON at most 64 levels deep.

plot.py replaces only what it wrote itself: DIR/.cvp-plot-manifest.json
lists the files it wrote there, with their sizes and SHA-256. A file at one
of its output names that the manifest does not list, or that changed since,
is the user's: plot.py refuses, naming it, unless --force (a device, FIFO,
folder or symlink there is refused even then). The project's own results/
folder, whose charts were committed before manifests, is taken as plot.py's
when it has no manifest yet. Charts of an earlier run that this run did not
make are removed when the manifest lists them, so the folder never mixes
runs; look-alikes it did not write are left, with a warning. What it
replaced is said on stderr. Charts are drawn into a staging folder; then
every output is written to a temporary file beside its target (an
unpredictable name made with O_EXCL), fsynced, and renamed over the target
only when all of them are written.

Exit status: 0 drawn; 2 bad input (a missing file or folder, not JSON, no
usable benchmark, a malformed row, context entry or trace, a bad option, an
output refused), reported in one "plot.py: error: ..." line with nothing
written; 1 any other failure, such as a full disk (one line naming the file;
--debug shows the traceback); 130 interrupted (SIGINT, SIGTERM or SIGHUP), with
nothing half-written left. Started by a Python without matplotlib, it re-runs
itself under /usr/bin/python3 when that one has it, and otherwise says so in
one line (exit 1).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path

# The modules beside this script, wherever it is started from.
sys.path.insert(0, str(Path(__file__).resolve().parent))
import report  # noqa: E402
from cvpoutput import (MANIFEST_NAME, Manifest, OutputError, Publisher, check_target,  # noqa: E402
                       fingerprint, signals_deferred, text_bytes)
from cvpresults import (InputError, ModelRegistry, OneLineParser, ResultFile, Series,  # noqa: E402
                        Trace, cores_of, interval95, nonempty_path, one_line, ours,
                        overlaps, read_inputs,
                        run_with_one_line_errors, size_label)

CHART_STEMS = ("io_sleep_wall", "cpu_hash_speedup", "efficiency", "parallelism", "mixed_share",
               "vs_limit", "task_overhead")
# Colours by family, handed out in display order; twins share one.
FAMILY_PALETTES = {
    "one_thread": ["#7f7f7f", "#1f77b4", "#9467bd", "#8c564b", "#aec7e8", "#c5b0d5", "#c49c94"],
    "threads": ["#2ca02c", "#17becf", "#bcbd22", "#98df8a", "#9edae5"],
    "processes": ["#d62728", "#ff7f0e", "#e377c2", "#ff9896", "#ffbb78"],
}
OTHER_PALETTE = ["#7f7f7f", "#1f77b4", "#17becf", "#8c564b", "#9467bd", "#2ca02c", "#d62728",
                 "#ff7f0e", "#e377c2", "#bcbd22", "#393b79", "#637939"]
MARKERS = "osvPX^DhpP*<>d"
SUMMARY_NAME = "summary.md"
EXIT_BAD_INPUT, EXIT_FAILED = 2, 1


class MissingMatplotlib(Exception):
    """This interpreter cannot import matplotlib and none here can."""


@dataclass(frozen=True)
class Style:
    color: str
    marker: str
    linestyle: str
    hollow: bool  # Python models: hollow markers beside their twin's filled ones
    # Models earlier in the order get wider lines and larger markers, so that a
    # later line drawn over one with the same values leaves it visible.
    width: float = 1.5

    def line(self) -> dict:
        """Keyword arguments for plot/errorbar."""
        kw = {"color": self.color, "marker": self.marker, "linestyle": self.linestyle,
              "linewidth": self.width, "markersize": 2.5 + 2 * self.width}
        if self.hollow:
            kw["markerfacecolor"] = "white"
        return kw


def styles(models: ModelRegistry) -> dict[str, Style]:
    """A style per model from its family, order and twin (no model is named here)."""
    result: dict[str, Style] = {}
    per_family: dict[str, int] = {}
    owners = 0
    for name in models.ordered():
        facts = models[name]
        twin = facts.twin if facts.twin != name and facts.twin in models else None
        if twin is not None and twin not in result:
            continue  # styled with its twin below
        dash = "--" if facts.is_python else "-"
        if twin is not None:
            base = result[twin]
            result[name] = Style(base.color, base.marker, dash, facts.is_python, base.width)
            continue
        palette = FAMILY_PALETTES.get(facts.family, OTHER_PALETTE)
        rank = per_family.get(facts.family, 0)
        per_family[facts.family] = rank + 1
        used = {st.color for st in result.values()}
        # The family's next colour; else any colour no other model has yet.
        color = next((col for col in palette[rank:] + OTHER_PALETTE if col not in used),
                     palette[rank % len(palette)])
        result[name] = Style(color, MARKERS[owners % len(MARKERS)], dash,
                             facts.is_python, max(1.0, 3.0 - 0.3 * owners))
        owners += 1
    for name in models.ordered():  # twins whose twin comes later in the order
        if name not in result:
            base = result.get(models[name].twin) or Style("black", "x", "-", False)
            result[name] = Style(base.color, base.marker, "--" if models[name].is_python else "-",
                                 models[name].is_python)
    return result


def text(s: str) -> str:
    """Text from the data, safe from matplotlib's mathtext ($...$)."""
    return one_line(s, 120).replace("$", r"\$")


def spread(values: list[float]) -> tuple[float, float]:
    """(median - min, max - median): the error bar of a median."""
    med = statistics.median(values)
    return med - min(values), max(values) - med


def figure_bytes(fig) -> dict[str, bytes]:
    """`fig` as PNG and SVG files' contents; no date in the SVG, so the same
    results give the same files."""
    result = {}
    for ext in ("png", "svg"):
        buf = BytesIO()
        fig.savefig(buf, format=ext, dpi=130 if ext == "png" else None, bbox_inches="tight",
                    metadata={"Date": None} if ext == "svg" else None)
        result[ext] = buf.getvalue()
    return result


def write_draft(path: Path, data: bytes) -> None:
    """A file in a private staging folder (made by mkdtemp: nobody else can
    plant anything there); OutputError naming it when it cannot be written."""
    try:
        path.write_bytes(data)
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({one_line(e.strerror or e)})") from None


def save_figure(fig, stem: Path, written: list[Path]) -> None:
    """`stem`.png and `stem`.svg."""
    for ext, data in figure_bytes(fig).items():
        path = stem.with_name(f"{stem.name}.{ext}")
        write_draft(path, data)
        written.append(path)


def pyplot():
    """matplotlib.pyplot on the Agg backend with stable SVG element ids."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "cvpbench"
    import matplotlib.pyplot as plt

    return plt


@dataclass
class Chart:
    """What every chart needs: the models and their styles, and where to write."""

    models: ModelRegistry
    style: dict[str, Style]
    cores: int
    out: Path
    written: list[Path]

    def save(self, fig, stem: str) -> str:
        save_figure(fig, self.out / stem, self.written)
        pyplot().close(fig)
        return stem

    def in_order(self, series: list[Series]) -> list[str]:
        return self.models.ordered({s.key["model"] for s in series})

    def label(self, s: Series) -> str:
        return self.models.label(s.key)


def largest_w(series: list[Series], model: str) -> int | None:
    return max((s.key["workers"] for s in series if s.key["model"] == model), default=None)


def chart_io_wall(series: list[Series], c: Chart) -> str | None:
    """Wall time per run against tasks, one line per model (at its largest W)."""
    if not series:
        return None
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for model in c.in_order(series):
        w = largest_w(series, model)
        pts = sorted((s for s in series if s.key["model"] == model and s.key["workers"] == w),
                     key=lambda s: s.key["tasks"])
        lo_hi = list(zip(*(spread(s.times_ms) for s in pts)))
        ax.errorbar([s.key["tasks"] for s in pts], [s.median_ms for s in pts], yerr=lo_hi,
                    capsize=3, label=text(c.label(pts[0])), **c.style[model].line())
    sleep_ms = max(s.key["sleep_us"] for s in series) / 1000
    if sleep_ms > 0:
        ax.axhline(sleep_ms, color="black", linestyle=":",
                   label=f"ideal: one wait, T = {sleep_ms:g} ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("tasks per run (N)")
    ax.set_ylabel("wall time per run (ms)")
    ax.set_title("io_sleep: who overlaps waits?")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    return c.save(fig, "io_sleep_wall")


def cpu_size(key: dict) -> tuple[int, int]:
    """A cpu_hash size: (bytes, rounds); rounds 0 is the workload's default."""
    return key["bytes"], key["rounds"]


def cpu_size_label(size: tuple[int, int]) -> str:
    return f"bytes={size[0]}" + (f" rounds={size[1]}" if size[1] else "")


def speedup_values(s: Series, baseline: Series | None) -> list[float] | None:
    """Per-repetition speedups over the baseline model: the paired counter the
    harness measured (serial run next to each timed run), else the baseline's
    median over each repetition."""
    if s.counters.get("speedup"):
        return s.counters["speedup"]
    if baseline is None:
        return None
    return [baseline.median_ms / t for t in s.times_ms]


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


def chart_cpu_speedup(series: list[Series], c: Chart) -> str | None:
    data = speedups(series, c.models)
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
    return c.save(fig, "cpu_hash_speedup")


def _eff_points(pts: list[Series]) -> list[tuple[int, float, float, float]]:
    """(workers, median efficiency, min, max) from each repetition's counter."""
    result = []
    for s in sorted(pts, key=lambda s: s.key["workers"]):
        eff = s.counters.get("efficiency")
        if eff:
            result.append((s.key["workers"], statistics.median(eff), min(eff), max(eff)))
    return result


def chart_efficiency(io: list[Series], cpu: list[Series], c: Chart) -> str | None:
    """Efficiency against workers of the models on several threads or
    processes: cpu_hash per size, io_sleep per task count."""
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
    return c.save(fig, "efficiency")


def representative(series: list[Series], model: str) -> Series | None:
    """The row of `model` doing the most work: most tasks, largest message, most workers."""
    rows = [s for s in series if s.key["model"] == model and s.counter("parallelism") is not None]
    if not rows:
        return None
    return max(rows, key=lambda s: (s.key["tasks"], s.key["bytes"], s.key["workers"]))


def chart_parallelism(io: list[Series], cpu: list[Series], c: Chart) -> str | None:
    """Bars of CPU seconds per wall second, grouped by workload, one per model."""
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
    return c.save(fig, "parallelism")


def chart_foreign(f: ResultFile, c: Chart) -> str | None:
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


def chart_mixed(series: list[Series], c: Chart) -> str | None:
    """Wall time against CPU share, one line per model and W, with the share at
    which another model first beats the gathering event loop by more than 5%."""
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
    return c.save(fig, "mixed_share")


# A workload and size as summary.md and the per-size charts group them.
Group = tuple[str, tuple, str]


def size_groups(io: list[Series], cpu: list[Series], mixed: list[Series]
                ) -> list[tuple[Group, list[Series]]]:
    """(workload, sort key, label) and its rows: io_sleep per task count,
    cpu_hash per message size, mixed per CPU share (the median of the rows'
    cpu_share counters at one sleep length)."""
    groups: dict[Group, list[Series]] = {}
    for s in io:
        groups.setdefault(("io_sleep", (s.key["tasks"],), f"tasks={s.key['tasks']}"), []).append(s)
    for s in cpu:
        size = cpu_size(s.key)
        groups.setdefault(("cpu_hash", size, cpu_size_label(size)), []).append(s)
    for sleep_us in sorted({s.key["sleep_us"] for s in mixed}):
        at = [s for s in mixed if s.key["sleep_us"] == sleep_us]
        share = statistics.median(s.counter("cpu_share") or 0.0 for s in at)
        groups[("mixed", (-sleep_us,), f"cpu_share={share:.2f}")] = at
    return sorted(groups.items(), key=lambda kv: kv[0][:2])


def best_per_model(at: list[Series], baseline: Series | None) -> dict[str, Series]:
    """Each model's fastest configuration among `at` (by paired speedup where
    the rows carry it, else by median time)."""
    best: dict[str, Series] = {}
    for s in at:
        m = s.key["model"]
        if m not in best or speed(s, baseline) > speed(best[m], baseline):
            best[m] = s
    return best


def speed(s: Series, baseline: Series | None) -> float:
    values = speedup_values(s, baseline)
    return statistics.median(values) if values else 1 / s.median_ms


def chart_vs_limit(io: list[Series], cpu: list[Series], mixed: list[Series],
                   c: Chart) -> str | None:
    """Per workload, bars of each model's vs_limit per size: 1.0 is the bare primitive."""
    panels: dict[str, list[tuple[str, dict[str, Series]]]] = {}
    for (workload, _, label), at in size_groups(io, cpu, mixed):
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
    return c.save(fig, "vs_limit")


def overhead_us(s: Series) -> float | None:
    """Time per task above the model's ideal, in µs: (median - ideal_ms) / tasks."""
    ideal = s.counter("ideal_ms")
    if ideal is None:
        return None
    return (s.median_ms - ideal) * 1000 / s.key["tasks"]


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


def chart_task_overhead(io: list[Series], cpu: list[Series], c: Chart) -> str | None:
    """Per workload, each model's time per task above its ideal (its fastest
    configuration), on a log axis: C++ and its Python twin side by side."""
    panels = [(t, best_per_model(rows, None)) for t, rows in overhead_panels(io, cpu) if rows]
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
    return c.save(fig, "task_overhead")


def chart_timeline(scenario: str, traces: list[Trace], c: Chart) -> str:
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


def score_values(s: Series, baseline: Series | None) -> tuple[str, list[float]]:
    """What ranks a row within its question: its paired speedups where it has
    them (higher is better), else its times (lower is better)."""
    if s.counters.get("speedup"):
        return "speedup", s.counters["speedup"]
    return "time", s.times_ms


def vs_baseline(s: Series, baseline: Series | None
                ) -> tuple[float | None, tuple[float, float] | None]:
    """The row's speedup over the baseline model with its 95% interval: the
    paired counter's, else the baseline's median time over the row's times."""
    kind, values = score_values(s, baseline)
    if kind == "speedup":
        return statistics.median(values), interval95(values)
    if baseline is None:
        return None, None
    ci = interval95(s.times_ms)
    ratio = baseline.median_ms / s.median_ms
    if ci is None or ci[0] <= 0:
        return ratio, None
    return ratio, (baseline.median_ms / ci[1], baseline.median_ms / ci[0])


def question_groups(io: list[Series], cpu: list[Series], mixed: list[Series]
                    ) -> list[tuple[str, str, int, list[Series]]]:
    """(workload, size label, N, rows): one question each. Rows of different
    task counts never meet: a run of 4096 tasks is no rival of one of 2048."""
    out = []
    for (workload, _, label), at in size_groups(io, cpu, mixed):
        for n in sorted({s.key["tasks"] for s in at}):
            out.append((workload, label, n, [s for s in at if s.key["tasks"] == n]))
    return out


def summary_rows(io: list[Series], cpu: list[Series], mixed: list[Series] | None = None,
                 models: ModelRegistry | None = None, cpus: int | None = None) -> list[dict]:
    """Per question (workload, size, task count): the fastest model, the models
    tied with it, and the rows whose paired speedup is above the usable CPUs.

    Each model stands with its fastest configuration. Rows are ranked by their
    paired speedup where they carry one (CPU work, measured next to a serial
    run), else by their time; two models whose 95% intervals overlap are tied,
    not ranked. A paired speedup above the `cpus` usable CPUs cannot be real:
    it is a measurement fault, listed and never the winner."""
    mixed = mixed or []
    if models is None:
        from cvpresults import registry
        models = registry([ResultFile(Path("-"), {}, {s.name: s for s in io + cpu + mixed}, [])])
    base, loop = models.baseline(), models.gathering_loop()
    rows = []
    for workload, label, n, at in question_groups(io, cpu, mixed):
        baseline = next((s for s in at if s.key["model"] == base), None)
        best = best_per_model(at, baseline)
        faults = [s for s in best.values() if cpus and s.counters.get("speedup")
                  and statistics.median(s.counters["speedup"]) > cpus]
        rivals = [s for s in best.values() if s not in faults]
        if not rivals:
            continue
        fastest = max(rivals, key=lambda s: speed(s, baseline))
        kind, mine = score_values(fastest, baseline)
        tied = [s for s in rivals if s is not fastest
                and score_values(s, baseline)[0] == kind
                and overlaps(interval95(mine), interval95(score_values(s, baseline)[1]))]
        ratio, ratio_ci = vs_baseline(fastest, baseline)
        rows.append({
            "workload": workload, "size": label, "tasks": n,
            "fastest": models.label(fastest.key),
            "fastest_ms": fastest.median_ms,
            "fastest_noisy": fastest.noisy,
            "ranked_by": kind,
            "tied": [models.label(s.key) for s in sorted(tied, key=lambda s: -speed(s, baseline))],
            "vs_serial": ratio if baseline is not None or kind == "speedup" else None,
            "vs_serial_ci": ratio_ci,
            "vs_event_loop": (speed(fastest, baseline) / speed(best[loop], baseline)
                              if loop in best else None),
            "vs_limit": fastest.counter("vs_limit"),
            "faults": [(models.label(s.key), statistics.median(s.counters["speedup"]))
                       for s in faults],
        })
    return rows


# Characters that would make text from the input into Markdown or HTML:
# raw HTML (< > &), a table cell's end (|), a code span (`), emphasis (*),
# a link ([ ]), and the backslash that escapes them all.
_MD_ESCAPES = str.maketrans({"\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "]": "\\]",
                             "|": "\\|", "&": "&amp;", "<": "&lt;", ">": "&gt;"})


def md(value: object) -> str:
    """Text from the input as literal Markdown text on one line (also in a table cell)."""
    return one_line(value, 300).translate(_MD_ESCAPES)


def md_code(value: object) -> str:
    """Text from the input as a Markdown code span: a fence of more backticks
    than the text holds in a row, so the text cannot end it (inside a code
    span HTML and Markdown are shown as they are). Not for table cells."""
    text = one_line(value, 300)
    fence = "`" * (max(map(len, re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def below_limit(files: list[ResultFile], floor: float = 0.95) -> list[Series]:
    """The C++ and Python rows whose median vs_limit is below `floor`: the model
    spends more than the bare primitive it is built on needs."""
    rows = [s for f in files for s in f.series.values()
            if s.key and s.counter("vs_limit") is not None and s.counter("vs_limit") < floor]
    return sorted(rows, key=lambda s: s.counter("vs_limit"))


def summary_table(rows: list[dict], base: str, loop: str | None) -> list[str]:
    """The answer per question, one row each."""
    def x(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}x"

    lines = [f"| workload | size | N | fastest | ms per run | vs {md(base)} (95% CI) | "
             f"vs {md(loop or 'event loop')} | vs limit | tied with (intervals overlap) |",
             "|---|---|---:|---|---:|---:|---:|---:|---|"]
    for r in rows:
        ci = r["vs_serial_ci"]
        vs = x(r["vs_serial"]) + (f" ({ci[0]:.2f}-{ci[1]:.2f})" if ci else "")
        vs_limit = "—" if r["vs_limit"] is None else f"{r['vs_limit']:.2f}"
        mark = " †" if r["fastest_noisy"] else ""
        tied = ", ".join(md(t) for t in r["tied"]) or "—"
        lines.append(f"| {md(r['workload'])} | {md(r['size'])} | {r['tasks']} | "
                     f"{md(r['fastest'])}{mark} | "
                     f"{r['fastest_ms']:.1f} | {vs} | {x(r['vs_event_loop'])} | {vs_limit} | "
                     f"{tied} |")
    return lines


def summary_markdown(rows: list[dict], files: list[ResultFile], models: ModelRegistry,
                     loop: str | None = None) -> str:
    """summary.md: one table per question (who is fastest at each workload
    point, what handing out work costs, the primitives, lost updates), notes
    on faults, noise and load."""
    ctx = next((f.context for f in files if f.harness != "limits"),
               files[0].context if files else {})
    lines: list[str] = []
    noisy = sorted({s.name for f in files for s in f.series.values() if s.noisy})
    if rows:
        lines += ["### Who is fastest, per workload point\n"]
        lines += summary_table(rows, models.baseline() or "baseline", loop)
        lines.append(
            f"\nMedians over repetitions. Machine: {md(ctx.get('host_name', '?'))}, "
            f"{md(ctx.get('cpus_usable', ctx.get('num_cpus', '?')))} usable CPUs, "
            f"profile {md(ctx.get('cvp_profile', '?'))}, {md(ctx.get('date', '?'))}. "
            "Each model stands with its fastest configuration (W in brackets) and only "
            "against rows of the same task count N. Rows with a paired speedup (CPU work: "
            "each timed run against a serial run just before it) are ranked by it, others by "
            "their time; the interval is the 95% interval of the mean over the repetitions, "
            "and a model whose interval overlaps the fastest's is tied with it, not behind "
            "it. vs limit: the bare primitive's time / the fastest model's (1.00 = at the "
            "limit).")
    faults = [(r, f) for r in rows for f in r["faults"]]
    if faults:
        lines.append("\n**Measurement faults** (a paired speedup above the usable CPUs cannot "
                     "be real; never counted as a winner): "
                     + "; ".join(f"{md(r['workload'])} {md(r['size'])} N={r['tasks']}: "
                                 f"{md(label)} {value:.2f}x" for r, (label, value) in faults)
                     + ".")
    low = below_limit(files)
    if low:
        lines.append(f"\n**Below the bare primitive** (vs_limit under 0.95): {len(low)} rows; "
                     "the lowest: " + ", ".join(f"{md_code(s.name)} {s.counter('vs_limit'):.2f}"
                                                for s in low[:8])
                     + (f" and {len(low) - 8} more" if len(low) > 8 else "") + ".")
    if noisy:
        lines.append(f"\n† noisy: {len(noisy)} benchmarks have a coefficient of variation above "
                     "5% or paired speedups spread over 10% of their median (counter noisy = 1): "
                     + ", ".join(md_code(n) for n in noisy[:20])
                     + (f" and {len(noisy) - 20} more" if len(noisy) > 20 else "") + ".")
    for f in files:
        if f.loaded:
            lines.append(f"\n**Run under load:** {md_code(f.path.name)} was measured while the machine "
                         f"was busy with other work ({f.load_note()}); its times may be slow and "
                         "its speedups low.")
    lines += (hand_out_markdown(files, models) + limits_markdown(files)
              + shared_counter_markdown(files, models))
    return "\n".join(lines).lstrip("\n") + "\n"


def hand_out_markdown(files: list[ResultFile], models: ModelRegistry, workers: int = 2
                      ) -> list[str]:
    """Per cpu_hash size, what each model that takes W pays per task above
    its ideal at W = `workers` (the task_overhead arithmetic), with its paired
    speedup and CPU/wall: the cost of handing out work, model beside model."""
    # A file in a subfolder (python_gil/: other task counts) fills only what
    # the top-level files lack.
    by_depth = sorted(files, key=lambda f: len(f.path.parts))
    rows = [s for s in ours(by_depth, "cpu_hash")
            if s.key["workers"] == workers and models[s.key["model"]].takes_workers
            and s.counter("ideal_ms") is not None]
    # The sizes of the C++ grid: Python's extra sizes (python_gil/) have no
    # C++ row to stand beside.
    sizes = sorted({cpu_size(s.key) for s in rows if not models[s.key["model"]].is_python})
    if not sizes:
        return []
    at: dict[tuple, Series] = {}
    for s in rows:
        at.setdefault((s.key["model"], cpu_size(s.key)), s)
    lines = [f"\n### Handing out work: µs per task above ideal at W = {workers} (cpu_hash)\n",
             "| model | " + " | ".join(cpu_size_label(z) for z in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for model in models.ordered({s.key["model"] for s in rows}):
        cells = []
        for z in sizes:
            s = at.get((model, z))
            if s is None:
                cells.append("—")
                continue
            speedup, cpu_wall = s.counter("speedup"), s.counter("parallelism")
            extra = ", ".join(v for v in (f"{speedup:.2f}x" if speedup else "",
                                          f"CPU/wall {cpu_wall:.2f}" if cpu_wall else "") if v)
            cells.append(f"{overhead_us(s):.2f}" + (f" ({extra})" if extra else "")
                         + (" †" if s.noisy else ""))
        lines.append(f"| {md(model)} | " + " | ".join(cells) + " |")
    lines.append("\n(median − ideal_ms) / N, with the paired speedup and CPU/wall in brackets; "
                 "N as in each model's row.")
    return lines


def limits_markdown(files: list[ResultFile]) -> list[str]:
    rows = [s for f in files for s in f.series.values() if s.key and s.key["workload"] == "limits"]
    if not rows:
        return []
    lines = ["\n### Bare primitives (limits)\n", "| primitive | parameters | median ms |",
             "|---|---|---:|"]
    for s in sorted(rows, key=lambda s: s.name):
        lines.append(f"| {md(s.key['model'])} | {md(size_label(s.key, skip=()))} | "
                     f"{s.median_ms:.4g} |")
    return lines


def shared_counter_markdown(files: list[ResultFile], models: ModelRegistry) -> list[str]:
    rows = [s for f in files for s in f.series.values()
            if s.key and s.key["workload"] == "shared_counter"]
    if not rows:
        return []
    lines = ["\n### Shared counter: lost updates\n",
             "| model | tasks | lock | wait | lost updates |", "|---|---:|---:|---:|---:|"]
    order = {m: i for i, m in enumerate(models.ordered())}
    for s in sorted(rows, key=lambda s: (order.get(s.key["model"], 1 << 30), s.key.get("lock", 0),
                                         s.key.get("wait", 0), s.key["tasks"], s.key["workers"])):
        lost = s.counter("lost_updates")
        lines.append(f"| {md(models.label(s.key))} | {s.key['tasks']} | {s.key.get('lock', '—')} | "
                     f"{s.key.get('wait', '—')} | {'—' if lost is None else f'{lost:g}'} |")
    return lines


def default_inputs() -> list[Path]:
    return [Path(__file__).resolve().parent / "results"]


def is_chart_name(name: str) -> bool:
    """Whether `name` is one plot.py gives its charts."""
    stem, ext = os.path.splitext(name)
    return ext in (".png", ".svg") and (stem in CHART_STEMS or stem.startswith("timeline_")
                                        or stem.endswith("_times"))


@dataclass
class Ownership:
    """Which files in the output folder plot.py may replace or remove: those
    its manifest lists and that still hold what it wrote. A folder without a
    manifest is the user's, except the project's own results/ folder, whose
    charts were committed by plot.py runs from before manifests: there the
    files at plot.py's names are taken as its own once, and the manifest
    written then takes over. --force replaces files at the names plot.py
    writes whoever wrote them (never a device, FIFO, folder or symlink)."""

    out: Path
    manifest: Manifest | None
    force: bool
    adopt: bool
    foreign: list[str] = field(default_factory=list)  # replaced under --force

    @classmethod
    def of(cls, out: Path, force: bool) -> "Ownership":
        try:
            manifest = Manifest.read(out) if out.is_dir() else None
        except InputError:
            if not force:
                raise
            manifest = None
        adopt = manifest is None and out.resolve() == default_inputs()[0].resolve()
        return cls(out=out, manifest=manifest, force=force, adopt=adopt)

    def mine(self, name: str) -> bool:
        if self.manifest is not None:
            return self.manifest.owns(name)
        return self.adopt and (self.out / name).is_file() and not (self.out / name).is_symlink()

    def claim(self, names: list[str]) -> list[str]:
        """The names among `names` that exist in the folder (to be replaced);
        InputError for one that is not a regular file, or (without --force)
        one plot.py did not write."""
        existing = [n for n in names if os.path.lexists(self.out / n)]
        for n in existing:
            check_target(self.out / n)
        foreign = [n for n in existing if not self.mine(n)]
        if foreign and not self.force:
            more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
            raise InputError(f"{self.out / foreign[0]}: exists, and plot.py did not write it or "
                             f"it changed since{more}; refusing to replace it (--force "
                             "replaces it)")
        self.foreign = sorted(set(self.foreign) | set(foreign))
        return existing

    def carried(self, rewritten: set[str], removed: set[str]) -> dict[str, dict]:
        """Entries of the old manifest that still hold and stay in the folder."""
        if self.manifest is None:
            return {}
        return {n: e for n, e in self.manifest.files.items()
                if n not in rewritten | removed and self.manifest.owns(n)}


def stale_charts(out: Path, made: set[str]) -> list[str]:
    """Chart files in `out` that this run did not make."""
    return sorted(p.name for p in out.iterdir()
                  if is_chart_name(p.name) and os.path.splitext(p.name)[0] not in made)


def publish(drafts: dict[str, Path], out: Path, owner: Ownership, made: set[str],
            inputs: list[Path]) -> list[str]:
    """Moves the drafts into `out` with a new manifest and removes the charts
    of an earlier plot.py run that this run did not make; returns the names
    replaced. Charts plot.py did not write are left where they are."""
    replaced = owner.claim(sorted(drafts))
    stale = stale_charts(out, made)
    removable = {n for n in stale if owner.mine(n)}
    for n in sorted(set(stale) - removable):
        print(f"plot.py: warning: left {out / n}: named like a chart, but plot.py did not "
              "write it", file=sys.stderr)
    entries = owner.carried(set(drafts), removable)
    with Publisher(inputs) as pub:
        for name, draft in sorted(drafts.items()):
            data = draft.read_bytes()
            pub.stage(out / name, data)
            entries[name] = fingerprint(data)
        pub.stage(out / MANIFEST_NAME, Manifest(out, entries).to_bytes())
        with signals_deferred():
            pub.commit()
            for n in sorted(removable):
                (out / n).unlink(missing_ok=True)
    if removable:
        print(f"plot.py: removed charts of an earlier run that this run did not make from {out}: "
              + ", ".join(sorted(removable)), file=sys.stderr)
    return replaced


def say_replaced(out: Path, replaced: list[str], owner: Ownership) -> None:
    """One line on stderr for what an earlier run left and this one replaced."""
    own = [n for n in replaced if n not in owner.foreign]
    if own:
        whose = "an earlier plot.py run" + (" (no manifest yet: results/ from before manifests)"
                                            if owner.adopt else "")
        print(f"plot.py: replaced in {out} the files of {whose}: {', '.join(own)}",
              file=sys.stderr)
    if owner.foreign:
        print(f"plot.py: replaced in {out} files plot.py had not written (--force): "
              + ", ".join(owner.foreign), file=sys.stderr)


def draw(inputs, staging: Path, written: list[Path]) -> set[str]:
    """Every chart the inputs allow, into `staging`; returns their stems."""
    files, models = inputs.files, inputs.models
    io, cpu, mixed = ours(files, "io_sleep"), ours(files, "cpu_hash"), ours(files, "mixed")
    c = Chart(models=models, style=styles(models), cores=cores_of(files, os.cpu_count() or 1),
              out=staging, written=written)
    made = {chart_io_wall(io, c), chart_cpu_speedup(cpu, c), chart_efficiency(io, cpu, c),
            chart_parallelism(io, cpu, c), chart_mixed(mixed, c),
            chart_vs_limit(io, cpu, mixed, c), chart_task_overhead(io, cpu, c)}
    scenarios: dict[str, list[Trace]] = {}
    for t in inputs.traces:
        scenarios.setdefault(t.scenario, []).append(t)
    for scenario, group in sorted(scenarios.items()):
        made.add(chart_timeline(scenario, group, c))
    for f in files:
        made.add(chart_foreign(f, c))
    made.discard(None)
    return made


def draft_all(inputs, paths: list[Path], staging: Path, out: Path, summary: str | None,
              written: list[Path]) -> tuple[set[str], dict[str, Path], Path]:
    """Every chart, summary.md and report.html drafted into `staging`; returns
    the chart stems made, the drafts by name, and the report's draft."""
    with warnings.catch_warnings():
        # Layout advice from matplotlib (a crowded timeline) is not the reader's problem.
        warnings.simplefilter("ignore", UserWarning)
        made = draw(inputs, staging, written)
    if not made and summary is None:
        raise InputError(f"{paths[0]}: no benchmark row without an error; nothing to plot")
    drafts = {p.name: p for p in written}
    if summary is not None:
        write_draft(staging / SUMMARY_NAME, text_bytes(summary))
        drafts[SUMMARY_NAME] = staging / SUMMARY_NAME
    page = report.write_report(inputs, paths, staging, made, CHART_STEMS, out, summary)
    drafts[page.name] = page
    return made, drafts, page


def plot(paths: list[Path], out: Path | None, force: bool = False) -> int:
    # Every input is read and checked before anything is written.
    inputs = read_inputs(paths)
    files, models = inputs.files, inputs.models
    for w in inputs.warnings:
        print(f"plot.py: warning: {w}", file=sys.stderr)
    for f in files:
        for e in f.errors:
            print(f"plot.py: warning: {f.path}: skipped a benchmark in error: {e}", file=sys.stderr)
        if not f.series:
            print(f"plot.py: warning: {f.path}: nothing to plot: every row is in error",
                  file=sys.stderr)
        if f.loaded:
            print(f"plot.py: warning: {f.path}: run under load ({f.load_note()})", file=sys.stderr)
    io, cpu, mixed = ours(files, "io_sleep"), ours(files, "cpu_hash"), ours(files, "mixed")
    tables = any(s.key and s.key["workload"] in ("limits", "shared_counter")
                 for f in files for s in f.series.values())
    summary = None
    if io or cpu or mixed or tables:
        rows = summary_rows(io, cpu, mixed, models, cpus=cores_of(files, 0) or None)
        summary = summary_markdown(rows, files, models, models.gathering_loop())
    out = out or (paths[0] if paths[0].is_dir() else paths[0].parent)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: not a folder")
    owner = Ownership.of(out, force)
    # The two names every run writes are checked before any drawing.
    owner.claim([n for n in (SUMMARY_NAME, report.REPORT_NAME)
                 if n != SUMMARY_NAME or summary is not None])
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    # Charts are drawn into a staging folder in the output folder and moved in
    # only when all of them succeeded: a failure leaves the old ones intact.
    staging: Path | None = None
    done = False
    try:
        # Made with the stop signals held back: a signal between mkdtemp and
        # this try would have left the folder behind (seen once under load).
        with signals_deferred():
            staging = Path(tempfile.mkdtemp(prefix=".plot-", dir=out))
        written: list[Path] = []
        try:
            made, drafts, page = draft_all(inputs, paths, staging, out, summary, written)
        except OutputError as e:
            # The user knows the output folder, not the staging folder in it.
            raise OutputError(str(e).replace(f"{staging}/", f"{out}/", 1)) from None
        sources = [f.path for f in files] + [t.path for t in inputs.traces]
        replaced = publish(drafts, out, owner, made, sources)
        done = True
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            # A folder this run made and filled with nothing is not left behind.
            with contextlib.suppress(OSError):
                out.rmdir()
    say_replaced(out, replaced, owner)
    if summary is not None:
        print(summary)
        print(f"wrote {out / SUMMARY_NAME}")
    for path in written:
        print(f"wrote {out / path.name}")
    print(f"wrote {out / page.name}")
    if (out / page.name).stat().st_size > report.MAX_BYTES:
        print(f"plot.py: warning: {out / page.name} is over "
              f"{report.MAX_BYTES // 2**20} MB", file=sys.stderr)
    return 0


PYTHON_CANDIDATES = ("/usr/bin/python3", "/usr/local/bin/python3")
REEXEC_MARK = "CVP_PYTHON_REEXEC"


def import_failure(e: BaseException) -> str:
    """Why an installed matplotlib did not import, in one line."""
    why = f"{type(e).__name__}: {one_line(e, 200)}" if str(e) else type(e).__name__
    memory = isinstance(e, MemoryError) or any(
        w in str(e).lower() for w in ("cannot allocate memory", "failed to map segment"))
    hint = ("out of memory (is the address space limited, ulimit -v?)" if memory
            else "installed, but it failed to load")
    return f"{sys.executable} cannot import matplotlib: {hint} ({why})"


def require_matplotlib(script: Path) -> None:
    """Returns when matplotlib imports. Otherwise re-runs `script` under the first
    interpreter here that has it (the python3 first on PATH may be a separate one
    without Debian's packages), or raises MissingMatplotlib naming the interpreter."""
    try:
        import matplotlib  # noqa: F401
        return
    except ModuleNotFoundError:
        pass
    except (ImportError, MemoryError) as e:
        # Installed, but it would not load: say why, not "install it".
        raise MissingMatplotlib(import_failure(e)) from None
    if not os.environ.get(REEXEC_MARK):
        for candidate in PYTHON_CANDIDATES:
            if Path(candidate).exists():
                probe = subprocess.run([candidate, "-c", "import matplotlib, scipy"],
                                       capture_output=True)
                if probe.returncode == 0:
                    os.environ[REEXEC_MARK] = "1"
                    os.execv(candidate, [candidate, str(script), *sys.argv[1:]])
    raise MissingMatplotlib(f"{sys.executable} cannot import matplotlib; install "
                            "python3-matplotlib (.ci/install-deps, as root) or run: "
                            f"/usr/bin/python3 {script.name} ...")


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog="plot.py", description=__doc__,
                           formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", type=nonempty_path,
                        help="Google Benchmark JSON files, traces, or folders of them")
    parser.add_argument("-o", "--output", type=nonempty_path,
                        help="folder for the charts and summary.md")
    parser.add_argument("--force", action="store_true",
                        help="replace files at the output names that plot.py did not write")
    parser.add_argument("--debug", action="store_true", help="show the traceback of a failure")
    args = parser.parse_args(argv)

    def body() -> int:
        require_matplotlib(Path(__file__).resolve())
        return plot(args.inputs or default_inputs(), args.output, args.force)

    return run_with_one_line_errors("plot.py", body, debug=args.debug, failed_exit=EXIT_FAILED,
                                    plain=(MissingMatplotlib, OSError, OutputError))


if __name__ == "__main__":
    sys.exit(main())
