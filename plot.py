#!/usr/bin/env python3
"""Turn cvpbench (Google Benchmark JSON) results into the charts that answer
"does an event loop run in parallel?".

usage: plot.py [JSON ...] [-o DIR]

Reads Google Benchmark JSON files (default: every results/*.json) and writes,
into DIR (default: the folder of the first input file), PNG and SVG charts:

  io_sleep_wall     wall time per run against task count, per model, with T
  cpu_hash_speedup  speedup over serial against workers, one panel per size,
                    with the ideal min(W, cores); each repetition's speedup is
                    paired (the harness ran serial right before it), where the
                    rows carry the counter
  efficiency        the model's own lower bound / measured time, against
                    workers: io_sleep per task count, cpu_hash per size
  parallelism       CPU seconds per wall second, per model and workload,
                    with the core count marked
  <file>_times      for benchmarks not named by cvpbench's grammar: median
                    time per benchmark

and summary.md (also printed): per workload and size, the fastest model, its
speedup over serial and over the event loop, and each model's efficiency.
Points are medians over repetitions; bars span the minimum to the maximum.

Charts of an earlier run that this run did not make are removed, so the
folder never mixes runs. Bad input (a missing file, not JSON, no benchmarks)
ends in one "error: ..." line and exit status 1, with nothing written.
Started by a Python without matplotlib, it re-runs itself under
/usr/bin/python3 when that one has it, and otherwise says so in one line.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

NAME_RE = re.compile(
    r"^(?P<workload>[a-z_]+)/(?P<model>[a-z_]+)/tasks:(?P<tasks>\d+)/workers:(?P<workers>\d+)"
    r"(?:/sleep_us:(?P<sleep_us>\d+))?(?:/bytes:(?P<bytes>\d+))?"
    r"(?:/(?:manual_time|real_time))?$"
)
TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
MODEL_ORDER = ["serial", "event_loop_sequential", "event_loop", "event_loop_blocking",
               "event_loop_offload", "tbb", "fork"]
ONE_WORKER = {"serial", "event_loop_sequential", "event_loop", "event_loop_blocking"}
MODEL_STYLE = {
    "serial": ("#7f7f7f", "o"),
    "event_loop_sequential": ("#9467bd", "v"),
    "event_loop": ("#1f77b4", "s"),
    "event_loop_blocking": ("#8c564b", "P"),
    "event_loop_offload": ("#17becf", "X"),
    "tbb": ("#2ca02c", "^"),
    "fork": ("#d62728", "D"),
}
# Lines that would hide one another (serial and the two one-at-a-time loops
# take the same time for waits) get their own dashes.
LINESTYLE = {"event_loop_sequential": "--", "event_loop_blocking": ":"}
CHART_STEMS = ("io_sleep_wall", "cpu_hash_speedup", "efficiency", "parallelism", "mixed_share")


class InputError(Exception):
    """Bad input: reported as one "error: ..." line and exit status 1."""


@dataclass
class Series:
    """One benchmark's repetitions: times in ms and counters per repetition."""

    name: str
    times_ms: list[float] = field(default_factory=list)
    counters: dict[str, list[float]] = field(default_factory=dict)
    key: dict | None = None  # parsed grammar fields, None when foreign

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    def counter(self, name: str) -> float | None:
        values = self.counters.get(name)
        return statistics.median(values) if values else None


@dataclass
class ResultFile:
    path: Path
    context: dict
    series: dict[str, Series]
    errors: list[str]  # "name: message" for rows in error


def _counter_fields(row: dict) -> dict[str, float]:
    skip = {"real_time", "cpu_time", "iterations", "repetitions", "repetition_index", "threads",
            "family_index", "per_family_instance_index"}
    return {k: float(v) for k, v in row.items()
            if isinstance(v, (int, float)) and not isinstance(v, bool) and k not in skip}


def read_json(path: Path) -> object:
    if not path.is_file():
        raise InputError(f"{path}: no such file")
    try:
        return json.loads(path.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise InputError(f"{path}: not JSON ({e})") from None


def is_trace(data: object) -> bool:
    """A Chrome trace event file (the timelines), not benchmark results."""
    return isinstance(data, dict) and isinstance(data.get("traceEvents"), list)


def load(path: Path, data: object = None) -> ResultFile:
    """Reads one Google Benchmark JSON file; raises InputError when it is unusable."""
    if data is None:
        data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise InputError(f"{path}: not Google Benchmark JSON (no \"benchmarks\" array)")
    if not data["benchmarks"]:
        raise InputError(f"{path}: the \"benchmarks\" array is empty")
    rows = [r for r in data["benchmarks"] if isinstance(r, dict) and "name" in r]
    iterations = [r for r in rows if r.get("run_type", "iteration") == "iteration"]
    # A benchmark reported by aggregates only (--benchmark_report_aggregates_only)
    # is represented by its median.
    with_iterations = {r.get("run_name", r["name"]) for r in iterations}
    iterations += [dict(r, run_name=r.get("run_name", r["name"])) for r in rows
                   if r.get("aggregate_name") == "median"
                   and r.get("run_name", r["name"]) not in with_iterations]
    series: dict[str, Series] = {}
    errors: list[str] = []
    for row in iterations:
        name = row.get("run_name", row["name"])
        if row.get("error_occurred"):
            errors.append(f"{name}: {row.get('error_message', 'error')}")
            continue
        unit = row.get("time_unit", "ns")
        if unit not in TO_MS or not isinstance(row.get("real_time"), (int, float)):
            errors.append(f"{name}: no usable real_time (unit {unit!r})")
            continue
        s = series.setdefault(name, Series(name=name, key=parse_name(name)))
        s.times_ms.append(float(row["real_time"]) * TO_MS[unit])
        for k, v in _counter_fields(row).items():
            s.counters.setdefault(k, []).append(v)
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    return ResultFile(path=path, context=context, series=series, errors=errors)


def parse_name(name: str) -> dict | None:
    """The grammar fields of a cvpbench benchmark name, or None for a foreign one."""
    m = NAME_RE.match(name)
    if not m:
        return None
    return {
        "workload": m["workload"],
        "model": m["model"],
        "tasks": int(m["tasks"]),
        "workers": int(m["workers"]),
        "sleep_us": int(m["sleep_us"] or 0),
        "bytes": int(m["bytes"] or 0),
    }


def cores_of(files: Iterable[ResultFile]) -> int:
    for f in files:
        for key in ("cpus_usable", "num_cpus"):
            try:
                return int(f.context[key])
            except (KeyError, TypeError, ValueError):
                continue
    return os.cpu_count() or 1


def ours(files: Iterable[ResultFile], workload: str) -> list[Series]:
    return [s for f in files for s in f.series.values()
            if s.key and s.key["workload"] == workload]


def spread(values: list[float]) -> tuple[float, float]:
    """(median - min, max - median): the error bar of a median."""
    med = statistics.median(values)
    return med - min(values), max(values) - med


def _save(fig, out: Path, stem: str, written: list[Path]) -> None:
    for ext in ("png", "svg"):
        path = out / f"{stem}.{ext}"
        # No date in the SVG: the same results give the same files.
        fig.savefig(path, dpi=130 if ext == "png" else None, bbox_inches="tight",
                    metadata={"Date": None} if ext == "svg" else None)
        written.append(path)


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "cvpbench"  # stable element ids in SVGs
    import matplotlib.pyplot as plt

    return plt


def largest_w(series: list[Series], model: str) -> int | None:
    return max((s.key["workers"] for s in series if s.key["model"] == model), default=None)


def chart_io_wall(series: list[Series], out: Path, written: list[Path]) -> str | None:
    """Wall time per run against tasks, one line per model (at its largest W)."""
    if not series:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 5))
    for model in MODEL_ORDER:
        w = largest_w(series, model)
        pts = sorted((s for s in series if s.key["model"] == model and s.key["workers"] == w),
                     key=lambda s: s.key["tasks"])
        if not pts:
            continue
        color, marker = MODEL_STYLE.get(model, ("black", "x"))
        lo_hi = list(zip(*(spread(s.times_ms) for s in pts)))
        ax.errorbar([s.key["tasks"] for s in pts], [s.median_ms for s in pts], yerr=lo_hi,
                    color=color, marker=marker, capsize=3, label=_label(pts[0]),
                    linestyle=LINESTYLE.get(model, "-"), linewidth=2 if model in LINESTYLE else 1.5)
    sleep_ms = max(s.key["sleep_us"] for s in series) / 1000
    ax.axhline(sleep_ms, color="black", linestyle=":", label=f"ideal: one wait, T = {sleep_ms:g} ms")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("tasks per run (N)")
    ax.set_ylabel("wall time per run (ms)")
    ax.set_title("io_sleep: who overlaps waits?")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7)
    _save(fig, out, "io_sleep_wall", written)
    plt.close(fig)
    return "io_sleep_wall"


def speedup_values(s: Series, serial: Series | None) -> list[float] | None:
    """Per-repetition speedups over serial: the paired counter the harness measured
    (serial run next to each timed run), else serial's median over each repetition."""
    if s.counters.get("speedup"):
        return s.counters["speedup"]
    if serial is None:
        return None
    return [serial.median_ms / t for t in s.times_ms]


def speedups(series: list[Series]) -> dict[int, dict[str, list[tuple[int, float, float, float]]]]:
    """Per size, per model: (workers, median speedup, min, max) over the repetitions."""
    result: dict[int, dict[str, list[tuple[int, float, float, float]]]] = {}
    for size in sorted({s.key["bytes"] for s in series}):
        at = [s for s in series if s.key["bytes"] == size]
        serial = next((s for s in at if s.key["model"] == "serial"), None)
        per_model: dict[str, list[tuple[int, float, float, float]]] = {}
        for s in at:
            values = speedup_values(s, serial)
            if values:
                per_model.setdefault(s.key["model"], []).append(
                    (s.key["workers"], statistics.median(values), min(values), max(values)))
        for pts in per_model.values():
            pts.sort()
        if per_model:
            result[size] = per_model
    return result


def chart_cpu_speedup(series: list[Series], cores: int, out: Path,
                      written: list[Path]) -> str | None:
    data = speedups(series)
    if not data:
        return None
    plt = _plt()
    top = max([cores] + [p[3] for per_model in data.values() for pts in per_model.values()
                         for p in pts]) * 1.1
    fig, axes = plt.subplots(1, len(data), figsize=(4.2 * len(data), 4), sharey=True, squeeze=False)
    for ax, (size, per_model) in zip(axes[0], data.items()):
        w_max = max(w for pts in per_model.values() for w, *_ in pts)
        ws = list(range(1, w_max + 1))
        ax.plot(ws, [min(w, cores) for w in ws], color="black", linestyle=":",
                label=f"ideal min(W, {cores} cores)")
        for model in MODEL_ORDER:
            if model not in per_model:
                continue
            pts = per_model[model]
            color, marker = MODEL_STYLE.get(model, ("black", "x"))
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                        yerr=[[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]],
                        color=color, marker=marker, capsize=3, label=model)
        ax.set_title(f"cpu_hash, {size} B messages")
        ax.set_xlabel("workers (W)")
        ax.set_ylim(0, top)
        ax.set_xlim(left=0)
        ax.grid(True, alpha=0.3)
    axes[0][0].set_ylabel("speedup over serial (x)")
    axes[0][0].legend(fontsize=8)
    _save(fig, out, "cpu_hash_speedup", written)
    plt.close(fig)
    return "cpu_hash_speedup"


def chart_efficiency(io: list[Series], cpu: list[Series], out: Path,
                     written: list[Path]) -> str | None:
    """Efficiency against workers: cpu_hash per size, io_sleep per task count."""
    lines: list[tuple[str, str, str, str, list[tuple[int, float, float, float]]]] = []
    dashes = ["-", "--", ":", "-."]
    for model in ("tbb", "fork"):
        for i, size in enumerate(sorted({s.key["bytes"] for s in cpu})):
            pts = [s for s in cpu if s.key["model"] == model and s.key["bytes"] == size]
            lines.append(("cpu_hash", model, f"{model}, {size} B", dashes[i % 4], _eff_points(pts)))
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
    plt = _plt()
    panels = [w for w in ("io_sleep", "cpu_hash") if any(line[0] == w for line in lines)]
    fig, axes = plt.subplots(1, len(panels), figsize=(5.5 * len(panels), 4), squeeze=False)
    for ax, workload in zip(axes[0], panels):
        for _, model, label, style, pts in (line for line in lines if line[0] == workload):
            color, marker = MODEL_STYLE[model]
            ax.errorbar([p[0] for p in pts], [p[1] for p in pts],
                        yerr=[[p[1] - p[2] for p in pts], [p[3] - p[1] for p in pts]],
                        color=color, marker=marker, linestyle=style, capsize=3, label=label)
        ax.axhline(1.0, color="black", linestyle=":", linewidth=1)
        ax.set_title(f"{workload}: efficiency (ideal / measured)")
        ax.set_xlabel("workers (W)")
        ax.set_ylabel("efficiency")
        ax.set_ylim(0, 1.15)
        ax.set_xlim(left=0)
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7, loc="lower right")
    _save(fig, out, "efficiency", written)
    plt.close(fig)
    return "efficiency"


def _eff_points(pts: list[Series]) -> list[tuple[int, float, float, float]]:
    """(workers, median efficiency, min, max) from each repetition's counter."""
    result = []
    for s in sorted(pts, key=lambda s: s.key["workers"]):
        eff = s.counters.get("efficiency")
        if eff:
            result.append((s.key["workers"], statistics.median(eff), min(eff), max(eff)))
    return result


def representative(series: list[Series], model: str) -> Series | None:
    """The row of `model` doing the most work: most tasks, largest message, most workers."""
    rows = [s for s in series if s.key["model"] == model and s.counter("parallelism") is not None]
    if not rows:
        return None
    return max(rows, key=lambda s: (s.key["tasks"], s.key["bytes"], s.key["workers"]))


def chart_parallelism(io: list[Series], cpu: list[Series], mixed: list[Series], cores: int,
                      out: Path, written: list[Path]) -> str | None:
    """Bars of CPU seconds per wall second, grouped by workload, one per model."""
    groups = [(name, rows) for name, rows in (("io_sleep", io), ("cpu_hash", cpu)) if rows]
    if not groups:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(9, 4.8))
    xticks, xlabels, seen = [], [], set()
    x = 0.0
    for workload, rows in groups:
        start = x
        for model in MODEL_ORDER:
            s = representative(rows, model)
            if s is None:
                continue
            values = s.counters["parallelism"]
            med = statistics.median(values)
            color, _ = MODEL_STYLE.get(model, ("black", "x"))
            ax.bar(x, med, color=color, yerr=[[med - min(values)], [max(values) - med]], capsize=3,
                   label=None if model in seen else model)
            seen.add(model)
            ax.text(x, med + 0.05, f"{med:.2f}", ha="center", fontsize=7)
            w = "" if model in ONE_WORKER else f" W={s.key['workers']}"
            ax.text(x, -0.08, f"N={s.key['tasks']}{w}", ha="center", va="top", fontsize=6,
                    rotation=90)
            x += 1
        xticks.append((start + x - 1) / 2)
        size = f", {max(r.key['bytes'] for r in rows)} B" if workload == "cpu_hash" else ""
        xlabels.append(f"{workload}{size}")
        x += 1
    ax.axhline(cores, color="black", linestyle="--", label=f"{cores} cores: fully parallel")
    ax.axhline(1.0, color="gray", linestyle=":", label="1: one CPU at a time")
    ax.set_xticks(xticks, xlabels, fontsize=9)
    ax.tick_params(axis="x", pad=56)
    ax.set_ylabel("parallelism (CPU seconds per wall second)")
    ax.set_ylim(0, cores + 0.6)
    ax.set_title("Is it parallel? CPU time / wall time, children included "
                 "(each model's row with the most tasks and workers)", fontsize=9)
    ax.legend(fontsize=7, loc="upper left", ncol=2)
    _save(fig, out, "parallelism", written)
    plt.close(fig)
    return "parallelism"


def chart_foreign(f: ResultFile, out: Path, written: list[Path]) -> str | None:
    """Median time per benchmark, for benchmarks not named by cvpbench's grammar."""
    rows = [s for s in f.series.values() if s.key is None]
    if not rows:
        return None
    plt = _plt()
    rows = rows[:60]
    fig, ax = plt.subplots(figsize=(8, 0.3 * len(rows) + 1.5))
    lo_hi = list(zip(*(spread(s.times_ms) for s in rows)))
    ax.barh(range(len(rows)), [s.median_ms for s in rows], xerr=lo_hi, capsize=2, color="#1f77b4")
    ax.set_yticks(range(len(rows)), [s.name for s in rows], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlabel("median real time per iteration (ms)")
    ax.set_xlim(left=0)
    ax.set_title(f"{f.path.name}: time per benchmark")
    stem = f"{f.path.stem}_times"
    _save(fig, out, stem, written)
    plt.close(fig)
    return stem


def chart_mixed(series: list[Series], out: Path, written: list[Path]) -> str | None:
    """Wall time against CPU share, one line per model, with the share at which
    another model first beats the event loop by more than 5%."""
    if not series:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.5, 4.8))
    lines: dict[str, list[tuple[float, Series]]] = {}
    for s in series:
        share = s.counter("cpu_share")
        if share is not None:
            lines.setdefault(_label(s), []).append((share, s))
    order = {m: i for i, m in enumerate(MODEL_ORDER)}
    for label, pts in sorted(lines.items(), key=lambda kv: (order.get(kv[1][0][1].key["model"], 99),
                                                           kv[1][0][1].key["workers"])):
        pts.sort(key=lambda p: p[0])
        model = pts[0][1].key["model"]
        color, marker = MODEL_STYLE.get(model, ("black", "x"))
        style = "--" if model in ("tbb", "fork") and pts[0][1].key["workers"] > 2 else "-"
        lo_hi = list(zip(*(spread(s.times_ms) for _, s in pts)))
        ax.errorbar([p[0] for p in pts], [s.median_ms for _, s in pts], yerr=lo_hi, color=color,
                    marker=marker, linestyle=style, capsize=3, label=label)
    loop = sorted(lines.get("event_loop", []), key=lambda p: p[0])
    for share, s in loop:
        rivals = [r for _, pts in lines.items() for sh, r in pts
                  if r.key["model"] != "event_loop" and r.key["sleep_us"] == s.key["sleep_us"]]
        if rivals and min(r.median_ms for r in rivals) < s.median_ms / 1.05:
            ax.axvline(share, color="#1f77b4", linestyle=":", linewidth=1.5)
            ax.annotate(f"event loop stops winning\n(CPU share {share:.2f})", (share, 0.55),
                        xycoords=("data", "axes fraction"), va="top", fontsize=8, color="#1f77b4",
                        xytext=(4, 0), textcoords="offset points")
            break
    n = series[0].key["tasks"]
    ax.set_xlabel("CPU share of each task (hashing time / task time)")
    ax.set_ylabel("wall time per run (ms)")
    ax.set_title(f"mixed: {n} tasks, each hashes for a share of 10 ms and waits for the rest")
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(bottom=0)
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(0, 0.85))
    _save(fig, out, "mixed_share", written)
    plt.close(fig)
    return "mixed_share"


def chart_timeline(scenario: str, traces: list[dict], out: Path, written: list[Path]) -> str:
    """One panel per model on a shared time axis; a band per thread or process,
    and inside a band one row per task that overlaps another."""
    plt = _plt()
    order = {m: i for i, m in enumerate(MODEL_ORDER)}
    traces = sorted(traces, key=lambda t: order.get(t["otherData"]["model"], 99))
    panels = []
    for t in traces:
        tasks = [e for e in t["traceEvents"] if e.get("ph") == "X"]
        lanes: dict[tuple[int, int], list[dict]] = {}
        for e in sorted(tasks, key=lambda e: e["ts"]):
            lanes.setdefault((e["pid"], e["tid"]), []).append(e)
        panels.append((t["otherData"], lanes))
    heights = [sum(_pack(ev)[1] for ev in lanes.values()) + 0.6 for _, lanes in panels]
    fig, axes = plt.subplots(len(panels), 1, sharex=True, squeeze=False,
                             figsize=(9, 0.9 + 0.32 * sum(heights)),
                             gridspec_kw={"height_ratios": heights})
    cmap = plt.get_cmap("tab10")
    for ax, (info, lanes) in zip(axes[:, 0], panels):
        y = 0.0
        ticks, names = [], []
        pids = sorted({pid for pid, _ in lanes})
        for n, ((pid, tid), evs) in enumerate(sorted(lanes.items(), key=lambda kv: kv[1][0]["ts"])):
            rows, count = _pack(evs)
            ax.axhspan(y - 0.45, y + count - 0.55, color="#f2f2f2" if n % 2 == 0 else "#e3e3e3")
            for e, row in zip(evs, rows):
                i = e["args"]["index"]
                ax.barh(y + row, e["dur"] / 1e3, left=e["ts"] / 1e3, height=0.8,
                        color=cmap(i % 10), edgecolor="black", linewidth=0.4)
                ax.text((e["ts"] + e["dur"] / 2) / 1e3, y + row, str(i), ha="center",
                        va="center", fontsize=6)
            ticks.append(y + (count - 1) / 2)
            if len(pids) > 1:
                names.append(f"process {pids.index(pid) + 1}")
            elif pid == tid:
                names.append("loop thread" if info["model"].startswith("event_loop")
                             else "main thread")
            else:
                names.append(f"thread {n + 1}")
            y += count
        ax.set_yticks(ticks, names, fontsize=7)
        ax.set_ylim(y - 0.5, -0.6)
        w = "" if info["model"] in ONE_WORKER else f", W={info['workers']}"
        ax.set_title(f"{info['model']}{w}: {info['wall_ms']:.0f} ms", fontsize=8, loc="left")
        ax.grid(True, axis="x", alpha=0.3)
    axes[-1, 0].set_xlabel("time since the run started (ms)")
    axes[-1, 0].set_xlim(left=0)
    fig.suptitle(f"timeline: {scenario} — each bar is one task, numbered", fontsize=10)
    fig.tight_layout()
    stem = f"timeline_{scenario}"
    _save(fig, out, stem, written)
    plt.close(fig)
    return stem


def _pack(events: list[dict]) -> tuple[list[int], int]:
    """Rows for events sorted by start: each takes the first row free at its start."""
    ends: list[float] = []
    rows = []
    for e in events:
        for r, end in enumerate(ends):
            if end <= e["ts"]:
                ends[r] = e["ts"] + e["dur"]
                rows.append(r)
                break
        else:
            ends.append(e["ts"] + e["dur"])
            rows.append(len(ends) - 1)
    return rows, max(len(ends), 1)


def summary_rows(io: list[Series], cpu: list[Series], mixed: list[Series] | None = None) -> list[dict]:
    """Per workload and size: the fastest model and each model's best efficiency.

    Speedups are the harness's paired counter where rows carry one (CPU work,
    measured next to a serial run), else ratios of median times. A mixed size is
    its CPU share (the median of the rows' cpu_share counters)."""
    groups: list[tuple[str, tuple, str, Series]] = []
    for s in io:
        groups.append(("io_sleep", (s.key["tasks"],), f"tasks={s.key['tasks']}", s))
    for s in cpu:
        groups.append(("cpu_hash", (s.key["bytes"],), f"bytes={s.key['bytes']}", s))
    mixed = mixed or []
    for sleep_us in {s.key["sleep_us"] for s in mixed}:
        at = [s for s in mixed if s.key["sleep_us"] == sleep_us]
        share = statistics.median(s.counter("cpu_share") or 0.0 for s in at)
        groups += [("mixed", (-sleep_us,), f"cpu_share={share:.2f}", s) for s in at]
    rows = []
    for workload, key, label in sorted({(w, k, lab) for w, k, lab, _ in groups}):
        at = [s for w, k, _, s in groups if w == workload and k == key]
        serial = next((s for s in at if s.key["model"] == "serial"), None)

        def speed(s: Series) -> float:
            values = speedup_values(s, serial)
            return statistics.median(values) if values else 1 / s.median_ms

        best: dict[str, Series] = {}
        for s in at:
            m = s.key["model"]
            if m not in best or speed(s) > speed(best[m]):
                best[m] = s
        fastest = max(best.values(), key=speed)
        has_speedup = speedup_values(fastest, serial) is not None
        rows.append({
            "workload": workload,
            "size": label,
            "fastest": _label(fastest),
            "fastest_ms": fastest.median_ms,
            "vs_serial": speed(fastest) if has_speedup else None,
            "vs_event_loop": (speed(fastest) / speed(best["event_loop"])
                              if "event_loop" in best else None),
            "efficiency": {m: (_label(s), s.counter("efficiency")) for m, s in best.items()},
        })
    return rows


def _label(s: Series) -> str:
    if s.key["model"] in ONE_WORKER:
        return s.key["model"]
    return f"{s.key['model']} (W={s.key['workers']})"


def summary_markdown(rows: list[dict], files: list[ResultFile]) -> str:
    def x(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}x"

    ctx = files[0].context if files else {}
    models = [m for m in MODEL_ORDER if any(m in r["efficiency"] for r in rows)]
    lines = [
        "| workload | size | fastest | ms per run | vs serial | vs event_loop | "
        + " | ".join(f"efficiency: {m}" for m in models) + " |",
        "|---|---|---|---:|---:|---:|" + "---:|" * len(models),
    ]
    for r in rows:
        eff = []
        for m in models:
            if m in r["efficiency"] and r["efficiency"][m][1] is not None:
                label, value = r["efficiency"][m]
                w = label[len(m):].strip()
                eff.append(f"{value:.2f} {w}".strip())
            else:
                eff.append("—")
        lines.append(f"| {r['workload']} | {r['size']} | {r['fastest']} | {r['fastest_ms']:.1f} | "
                     f"{x(r['vs_serial'])} | {x(r['vs_event_loop'])} | " + " | ".join(eff) + " |")
    note = (f"\nMedians over repetitions. Machine: {ctx.get('host_name', '?')}, "
            f"{ctx.get('cpus_usable', ctx.get('num_cpus', '?'))} usable CPUs, "
            f"profile {ctx.get('cvp_profile', '?')}, {ctx.get('date', '?')}. "
            "Each model's efficiency is that of its fastest configuration (W in brackets); "
            "— where the model has no row at this size. cpu_hash speedups are paired: each "
            "timed run against a serial run just before it.\n")
    return "\n".join(lines) + "\n" + note


def default_inputs() -> list[Path]:
    return [Path(__file__).resolve().parent / "results"]


def expand(paths: list[Path]) -> list[Path]:
    """Files as given; a folder stands for every *.json below it, except the
    results kept for comparisons: previous/ (the last run's) and baseline/."""
    result = []
    for p in paths:
        if p.is_dir():
            found = sorted(f for f in p.rglob("*.json")
                           if not {"previous", "baseline"} & set(f.relative_to(p).parts)
                           and not any(part.endswith(".partial") for part in f.parts))
            if not found:
                raise InputError(f"{p}: folder holds no *.json file")
            result += found
        else:
            result.append(p)
    return result


def remove_stale(out: Path, made: set[str]) -> None:
    """Deletes charts an earlier run left that this run did not make."""
    for path in out.iterdir():
        stem, ext = path.stem, path.suffix
        if ext not in (".png", ".svg") or stem in made:
            continue
        if stem in CHART_STEMS or stem.startswith("timeline_") or stem.endswith("_times"):
            path.unlink()


def plot(paths: list[Path], out: Path | None) -> int:
    files: list[ResultFile] = []
    traces: dict[str, list[dict]] = {}
    # Every input is read and checked before anything is written.
    for path in expand(paths):
        data = read_json(path)
        if not is_trace(data):
            files.append(load(path, data))
        elif isinstance(data.get("otherData"), dict) and "model" in data["otherData"]:
            traces.setdefault(str(data["otherData"].get("scenario", path.parent.name)), []).append(data)
        else:
            print(f"warning: {path}: a Chrome trace, but not one of cvpbench's; skipped",
                  file=sys.stderr)
    out = out or (paths[0] if paths[0].is_dir() else paths[0].parent)
    for f in files:
        for e in f.errors:
            print(f"warning: {f.path}: skipped a row in error: {e}", file=sys.stderr)
    io, cpu, mixed = ours(files, "io_sleep"), ours(files, "cpu_hash"), ours(files, "mixed")
    cores = cores_of(files)
    out.mkdir(parents=True, exist_ok=True)
    # Charts are drawn into a staging folder beside the output and moved in
    # only when all of them succeeded: a failure leaves the old ones intact.
    staging = Path(tempfile.mkdtemp(prefix=".plot-", dir=out))
    written: list[Path] = []
    try:
        made = {chart_io_wall(io, staging, written), chart_cpu_speedup(cpu, cores, staging, written),
                chart_efficiency(io, cpu, staging, written),
                chart_parallelism(io, cpu, mixed, cores, staging, written),
                chart_mixed(mixed, staging, written)}
        for scenario, group in sorted(traces.items()):
            made.add(chart_timeline(scenario, group, staging, written))
        for f in files:
            made.add(chart_foreign(f, staging, written))
            if not f.series:
                print(f"warning: {f.path}: nothing to plot: every row is in error", file=sys.stderr)
        made.discard(None)
        ours_any = io or cpu or mixed
        summary = summary_markdown(summary_rows(io, cpu, mixed), files) if ours_any else None
        if not made:
            raise InputError(f"{paths[0]}: no benchmark row without an error; nothing to plot")
        for path in written:
            os.replace(path, out / path.name)
        remove_stale(out, made)
        if summary:
            (out / "summary.md").write_text(summary)
            print(summary)
            print(f"wrote {out / 'summary.md'}")
        for path in written:
            print(f"wrote {out / path.name}")
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return 0


PYTHON_CANDIDATES = ("/usr/bin/python3", "/usr/local/bin/python3")
REEXEC_MARK = "CVP_PYTHON_REEXEC"


def require_matplotlib(script: Path) -> None:
    """Returns when matplotlib imports. Otherwise re-runs `script` under the first
    interpreter here that has it (the python3 first on PATH may be a separate one
    without Debian's packages), or raises InputError naming the interpreter."""
    try:
        import matplotlib  # noqa: F401
        return
    except ImportError:
        pass
    if not os.environ.get(REEXEC_MARK):
        for candidate in PYTHON_CANDIDATES:
            if Path(candidate).exists():
                probe = subprocess.run([candidate, "-c", "import matplotlib, scipy"],
                                       capture_output=True)
                if probe.returncode == 0:
                    os.environ[REEXEC_MARK] = "1"
                    os.execv(candidate, [candidate, str(script), *sys.argv[1:]])
    raise InputError(f"{sys.executable} cannot import matplotlib; install python3-matplotlib "
                     f"(.ci/install-deps, as root) or run: /usr/bin/python3 {script.name} ...")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("inputs", nargs="*", type=Path, help="Google Benchmark JSON files")
    parser.add_argument("-o", "--output", type=Path, help="folder for the charts and summary.md")
    args = parser.parse_args(argv)
    try:
        require_matplotlib(Path(__file__).resolve())
        inputs = args.inputs or default_inputs()
        if not inputs:
            raise InputError("no JSON files given and none in results/")
        return plot(inputs, args.output)
    except InputError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
