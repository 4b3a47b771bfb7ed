"""Two lines under each chart: what it shows, and what this run shows in it."""

from __future__ import annotations

import statistics

from ..base.text import one_line
from ..reading.names import size_label
from ..reading.series import Series
from ..stats.lateness import lateness_ms
from .evidence import Evidence, fastest, rows_at, rows_of, speedups_over_serial
from .words import ms, task_count, times, us


WHAT = {
    "io_sleep_wall": "Wall time of one run of N tasks that each wait T, per model (log-log); "
                     "the dotted line is a single wait, the best any model can do.",
    "cpu_hash_speedup": "Speedup over serial against workers W, one panel per message size; "
                        "the dotted line is the ideal min(W, cores).",
    "efficiency": "Each model's own lower bound divided by its measured time: 1.0 is as fast "
                  "as its concurrency and parallelism allow.",
    "parallelism": "CPU seconds per wall second, children included: about 1 is one core busy, "
                   "the core count is every core busy.",
    "mixed_share": "Wall time of tasks that hash for a share of their time and wait for the "
                   "rest, against that share.",
    "vs_limit": "Each model's bare primitive's time divided by the model's: 1.0 is at the "
                "primitive's limit.",
    "task_overhead": "Time per task above each model's ideal, in µs on a log axis; C++ beside "
                     "its Python twin.",
    "latency": "How late a waiting task ends: the 99th percentile of each task's time from "
               "its start to its end, minus its wait T, against N (log-log).",
    "task_memory": "Memory per task in flight at the run's peak, above the idle level, against "
                   "N (log-log): user space beside kernel (thread stacks, socket buffers).",
}


def describe(ev: Evidence, s: Series) -> str:
    """A row in words: its model (and W), workload and size."""
    return f"{ev.models.label(s.key)}, {s.key['workload']} {size_label(s.key, skip=('workers',))}"


def reading_io(ev: Evidence) -> str:
    parts = []
    for m in ev.gathering_loops()[:1] + [b for b in (ev.baseline("c++"),) if b]:
        rows = rows_of(ev.io, m)
        if rows:
            top = max(rows, key=lambda s: s.key["tasks"])
            parts.append(f"{m} ran {task_count(top.key['tasks'])} waits in {ms(top.median_ms)}")
    return "This run: " + "; ".join(parts) + "." if parts else ""


def reading_speedup(ev: Evidence) -> str:
    if not ev.cpu:
        return ""
    b = max(s.key["bytes"] for s in ev.cpu)
    at = [s for s in rows_at(ev.cpu, bytes=b) if s.key["workers"] <= ev.cores
          and s.key["model"] != ev.baseline(ev.language(s.key["model"]))]
    ups = sorted(speedups_over_serial(ev, at), key=lambda x: -x[1])
    shown = ", ".join(f"{ev.models.label(s.key)} {times(u)}" for s, u in ups[:4])
    return f"This run, {b} B messages, up to W = {ev.cores}: {shown}." if shown else ""


def reading_counter_range(ev: Evidence, counter: str, what: str) -> str:
    rows = [(s.counter(counter), s) for s in ev.io + ev.cpu + ev.mixed
            if s.counter(counter) is not None and ev.parallel(s.key["model"])]
    if not rows:
        return ""
    lo, hi = min(rows, key=lambda x: x[0]), max(rows, key=lambda x: x[0])
    return (f"This run, models on several workers: {what} from {lo[0]:.2f} "
            f"({describe(ev, lo[1])}) to {hi[0]:.2f} ({describe(ev, hi[1])}).")


def reading_parallelism(ev: Evidence) -> str:
    groups: dict[bool, float] = {}
    for s in ev.cpu:
        p = s.counter("parallelism")
        if p is not None:
            one = ev.one_thread(s.key["model"])
            groups[one] = max(groups.get(one, 0.0), p)
    if not groups:
        return ""
    parts = [f"one-thread models reach {groups[True]:.2f}" if True in groups else "",
             f"threads and processes {groups[False]:.2f}" if False in groups else ""]
    return (f"This run, hashing on {ev.cores} usable CPUs: "
            + " and ".join(p for p in parts if p) + ".")


def reading_mixed(ev: Evidence) -> str:
    loops = [m for m in ev.gathering_loops() if rows_of(ev.mixed, m)]
    if not loops:
        return ""
    for s in sorted(rows_of(ev.mixed, loops[0]), key=lambda s: s.counter("cpu_share") or 0):
        rivals = [r for r in rows_at(ev.mixed, sleep_us=s.key["sleep_us"])
                  if r.key["model"] != loops[0]]
        best = fastest(rivals)
        if best is not None and best.median_ms < s.median_ms / 1.05:
            return (f"This run: {loops[0]} stops winning at a CPU share of "
                    f"{s.counter('cpu_share') or 0:.2f} ({ms(s.median_ms)} against "
                    f"{ev.models.label(best.key)} {ms(best.median_ms)}).")
    return f"This run: {loops[0]} is never beaten by more than 5%."


def reading_overhead(ev: Evidence) -> str:
    rows = [(s, (s.median_ms - s.counter("ideal_ms")) * 1000 / s.key["tasks"]) for s in ev.io
            if s.counter("ideal_ms") is not None]
    if not rows:
        return ""
    lo, hi = min(rows, key=lambda x: x[1]), max(rows, key=lambda x: x[1])
    return (f"This run, io_sleep: from {us(lo[1])} per task ({describe(ev, lo[0])}) to "
            f"{us(hi[1])} ({describe(ev, hi[0])}).")


def reading_latency(ev: Evidence) -> str:
    rows = [(statistics.median(late), s) for s in ev.io if (late := lateness_ms(s))]
    if not rows:
        return ""
    n = max(s.key["tasks"] for _, s in rows)
    at = [(v, s) for v, s in rows if s.key["tasks"] == n]
    lo, hi = min(at, key=lambda x: x[0]), max(at, key=lambda x: x[0])
    return (f"This run, io_sleep at N = {n}: p99 lateness from {us(lo[0] * 1000)} "
            f"({describe(ev, lo[1])}) to {us(hi[0] * 1000)} ({describe(ev, hi[1])}).")


def reading_timeline(ev: Evidence, scenario: str) -> tuple[str, str]:
    traces = sorted((t for t in ev.traces if t.scenario == scenario), key=lambda t: t.wall_ms)
    tasks = max((len(t.events) for t in traces), default=0)
    walls = ", ".join(f"{t.model} {ms(t.wall_ms)}" for t in traces)
    return (f"{tasks} tasks of the scenario {scenario}, one panel per model: each bar is one "
            "task on the thread or process that ran it; bars side by side ran at once.",
            f"This run, wall time per model: {walls}.")


def reading_foreign(ev: Evidence, stem: str) -> tuple[str, str]:
    f = next((f for f in ev.files if f"{f.path.stem}_times" == stem), None)
    rows = [s for s in f.series.values() if s.key is None] if f else []
    what = "Median time per benchmark of a file not named by cvpbench's grammar."
    if not rows:
        return what, ""
    lo, hi = min(rows, key=lambda s: s.median_ms), max(rows, key=lambda s: s.median_ms)
    return what, (f"{len(rows)} benchmarks: from {ms(lo.median_ms)} ({one_line(lo.name, 60)}) "
                  f"to {ms(hi.median_ms)} ({one_line(hi.name, 60)}).")


def reading_task_memory(ev: Evidence) -> str:
    """The io_sleep rows' most and least kernel memory per task in flight."""
    rows = [(s.counter("kmem_kib_per_task"), s) for s in ev.io
            if s.counter("kmem_kib_per_task") is not None]
    if not rows:
        return ""
    (hi, top), (lo, low) = max(rows, key=lambda r: r[0]), min(rows, key=lambda r: r[0])
    return (f"This run, io_sleep: kernel memory per task in flight from {lo:.2f} KiB "
            f"({describe(ev, low)}) to {hi:.2f} KiB ({describe(ev, top)}).")


def reading(stem: str, ev: Evidence) -> tuple[str, str]:
    """Two lines for a chart: what it shows, and what this run shows in it."""
    if stem.startswith("timeline_"):
        return reading_timeline(ev, stem.removeprefix("timeline_"))
    if stem not in WHAT:
        return reading_foreign(ev, stem)
    second = {
        "io_sleep_wall": lambda: reading_io(ev),
        "cpu_hash_speedup": lambda: reading_speedup(ev),
        "efficiency": lambda: reading_counter_range(ev, "efficiency", "efficiency"),
        "parallelism": lambda: reading_parallelism(ev),
        "mixed_share": lambda: reading_mixed(ev),
        "vs_limit": lambda: reading_counter_range(ev, "vs_limit", "vs_limit"),
        "task_overhead": lambda: reading_overhead(ev),
        "latency": lambda: reading_latency(ev),
        "task_memory": lambda: reading_task_memory(ev),
    }[stem]
    try:
        return WHAT[stem], second()
    except (ArithmeticError, KeyError, TypeError, ValueError):
        return WHAT[stem], ""
