"""report.html: one self-contained page that answers "does an event loop run
in parallel?" from the results of this run.

plot.py writes it beside the charts every time it runs. In this order it
holds: the question; the answer table, whose verdicts and figures are
computed here from the result files (a claim without the rows it needs says
"not measured in this run"); every chart, inline as SVG, with a two-line
reading; the timelines, each trace with its scenario and model; the summary
table; the machine and software context of every file; and, when the result
folder holds previous/, compare.py's comparison of that run against this one.

The page needs no network: no script, font or image is fetched; the charts
are inline SVG whose text is drawn as paths. Models are chosen by the facts
the files describe (family, concurrency, language, twin), inferred where a
file predates them; the only names here are the two models the README's
claims name (the sequential and the blocking event loop).
"""

from __future__ import annotations

import contextlib
import html
import io as textio
import os
import re
import statistics
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from cvpoutput import OutputError, text_bytes
from cvpresults import (InputError, Inputs, ModelRegistry, ResultFile, Series, Trace, cores_of,
                        interval95, one_line, ours, overlaps, size_label)

REPORT_NAME = "report.html"
MAX_BYTES = 5 * 1024 * 1024

HOLDS, FAILS, NOT_MEASURED = "holds", "does not hold", "not measured"
# The README's claims 2 and 4 name these C++ models; a Python model stands in
# for one when its registry row names it as its twin.
SEQUENTIAL_LOOP = "event_loop_sequential"
BLOCKING_LOOP = "event_loop_blocking"

# Thresholds of the verdicts. A one-thread model is "not parallel" up to 5%
# over one CPU second per wall second (the timer and the bookkeeping of the
# harness cost a little); "one after another" means at least 90% of N waits.
NOT_PARALLEL = 1.05
IN_TURN = 0.9
# A model "overlaps" when it needs at most half the time of one that does not.
OVERLAP = 0.5
# "Clearly faster" for a CPU-bound verdict: 20% more speedup.
CLEARLY = 1.2
# A parallel family "runs in parallel" above this many CPU seconds per wall second.
PARALLEL = 1.5
# compare.py's defaults for --threshold and --alpha (the gate is judged at the threshold).
COMPARE_THRESHOLD_PCT = 5.0
COMPARE_ALPHA = 0.05
FAMILY_WORDS = {"one_thread": "one thread", "threads": "threads", "processes": "processes",
                "unknown": "several workers"}


# --------------------------------------------------------------------------- facts

@dataclass
class Evidence:
    """Everything the claims and readings look at: the rows per workload, the
    traces, and the facts of every model (described by the files, else inferred)."""

    files: list[ResultFile]
    traces: list[Trace]
    models: ModelRegistry
    cores: int
    io: list[Series] = field(default_factory=list)
    cpu: list[Series] = field(default_factory=list)
    mixed: list[Series] = field(default_factory=list)
    counter: list[Series] = field(default_factory=list)

    @classmethod
    def of(cls, files: list[ResultFile], traces: list[Trace], models: ModelRegistry
           ) -> "Evidence":
        return cls(files=files, traces=traces, models=models,
                   cores=cores_of(files, os.cpu_count() or 1), io=ours(files, "io_sleep"),
                   cpu=ours(files, "cpu_hash"), mixed=ours(files, "mixed"),
                   counter=ours(files, "shared_counter"))

    def family(self, model: str) -> str:
        """The registry's family; for a model no file describes, what its
        timeline shows (tasks in several processes, on several threads of one,
        or on one thread), else one thread when it is fixed at one worker."""
        facts = self.models[model]
        if facts.described or facts.family != "unknown":
            return facts.family
        traced = [t for t in self.traces if t.model == model and t.events]
        if traced:
            pids = max(len({e.pid for e in t.events}) for t in traced)
            lanes = max(len({(e.pid, e.tid) for e in t.events}) for t in traced)
            return "processes" if pids > 1 else "threads" if lanes > 1 else "one_thread"
        return "one_thread" if facts.fixed_workers == 1 else "unknown"

    def concurrency(self, model: str) -> str:
        """"1", "N" or "W": described, else from the rows (a model fixed at one
        worker that had more than one task in flight starts every task at once)."""
        facts = self.models[model]
        if facts.described:
            return facts.concurrency
        if facts.fixed_workers != 1:
            return "W"
        peaks = [s.counter("peak_inflight") for s in self.io + self.mixed
                 if s.key["model"] == model and s.counter("peak_inflight") is not None]
        return ("N" if max(peaks) > 1.5 else "1") if peaks else ""

    def language(self, model: str) -> str:
        """"python" or "c++": files without cvp_language were written by the C++
        harnesses, before the Python harness existed."""
        return "python" if self.models[model].is_python else "c++"

    def one_thread(self, model: str) -> bool:
        return self.family(model) == "one_thread"

    def parallel(self, model: str) -> bool:
        return self.family(model) in ("threads", "processes") or (
            self.family(model) == "unknown" and self.models[model].takes_workers)

    def ordered(self, language: str | None = None) -> list[str]:
        """Models in display order, C++ before Python."""
        return sorted((m for m in self.models.ordered() if language in (None, self.language(m))),
                      key=lambda m: self.language(m) != "c++")

    def languages(self) -> list[str]:
        found = {self.language(m) for m in self.models.ordered()}
        return [lang for lang in ("c++", "python") if lang in found]

    def gathering_loops(self, language: str | None = None) -> list[str]:
        """One-thread models that start every task at once (asyncio.gather)."""
        return [m for m in self.ordered(language)
                if self.one_thread(m) and self.concurrency(m) == "N"]

    def baseline(self, language: str) -> str | None:
        """The first one-thread model of `language` that runs one task at a time."""
        return next((m for m in self.ordered(language)
                     if self.one_thread(m) and self.concurrency(m) == "1"
                     and self.models[m].parallelism in ("", "1")), None)

    def named(self, cpp_name: str, language: str) -> str | None:
        """The model of `language` that is `cpp_name` or names it as its twin."""
        return next((m for m in self.ordered(language)
                     if m == cpp_name or self.models[m].twin == cpp_name), None)


def rows_at(series: Iterable[Series], **axes: int) -> list[Series]:
    """The rows of every model whose name has these axis values."""
    return [s for s in series if all(s.key.get(k) == v for k, v in axes.items())]


def rows_of(series: Iterable[Series], model: str | None, **axes: int) -> list[Series]:
    """The rows of `model` (none when there is no such model) at these axis values."""
    return [s for s in rows_at(series, **axes) if model is not None and s.key["model"] == model]


def fastest(series: Iterable[Series]) -> Series | None:
    return min(series, key=lambda s: s.median_ms, default=None)


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"


def times(value: float) -> str:
    return f"{value:.2f}x"


def task_count(n: int) -> str:
    return f"{n:,}".replace(",", " ")


def span(values: list[float]) -> str:
    """"lo-hi" with two decimals, or one number when they print alike."""
    lo, hi = f"{min(values):.2f}", f"{max(values):.2f}"
    return lo if lo == hi else f"{lo}-{hi}"


def paired_speedup(s: Series, serial: Series | None) -> float | None:
    """The row's paired speedup counter, else the baseline's median time / the row's."""
    values = s.counters.get("speedup")
    if values:
        return statistics.median(values)
    return serial.median_ms / s.median_ms if serial is not None else None


def speedups_over_serial(ev: Evidence, rows: list[Series]) -> list[tuple[Series, float]]:
    """cpu_hash rows with their speedup over the one-at-a-time model of their
    language at the same size (the paired counter where the rows carry it)."""
    result = []
    for s in rows:
        serial = fastest(rows_of(ev.cpu, ev.baseline(ev.language(s.key["model"])),
                                 tasks=s.key["tasks"], bytes=s.key["bytes"],
                                 rounds=s.key["rounds"]))
        up = paired_speedup(s, serial)
        if up is not None:
            result.append((s, up))
    return result


def main_sleep(series: list[Series]) -> int | None:
    """The sleep length most rows have (the io_sleep grid uses one)."""
    sleeps = [s.key["sleep_us"] for s in series]
    return max(set(sleeps), key=sleeps.count) if sleeps else None


# --------------------------------------------------------------------------- claims

@dataclass
class Verdict:
    status: str  # HOLDS, FAILS or NOT_MEASURED
    figures: list[str]
    note: str = ""  # a qualifier shown after the verdict


@dataclass(frozen=True)
class Claim:
    number: int
    text: str
    judge: Callable[[Evidence], Verdict]
    shown_by: tuple[str, ...]  # chart stems (timeline_* for traces)


def not_measured(why: str) -> Verdict:
    return Verdict(NOT_MEASURED, [f"not measured in this run: {why}"])


def combine(parts: list[tuple[bool | None, list[str]]], missing: str) -> Verdict:
    """A verdict from parts that each hold (True), fail (False) or were not
    measured (None): holds when every measured part holds."""
    measured = [ok for ok, _ in parts if ok is not None]
    figures = [f if ok is not None or f.startswith("not measured") else
               f"not measured in this run: {f}" for ok, fs in parts for f in fs]
    if not measured:
        return Verdict(NOT_MEASURED, figures or [f"not measured in this run: {missing}"])
    return Verdict(HOLDS if all(measured) else FAILS, figures)


def claim_concurrency_not_parallelism(ev: Evidence) -> Verdict:
    """Claim 1: the gathering loop has every task in flight (peak_inflight = N)
    and never more than one CPU busy, nor a speedup, on cpu_hash."""
    loops = ev.gathering_loops()
    if not loops:
        return not_measured("no event loop that starts every task at once")
    parts: list[tuple[bool | None, list[str]]] = []
    for loop in loops:
        io = [s for s in rows_of(ev.io, loop) if s.counter("peak_inflight") is not None]
        if io:
            top = max(io, key=lambda s: s.key["tasks"])
            reached = all(s.counter("peak_inflight") >= s.key["tasks"] - 0.5 for s in io)
            parts.append((reached, [
                f"{loop}: {task_count(int(top.counter('peak_inflight')))} sleeping tasks in flight "
                f"at once for N = {task_count(top.key['tasks'])} (peak_inflight"
                + (" = N at every N)" if reached else " below N at some N)")]))
        cpu = rows_of(ev.cpu, loop)
        par = [s.counter("parallelism") for s in cpu if s.counter("parallelism") is not None]
        ups = [up for _, up in speedups_over_serial(ev, cpu)]
        if par or ups:
            ok = all(p <= NOT_PARALLEL for p in par) and all(u <= NOT_PARALLEL for u in ups)
            text = f"{loop} hashing:"
            text += f" CPU/wall {span(par)}" if par else ""
            text += f", speedup {span(ups)}x" if ups else ""
            sizes = len({(s.key["bytes"], s.key["rounds"]) for s in cpu})
            parts.append((ok, [text + f" at {sizes} message size{'s' if sizes > 1 else ''}"]))
    if not any(rows_of(ev.io, m) for m in loops):
        parts.append((None, ["io_sleep: no rows of an event loop"]))
    if not any(rows_of(ev.cpu, m) for m in loops):
        parts.append((None, ["cpu_hash: no rows of an event loop"]))
    return combine(parts, "no io_sleep or cpu_hash rows of an event loop")


def max_overlap(trace: Trace) -> int:
    """The most tasks of a trace in flight at one instant."""
    edges = sorted([(e.ts, 1) for e in trace.events] + [(e.ts + e.dur, -1) for e in trace.events],
                   key=lambda x: (x[0], x[1]))
    now = best = 0
    for _, step in edges:
        now += step
        best = max(best, now)
    return best


def in_turn_vs_gathered(ev: Evidence, language: str) -> tuple[bool | None, list[str]]:
    """Claim 2 for one language: io_sleep rows at the largest N both ran."""
    seq, loops = ev.named(SEQUENTIAL_LOOP, language), ev.gathering_loops(language)
    if seq is None or not loops:
        return None, []
    loop = loops[0]
    t = main_sleep(rows_of(ev.io, seq))
    common = sorted({s.key["tasks"] for s in rows_of(ev.io, seq, sleep_us=t)}
                    & {s.key["tasks"] for s in rows_of(ev.io, loop, sleep_us=t)} - {1})
    if not common:
        return None, [f"{seq} against {loop}: no task count above 1 that both ran"]
    n = common[-1]
    a = fastest(rows_of(ev.io, seq, tasks=n, sleep_us=t)).median_ms
    b = fastest(rows_of(ev.io, loop, tasks=n, sleep_us=t)).median_ms
    ok = a >= IN_TURN * n * t / 1000 and b <= OVERLAP * a
    return ok, [f"{n} waits of {t / 1000:g} ms: {ms(a)} awaited in turn ({seq}; N × T = "
                f"{ms(n * t / 1000)}), {ms(b)} gathered ({loop})"]


def waits(ev: Evidence, scenario: str) -> bool:
    """Whether a timeline scenario's tasks wait: not when it is named after a
    workload whose every row has sleep_us 0 (pure hashing has nothing to overlap)."""
    rows = [s for f in ev.files for s in f.series.values()
            if s.key and s.key["workload"] == scenario]
    return not rows or any(s.key["sleep_us"] > 0 for s in rows)


def traced_in_turn(ev: Evidence) -> list[tuple[bool | None, list[str]]]:
    """Claim 2 from the timelines of tasks that wait: the sequential loop's
    tasks never overlap, the gathering loop's do."""
    parts = []
    by_scenario: dict[str, dict[str, Trace]] = {}
    for t in ev.traces:
        by_scenario.setdefault(t.scenario, {})[t.model] = t
    for scenario, traces in sorted(by_scenario.items(), key=lambda kv: (len(kv[1]), kv[0])):
        seq = next((m for m in traces if ev.named(SEQUENTIAL_LOOP, ev.language(m)) == m), None)
        loop = next((m for m in traces if m in ev.gathering_loops()), None)
        if (seq is None or loop is None or ev.language(seq) != ev.language(loop)
                or not waits(ev, scenario)):
            continue
        a, b = traces[seq], traces[loop]
        ok = max_overlap(a) == 1 and max_overlap(b) > 1 and b.wall_ms < a.wall_ms
        parts.append((ok, [f"timeline {scenario}: {ms(a.wall_ms)} awaited in turn (at most "
                           f"{max_overlap(a)} task at once), {ms(b.wall_ms)} gathered "
                           f"({max_overlap(b)} at once)"]))
    return parts[:2]


def claim_in_turn_vs_gather(ev: Evidence) -> Verdict:
    """Claim 2: awaiting in sequence runs tasks one after another; gather overlaps."""
    parts = [in_turn_vs_gathered(ev, lang) for lang in ev.languages()]
    return combine(parts + traced_in_turn(ev),
                   "no sequential and gathering event loop rows or traces side by side")


def family_bests(ev: Evidence, rows: list[Series], key: Callable[[Series], float | None],
                 higher: bool) -> dict[str, tuple[float, Series]]:
    """Per family of parallel models, the best value of `key` among `rows`."""
    best: dict[str, tuple[float, Series]] = {}
    for s in rows:
        value = key(s)
        if value is None or not ev.parallel(s.key["model"]):
            continue
        fam = ev.family(s.key["model"])
        if fam not in best or (value > best[fam][0] if higher else value < best[fam][0]):
            best[fam] = (value, s)
    return best


def io_for_the_loop(ev: Evidence, language: str) -> tuple[bool | None, list[str]]:
    """Claim 3, IO half: the gathering loop against the best threads and the best
    processes at 1000 tasks (else the largest N they share)."""
    loops = ev.gathering_loops(language)
    if not loops:
        return None, []
    loop = loops[0]
    t = main_sleep(rows_of(ev.io, loop))
    same_language = set(ev.ordered(language))
    others = [s for s in rows_at(ev.io, sleep_us=t)
              if s.key["model"] in same_language and ev.parallel(s.key["model"])]
    common = {s.key["tasks"] for s in rows_of(ev.io, loop, sleep_us=t)} & {
        s.key["tasks"] for s in others}
    if not common:
        return None, []
    n = 1000 if 1000 in common else max(common)
    ours = fastest(rows_of(ev.io, loop, tasks=n, sleep_us=t))
    best = family_bests(ev, [s for s in others if s.key["tasks"] == n], lambda s: s.median_ms,
                        higher=False)
    rivals = "; ".join(f"fastest on {FAMILY_WORDS[f]}: {ev.models.label(s.key)} {ms(v)}"
                       for f, (v, s) in sorted(best.items()))
    # The loop wins only where its interval lies wholly below every rival's.
    tied = [s for _, s in best.values() if overlaps(interval95(ours.times_ms),
                                                     interval95(s.times_ms))]
    figures = [f"{task_count(n)} waits of {t / 1000:g} ms: {loop} {ms(ours.median_ms)}; {rivals}"]
    if tied:
        figures.append("tied within the 95% intervals with "
                       + ", ".join(ev.models.label(s.key) for s in tied))
    wins = ours.median_ms < min(v for v, _ in best.values()) and not tied
    return wins, figures


def cpu_for_processes(ev: Evidence, language: str) -> tuple[bool | None, list[str]]:
    """Claim 3, CPU half: speedups at W = usable CPUs on the largest message:
    the processes (else any parallel family) clearly above the loop."""
    loops = ev.gathering_loops(language)
    if not loops:
        return None, []
    loop = loops[0]
    mine = rows_of(ev.cpu, loop)
    sizes = {(s.key["bytes"], s.key["rounds"]) for s in mine}
    same_language = set(ev.ordered(language))
    parallel = [s for s in ev.cpu if s.key["model"] in same_language
                and ev.parallel(s.key["model"]) and (s.key["bytes"], s.key["rounds"]) in sizes]
    if not parallel:
        return None, []
    b, r = max((s.key["bytes"], s.key["rounds"]) for s in parallel)
    at = [s for s in parallel if (s.key["bytes"], s.key["rounds"]) == (b, r)]
    ws = sorted({s.key["workers"] for s in at})
    w = ev.cores if ev.cores in ws else max([x for x in ws if x <= ev.cores] or ws)
    serial = fastest(rows_of(ev.cpu, ev.baseline(language), bytes=b, rounds=r))
    loop_up = paired_speedup(fastest(rows_of(mine, loop, bytes=b, rounds=r)), serial)
    def credible(s: Series) -> float | None:
        # A speedup above the usable CPUs is a measurement fault, never a winner.
        value = paired_speedup(s, serial)
        return value if value is not None and value <= ev.cores else None

    best = family_bests(ev, [s for s in at if s.key["workers"] == w], credible, higher=True)
    if loop_up is None or not best:
        return None, []
    size = f"{b // 1024} KiB" if b >= 1024 and b % 1024 == 0 else f"{b} B"
    rivals = ", ".join(f"{FAMILY_WORDS[f]} {times(v)} ({ev.models.label(s.key)})"
                       for f, (v, s) in sorted(best.items()))
    winner = best.get("processes") or max(best.values(), key=lambda vs: vs[0])
    figures = [f"{size} hashing on W = {w} ({ev.cores} usable CPUs): {loop} {times(loop_up)}, "
               f"{rivals}"]
    if "threads" in best and "processes" in best:
        threads, processes = best["threads"][1], best["processes"][1]
        if overlaps(interval95(threads.counters.get("speedup", [])),
                    interval95(processes.counters.get("speedup", []))):
            figures.append(f"in {language}, threads and processes tied here within their 95% "
                           f"intervals ({times(best['threads'][0])} against "
                           f"{times(best['processes'][0])})")
        elif best["threads"][0] >= best["processes"][0]:
            figures.append(f"in {language}, threads did better than processes here "
                           f"({times(best['threads'][0])} against {times(best['processes'][0])})")
    return winner[0] >= CLEARLY * loop_up, figures


def claim_io_loop_cpu_processes(ev: Evidence) -> Verdict:
    """Claim 3: an event loop for IO, processes for CPU."""
    parts = []
    for lang in ev.languages():
        parts += [io_for_the_loop(ev, lang), cpu_for_processes(ev, lang)]
    return combine(parts, "no event loop beside thread or process models on io_sleep or cpu_hash")


def blocking_stalls(ev: Evidence, language: str) -> tuple[bool | None, list[str]]:
    """Claim 4 for one language: at N = 100 (else the largest N all three ran)."""
    blocking, serial = ev.named(BLOCKING_LOOP, language), ev.baseline(language)
    loops = ev.gathering_loops(language)
    if blocking is None or serial is None or not loops:
        return None, []
    t = main_sleep(rows_of(ev.io, blocking))
    ns = [{s.key["tasks"] for s in rows_of(ev.io, m, sleep_us=t)}
          for m in (blocking, serial, loops[0])]
    common = sorted(set.intersection(*ns) - {1})
    if not common:
        return None, [f"{blocking}, {serial} and {loops[0]}: no task count above 1 that all ran"]
    n = 100 if 100 in common else common[-1]
    a, b, c = (fastest(rows_of(ev.io, m, tasks=n, sleep_us=t)).median_ms
               for m in (blocking, serial, loops[0]))
    ok = a >= IN_TURN * b and c <= OVERLAP * a
    return ok, [f"{n} tasks that wait {t / 1000:g} ms with a blocking call: {ms(a)} "
                f"({blocking}); serial {ms(b)} ({serial}); with a timer, gathered: {ms(c)} "
                f"({loops[0]})"]


def claim_blocking_call_stalls(ev: Evidence) -> Verdict:
    return combine([blocking_stalls(ev, lang) for lang in ev.languages()],
                   "no blocking event loop beside serial and a gathering loop on io_sleep")


def claim_parallelism_needs_workers(ev: Evidence) -> Verdict:
    """Claim 5: on cpu_hash the highest CPU/wall of each family and language;
    one thread stays at one CPU, threads or processes go above PARALLEL."""
    if ev.cores < 2:
        return not_measured(f"{ev.cores} usable CPU: nothing can run in parallel here")
    best: dict[tuple[str, str], Series] = {}
    for s in ev.cpu:
        p = s.counter("parallelism")
        group = (ev.language(s.key["model"]), ev.family(s.key["model"]))
        if p is not None and (group not in best or p > best[group].counter("parallelism")):
            best[group] = s
    if not best:
        return not_measured("no cpu_hash rows with a parallelism counter")
    figures, single, multi = [], [], []
    for (lang, fam), s in sorted(best.items(), key=lambda kv: (kv[0][0] != "c++", kv[0][1])):
        p = s.counter("parallelism")
        figures.append(f"{lang} {FAMILY_WORDS.get(fam, fam)}: CPU/wall {p:.2f} "
                       f"({ev.models.label(s.key)}, {s.key['bytes']} B)")
        (single if fam == "one_thread" else multi).append(p)
    if not multi:
        return Verdict(NOT_MEASURED, figures + ["no thread or process model on cpu_hash"])
    ok = all(p <= NOT_PARALLEL for p in single) and max(multi) >= PARALLEL
    return Verdict(HOLDS if ok else FAILS, figures)


def claim_one_thread_avoids_races(ev: Evidence) -> Verdict:
    """Claim 6: lost updates of shared_counter per model, lock and wait."""
    if not ev.counter:
        return not_measured("no shared_counter rows")
    per_model: dict[str, dict[tuple[int, int], float]] = {}
    for s in ev.counter:
        lost = s.counter("lost_updates")
        if lost is not None:
            cells = per_model.setdefault(s.key["model"], {})
            cfg = (s.key.get("lock", 0), s.key.get("wait", 0))
            cells[cfg] = max(lost, cells.get(cfg, 0.0))  # the worst over task counts
    loops = [m for m in ev.gathering_loops() if m in per_model]
    if not loops:
        return not_measured("no shared_counter rows of an event loop that starts every task")
    figures = []
    for m in ev.models.ordered(per_model)[:8]:
        cells = ", ".join(f"lock {lk} wait {wt}: {lost:g}"
                          for (lk, wt), lost in sorted(per_model[m].items()))
        figures.append(f"{m} lost updates: {cells}")
    unlocked = {cfg: lost for m in loops for cfg, lost in per_model[m].items() if cfg[0] == 0}
    races = {cfg for cfg, lost in unlocked.items() if lost > 0}
    if not races:
        return Verdict(HOLDS, figures)
    note = ("holds only while no task awaits between reading and writing"
            if all(wt == 1 for _, wt in races) and (0, 0) in unlocked else "")
    return Verdict(FAILS, figures, note)


def claim_asyncio_faster(ev: Evidence) -> Verdict:
    """Claim 7: Python's gathering loop against Python's serial model: faster
    on waits, not on hashing."""
    loops, serial = ev.gathering_loops("python"), ev.baseline("python")
    if not loops or serial is None:
        return not_measured("no Python result files (py_*.json)")
    loop = loops[0]
    parts: list[tuple[bool | None, list[str]]] = []
    t = main_sleep(rows_of(ev.io, loop))
    common = sorted({s.key["tasks"] for s in rows_of(ev.io, loop, sleep_us=t)}
                    & {s.key["tasks"] for s in rows_of(ev.io, serial, sleep_us=t)} - {1})
    if common:
        n = common[-1]
        a = fastest(rows_of(ev.io, serial, tasks=n, sleep_us=t)).median_ms
        b = fastest(rows_of(ev.io, loop, tasks=n, sleep_us=t)).median_ms
        parts.append((a / b > 1 / OVERLAP, [f"{n} waits of {t / 1000:g} ms: {loop} {ms(b)}, "
                                            f"{serial} {ms(a)} ({times(a / b)} faster)"]))
    else:
        parts.append((None, [f"io_sleep: no task count above 1 that both {loop} and {serial} "
                             "ran"]))
    cpu = [(s.key["bytes"], up) for s, up in speedups_over_serial(ev, rows_of(ev.cpu, loop))]
    if cpu:
        parts.append((all(up > NOT_PARALLEL for _, up in cpu), [
            f"hashing: {loop} against {serial}: " + ", ".join(f"{times(up)} at {b} B"
                                                             for b, up in sorted(cpu))]))
    else:
        parts.append((None, [f"cpu_hash: no rows of both {loop} and {serial}"]))
    verdict = combine(parts, f"no io_sleep or cpu_hash rows of both {loop} and {serial}")
    if verdict.status == FAILS and parts and parts[0][0] and not all(ok for ok, _ in parts):
        verdict.note = "faster only where tasks wait"
    return verdict


CLAIMS = (
    Claim(1, "An event loop gives concurrency, not parallelism: its tasks take turns on one "
             "thread", claim_concurrency_not_parallelism, ("parallelism", "timeline_cpu_hash")),
    Claim(2, "Awaiting coroutines one after another runs them one after another; only "
             "gathering overlaps their waits", claim_in_turn_vs_gather,
          ("timeline_two_sleepers", "io_sleep_wall")),
    Claim(3, "An event loop shines for IO-bound work; for CPU-bound work use processes",
          claim_io_loop_cpu_processes, ("io_sleep_wall", "cpu_hash_speedup", "mixed_share")),
    Claim(4, "A blocking call inside the loop stalls every other task",
          claim_blocking_call_stalls, ("timeline_io_sleep", "io_sleep_wall")),
    Claim(5, "True parallelism needs multiple processes or threads",
          claim_parallelism_needs_workers, ("parallelism", "cpu_hash_speedup")),
    Claim(6, "Concurrency on one thread avoids race conditions", claim_one_thread_avoids_races,
          ()),
    Claim(7, "asyncio makes Python code more performant", claim_asyncio_faster,
          ("io_sleep_wall", "cpu_hash_speedup")),
)


def judge(claim: Claim, ev: Evidence) -> Verdict:
    """The claim's verdict; a claim that cannot be computed from these files
    says why on the page instead of ending the page."""
    try:
        return claim.judge(ev)
    except (ArithmeticError, KeyError, TypeError, ValueError) as e:
        return Verdict(NOT_MEASURED, [f"could not be computed from these files: "
                                      f"{type(e).__name__}: {one_line(e, 160)}"])


# --------------------------------------------------------------------------- readings

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
}


def describe(ev: Evidence, s: Series) -> str:
    """A row in words: its model (and W), workload and size."""
    return f"{ev.models.label(s.key)}, {s.key['workload']} {size_label(s.key, skip=('workers',))}"


def us(value: float) -> str:
    return f"{value:,.0f} µs".replace(",", " ") if abs(value) >= 100 else f"{value:.3g} µs"


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
    }[stem]
    try:
        return WHAT[stem], second()
    except (ArithmeticError, KeyError, TypeError, ValueError):
        return WHAT[stem], ""


# --------------------------------------------------------------------------- html pieces

def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


_SVG_ID = re.compile(r'\bid="([^"]+)"')


def inline_svg(path: Path, prefix: str, title: str) -> str:
    """A matplotlib SVG file as an inline <svg>: no XML prolog, no metadata, its
    global style moved to the page, and its ids prefixed so that the charts of
    one page never share an id."""
    svg = path.read_text(encoding="utf-8")
    svg = svg[svg.index("<svg"):]
    svg = re.sub(r"<metadata>.*?</metadata>", "", svg, count=1, flags=re.S)
    svg = re.sub(r'<style type="text/css">.*?</style>', "", svg, count=1, flags=re.S)
    ids = set(_SVG_ID.findall(svg))
    svg = _SVG_ID.sub(lambda m: f'id="{prefix}{m[1]}"', svg)
    svg = re.sub(r'(href="#|url\(#)([^")]+)',
                 lambda m: m[1] + (prefix + m[2] if m[2] in ids else m[2]), svg)
    return svg.replace("<svg ", f'<svg class="chart" role="img" aria-label="{esc(title)}" ', 1)


# What summary.md uses of Markdown: backslash escapes, the entities &amp; &lt;
# &gt;, code spans of any fence, and **bold**.
_MD_TOKEN = re.compile(r"\\([!-/:-@\[-`{-~])|&(amp|lt|gt);|(`+)(.+?)(?<!`)\3(?!`)|\*\*(.+?)\*\*",
                       re.S)


def md_inline(text: str) -> str:
    """A line of summary.md as HTML. Everything but the Markdown above is
    escaped, so text the summary escaped stays text."""
    out, pos = [], 0
    for m in _MD_TOKEN.finditer(text):
        out.append(esc(text[pos:m.start()]))
        if m[1] is not None:
            out.append(esc(m[1]))
        elif m[2] is not None:
            out.append(f"&{m[2]};")
        elif m[3] is not None:
            code = m[4][1:-1] if len(m[4]) > 2 and m[4][0] == m[4][-1] == " " else m[4]
            out.append(f"<code>{esc(code)}</code>")
        else:
            out.append(f"<strong>{md_inline(m[5])}</strong>")
        pos = m.end()
    out.append(esc(text[pos:]))
    return "".join(out)


def md_cells(line: str) -> list[str]:
    """The cells of a table row; an escaped \\| stays inside its cell."""
    cells, cell, i = [], "", 0
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    while i < len(body):
        c = body[i]
        if c == "\\" and i + 1 < len(body):
            cell += body[i:i + 2]
            i += 2
            continue
        if c == "|":
            cells.append(cell.strip())
            cell = ""
        else:
            cell += c
        i += 1
    if cell.strip():
        cells.append(cell.strip())
    return cells


def markdown_html(md: str) -> str:
    """summary.md as HTML: its tables, ### headings and paragraphs (all it uses)."""
    out: list[str] = []
    table: list[list[str]] = []

    def flush() -> None:
        if table:
            head, body = table[0], [r for r in table[1:] if not all(
                set(c.strip()) <= set("-:") for c in r)]
            out.append('<div class="scroll"><table><thead><tr>'
                       + "".join(f"<th>{md_inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
                       + "".join("<tr>" + "".join(f"<td>{md_inline(c)}</td>" for c in r) + "</tr>"
                                 for r in body) + "</tbody></table></div>")
            table.clear()

    for line in md.splitlines():
        line = line.strip()
        if line.startswith("|"):
            table.append(md_cells(line))
            continue
        flush()
        if line.startswith("### "):
            out.append(f"<h3>{md_inline(line[4:])}</h3>")
        elif line:
            out.append(f"<p>{md_inline(line)}</p>")
    flush()
    return "\n".join(out)


def table_html(header: list[str], rows: list[list[str]], row_classes: list[str] | None = None
               ) -> str:
    """A table of already escaped cells."""
    classes = row_classes or [""] * len(rows)
    body = "".join(f'<tr class="{c}">' + "".join(f"<td>{cell}</td>" for cell in r) + "</tr>"
                   for r, c in zip(rows, classes))
    return ('<div class="scroll"><table><thead><tr>' + "".join(f"<th>{h}</th>" for h in header)
            + f"</tr></thead><tbody>{body}</tbody></table></div>")


def verdict_badge(v: Verdict) -> str:
    cls = {HOLDS: "holds", FAILS: "fails"}.get(v.status, "unmeasured")
    note = f'<br><span class="note">{esc(v.note)}</span>' if v.note else ""
    return f'<span class="verdict {cls}">{esc(v.status)}</span>{note}'


# --------------------------------------------------------------------------- sections

QUESTION = (
    "Does an event loop run in parallel? An event loop (asyncio, libuv, uvloop) keeps many "
    "tasks in flight on one thread: while one task waits, another runs. That is concurrency, "
    "tasks overlapping in time. Parallelism is tasks running at the same instant on different "
    "cores, which takes several threads or processes. This page measures, on the machine that "
    "ran it, where a single-threaded event loop wins, where threads win and where processes "
    "win, and by how much: the same workloads (tasks that wait, tasks that hash with SHA-256, "
    "and a mix) under every execution model, with the claims commonly made about asyncio "
    "judged from the numbers of this run.")


def section(anchor: str, title: str, body: str) -> str:
    return f'<section id="{anchor}">\n<h2>{esc(title)}</h2>\n{body}\n</section>'


def answer_section(ev: Evidence, charts: set[str]) -> str:
    rows, classes = [], []
    for claim in CLAIMS:
        v = judge(claim, ev)
        figures = "<ul>" + "".join(f"<li>{esc(f)}</li>" for f in v.figures) + "</ul>"
        links = ", ".join(f'<a href="#chart-{esc(s)}">{esc(s)}</a>' for s in claim.shown_by
                          if s in charts) or "—"
        rows.append([str(claim.number), esc(claim.text), verdict_badge(v), figures, links])
        classes.append(f"claim claim-{claim.number}")
    intro = ("<p>The common explanations of asyncio make these claims. Each verdict and figure "
             "below is computed from the result files of this run, not copied from the "
             "README: medians over repetitions.</p>")
    return section("answer", "The answer, measured on this run", intro + table_html(
        ["#", "claim", "verdict", "measured on this run", "shown by"], rows, classes))


def figure(stem: str, svg_path: Path, ev: Evidence, index: int) -> str:
    what, this_run = reading(stem, ev)
    svg = inline_svg(svg_path, f"c{index}-", stem)
    return (f'<figure id="chart-{esc(stem)}">\n{svg}\n<figcaption><strong>{esc(stem)}</strong>: '
            f"{esc(what)}<br>{esc(this_run)}</figcaption>\n</figure>")


def chart_order(stems: Iterable[str], known: tuple[str, ...]) -> list[str]:
    stems = set(stems)
    first = [s for s in known if s in stems]
    return first + sorted(s for s in stems if s not in known and not s.startswith("timeline_"))


def charts_section(stems: list[str], folder: Path, ev: Evidence) -> str:
    if not stems:
        return section("charts", "Charts", "<p>No chart could be drawn from these files.</p>")
    body = "\n".join(figure(s, folder / f"{s}.svg", ev, i) for i, s in enumerate(stems))
    return section("charts", "Charts", "<p>Points are medians; bars span the fastest to the "
                   "slowest repetition.</p>\n" + body)


def timelines_section(ev: Evidence, folder: Path, out: Path, first_index: int) -> str:
    scenarios = sorted({t.scenario for t in ev.traces})
    if not scenarios:
        return section("timelines", "Timelines", "<p>No timeline trace in these files.</p>")
    parts = ['<p>Each trace is a Chrome trace event file: open '
             '<code>ui.perfetto.dev</code> in a browser, choose <em>Open trace file</em> and '
             'pick the file (or load it in <code>chrome://tracing</code>); each task is one '
             'slice on the process and thread that ran it.</p>']
    order = {m: i for i, m in enumerate(ev.models.ordered())}
    for i, scenario in enumerate(scenarios):
        traces = sorted((t for t in ev.traces if t.scenario == scenario),
                        key=lambda t: order.get(t.model, len(order)))
        rows = [[esc(t.scenario), esc(t.model), esc(FAMILY_WORDS.get(ev.family(t.model), "?")),
                 str(t.workers), str(len(t.events)), esc(ms(t.wall_ms)),
                 f'<a href="{esc(relative(t.path, out))}"><code>{esc(relative(t.path, out))}'
                 "</code></a>"] for t in traces]
        parts.append(f'<h3 id="scenario-{esc(scenario)}">{esc(scenario)}</h3>')
        parts.append(table_html(["scenario", "model", "runs on", "workers", "tasks", "wall",
                                 "trace file"], rows))
        svg = folder / f"timeline_{scenario}.svg"
        if svg.exists():
            parts.append(figure(f"timeline_{scenario}", svg, ev, first_index + i))
    return section("timelines", "Timelines: overlap versus simultaneity", "\n".join(parts))


def relative(path: Path, out: Path) -> str:
    try:
        return os.path.relpath(path.resolve(), out.resolve())
    except ValueError:  # another drive
        return str(path)


def summary_section(summary: str | None) -> str:
    if not summary:
        return section("summary", "Summary", "<p>No cvpbench benchmark rows in these files: "
                       "nothing to summarise.</p>")
    return section("summary", "Summary (results/summary.md)", markdown_html(summary))


CONTEXT_KEYS = (
    ("host_name", "host"), ("cpus_usable", "CPUs usable"), ("num_cpus", "CPUs online"),
    ("cpus_affinity", "CPUs in the affinity mask"), ("cpus_cgroup_quota", "cgroup CPU quota"),
    ("mhz_per_cpu", "MHz per CPU"), ("cvp_profile", "profile"),
    ("cvpbench_version", "cvpbench"), ("libuv_version", "libuv"), ("tbb_version", "oneTBB"),
    ("openssl_version", "OpenSSL"), ("uv_threadpool_size", "UV_THREADPOOL_SIZE"),
    ("tbb_default_concurrency", "TBB default concurrency"), ("timer_slack_ns", "timer slack (ns)"),
    ("python_implementation", "Python"), ("python_version", "Python version"),
    ("python_gil", "GIL"), ("uvloop_version", "uvloop"),
    ("library_build_type", "Google Benchmark library build (Debian's, not this project's)"),
)


def context_values(files: list[ResultFile], key: str, out: Path) -> str:
    """One value, or each value with the files that have it."""
    values: dict[str, list[str]] = {}
    for f in files:
        if key in f.context:
            values.setdefault(one_line(f.context[key], 120), []).append(relative(f.path, out))
    if len(values) == 1:
        return esc(next(iter(values)))
    return "<br>".join(f"{esc(v)} <small>({esc(', '.join(names))})</small>"
                       for v, names in values.items())


def context_section(files: list[ResultFile], out: Path) -> str:
    rows = [[esc(label), context_values(files, key, out)] for key, label in CONTEXT_KEYS
            if any(key in f.context for f in files)]
    machine = table_html(["", "value"], rows) if rows else "<p>The files carry no context.</p>"
    per_file, classes = [], []
    for f in files:
        noisy = sorted(s.name for s in f.series.values() if s.noisy)
        load = ("loaded: " if f.loaded else "") + f.load_note()
        per_file.append([f"<code>{esc(relative(f.path, out))}</code>",
                         esc(f.harness or "—"), esc(f.context.get("cvp_language", "—")),
                         esc(f.context.get("cvp_profile", "—")),
                         esc(f.context.get("date", "—")),
                         esc(load), str(len(f.series)),
                         f"{len(noisy)} †" if noisy else "0", str(len(f.errors))])
        classes.append("loaded" if f.loaded or noisy else "")
    files_table = table_html(["file", "harness", "language", "profile", "date",
                              "other load during the run (cvp_load)", "benchmarks",
                              "noisy rows", "rows in error"], per_file, classes)
    flagged = [(f, s.name) for f in files for s in f.series.values() if s.noisy]
    notes = []
    if any(f.loaded for f in files):
        notes.append("<p><strong>Run under load:</strong> a file marked loaded was measured while "
                     "other work kept the machine busy; its times may be slow and its speedups "
                     "low.</p>")
    if flagged:
        items = "".join(f"<li><code>{esc(n)}</code> <small>({esc(f.path.name)})</small></li>"
                        for f, n in flagged[:200])
        notes.append(f"<details><summary>† {len(flagged)} noisy rows (coefficient of variation "
                     f"above 5% or paired speedups spread over 10%)</summary><ul>{items}</ul>"
                     "</details>")
    errors = [f"{f.path.name}: {e}" for f in files for e in f.errors]
    if errors:
        notes.append("<details><summary>" + f"{len(errors)} rows in error, left out</summary><ul>"
                     + "".join(f"<li>{esc(e)}</li>" for e in errors[:200]) + "</ul></details>")
    return section("context", "Machine and software", machine + files_table + "\n".join(notes))


# --------------------------------------------------------------------------- comparison

@dataclass
class Comparison:
    old: Path
    new: Path
    changes: list  # compare.Change
    gate_code: int
    gate_text: str
    geomean_pct: float
    context_diffs: list[str]
    chart_svg: Path | None


def previous_of(paths: list[Path]) -> tuple[Path, Path] | None:
    """(previous/, the folder it is in) for the first input folder that keeps one."""
    for p in paths:
        if p.is_dir() and (p / "previous").is_dir():
            return p / "previous", p
    return None


def compare_runs(old: Path, new: Path, scratch: Path) -> Comparison:
    """compare.py's verdicts, gate and chart at its default threshold."""
    # Imported here: compare imports plot, which imports this module, and scipy
    # is needed only when there is a previous run.
    import compare

    old_files, new_files = compare.load_side(old), compare.load_side(new)
    before, after = compare.merged(old_files), compare.merged(new_files)
    common = sorted(n for n in after if n in before)
    if not common:
        raise InputError(f"{old} and {new} have no benchmark in common")
    changes, _ = compare.changes_between(before, after, common, "auto", COMPARE_THRESHOLD_PCT,
                                         COMPARE_ALPHA)
    said = textio.StringIO()
    with contextlib.redirect_stderr(said):
        code = compare.gate(changes, COMPARE_THRESHOLD_PCT)
    svg = next((p for p in compare.chart(changes, scratch / "compare", COMPARE_THRESHOLD_PCT,
                                         "auto") if p.suffix == ".svg"), None)
    return Comparison(old=old, new=new, changes=changes, gate_code=code,
                      gate_text=said.getvalue().strip(),
                      geomean_pct=compare.geomean_change_pct(changes),
                      context_diffs=compare.context_differences(old_files, new_files),
                      chart_svg=svg)


def comparison_section(c: Comparison, out: Path) -> str:
    import compare

    order = {"slower": 0, "faster": 1, "no change": 2}
    changes = sorted(c.changes, key=lambda x: (order.get(x.direction, 3), x.name))
    rows, classes = [], []
    for x in changes:
        ci = (f"[{x.ci_low_pct:+.1f}%, {x.ci_high_pct:+.1f}%]" if x.ci_low_pct is not None
              else "—")
        verdict = x.verdict + ("" if x.reliable or not x.tested else " ?")
        def value(v: float) -> str:
            return compare.scaled_time(v) if x.metric == "time" else f"{v:.4g}"

        mdc = "—" if x.detectable_pct is None else f"±{x.detectable_pct:.1f}%"
        rows.append([f"<code>{esc(x.name)}</code>", esc(x.metric), esc(value(x.old_median)),
                     esc(value(x.new_median)), f"{x.change_pct:+.1f}%", esc(ci), esc(mdc),
                     "—" if x.p_value is None else f"{x.p_value:.3g}", esc(verdict)])
        classes.append("change-" + x.direction.replace(" ", "-"))
    counts = {v: sum(x.direction == v for x in c.changes) for v in order}
    gate = (f"passes (exit 0): no benchmark slower by more than {COMPARE_THRESHOLD_PCT:g}%"
            if c.gate_code == 0 else f"fails (exit {c.gate_code})")
    parts = [f"<p>Previous run <code>{esc(c.old)}</code> against this run "
             f"<code>{esc(c.new)}</code>, by <code>compare.py</code> at its "
             f"defaults (threshold {COMPARE_THRESHOLD_PCT:g}%, alpha {COMPARE_ALPHA:g}): "
             f"{len(c.changes)} benchmarks, {counts['slower']} slower, {counts['faster']} "
             f"faster, {counts['no change']} no change; geometric mean change "
             f"{c.geomean_pct:+.2f}%.</p>",
             f'<p class="gate gate-{"pass" if c.gate_code == 0 else "fail"}">Gate '
             f"(<code>--fail-on-regression {COMPARE_THRESHOLD_PCT:g}</code>): {esc(gate)}</p>"]
    if c.gate_text:
        parts.append(f"<pre>{esc(c.gate_text)}</pre>")
    if c.context_diffs:
        parts.append("<p>Context differences: " + "; ".join(esc(d) for d in c.context_diffs)
                     + "</p>")
    if c.chart_svg is not None:
        parts.append('<figure id="chart-compare">' + inline_svg(c.chart_svg, "cmp-", "compare")
                     + "<figcaption><strong>compare</strong>: each benchmark's change in its "
                     "paired speedup, else its vs_limit, else its median wall time, with its "
                     "95% interval; green faster, red slower, grey no "
                     "significant change.<br>This run against the previous one: "
                     f"{counts['slower']} slower, {counts['faster']} faster.</figcaption>"
                     "</figure>")
    parts.append(table_html(["benchmark", "compared on", "previous", "this run", "change",
                             "95% CI", "detectable", "p", "verdict"], rows, classes))
    return section("comparison", "This run against the previous one", "\n".join(parts))


# --------------------------------------------------------------------------- page

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;
  margin:0 auto;max-width:1180px;padding:1em 1.5em;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;
  margin-top:1.6em}
table{border-collapse:collapse;font-size:.86em;margin:.6em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;vertical-align:top;text-align:left}
th{background:#f0f0f0}td ul{margin:0;padding-left:1.1em}
.scroll{overflow-x:auto}
.verdict{font-weight:bold;padding:.1em .45em;border-radius:.3em;white-space:nowrap}
.verdict.holds{background:#d6f0d6;color:#135e13}.verdict.fails{background:#f8d4d4;color:#8a1414}
.verdict.unmeasured{background:#e6e6e6;color:#555}.note{font-size:.85em;color:#555}
figure{margin:1.4em 0;border-top:1px solid #eee;padding-top:.6em}
figcaption{font-size:.9em;color:#333;max-width:60em}
svg.chart{display:block;max-width:100%;height:auto}
svg.chart *{stroke-linejoin:round;stroke-linecap:butt}
tr.change-slower td{background:#fbe1e1}tr.change-faster td{background:#e1f5e1}
tr.change-no-change td{color:#666}tr.loaded td{background:#fff6dd}
.gate-pass{color:#135e13;font-weight:bold}.gate-fail{color:#8a1414;font-weight:bold}
code{font-size:.92em}nav a{margin-right:.8em}
"""

SECTIONS = (("question", "Question"), ("answer", "Answer"), ("charts", "Charts"),
            ("timelines", "Timelines"), ("summary", "Summary"), ("context", "Machine"),
            ("comparison", "Comparison"))


def page(body: list[str], title: str, has_comparison: bool) -> str:
    nav = " ".join(f'<a href="#{a}">{t}</a>' for a, t in SECTIONS
                   if a != "comparison" or has_comparison)
    return ("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            f"<title>{esc(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<h1>{esc(title)}</h1>\n<nav>{nav}</nav>\n" + "\n".join(body)
            + "\n</body>\n</html>\n")


def render(ev: Evidence, stems: set[str], known: tuple[str, ...], folder: Path, out: Path,
           summary: str | None, comparison: Comparison | str | None) -> str:
    """The page for charts `stems` (SVG files in `folder`, those in `known`
    first, in that order), to be written into `out`."""
    ctx = next((f.context for f in ev.files if f.harness != "limits"),
               ev.files[0].context if ev.files else {})
    machine = f" on {ctx['host_name']}" if ctx.get("host_name") else ""
    title = f"cvpbench: does an event loop run in parallel? Measured{machine}"
    charts = chart_order([s for s in stems if (folder / f"{s}.svg").exists()], known)
    body = [section("question", "The question", f"<p>{esc(QUESTION)}</p>"),
            answer_section(ev, stems),
            charts_section(charts, folder, ev),
            timelines_section(ev, folder, out, len(charts)),
            summary_section(summary),
            context_section(ev.files, out)]
    if isinstance(comparison, Comparison):
        body.append(comparison_section(comparison, out))
    elif comparison:
        body.append(section("comparison", "This run against the previous one",
                            f"<p>{esc(comparison)}</p>"))
    return page(body, title, comparison is not None)


def write_report(inputs: Inputs, paths: list[Path], staging: Path, stems: set[str],
                 known: tuple[str, ...], out: Path, summary: str | None) -> Path:
    """report.html in `staging` from the charts drawn there (moved into `out`
    with them), with the comparison against previous/ when an input folder has one."""
    ev = Evidence.of(inputs.files, inputs.traces, inputs.models)
    comparison: Comparison | str | None = None
    sides = previous_of(paths)
    with tempfile.TemporaryDirectory(dir=staging) as scratch:
        if sides is not None:
            try:
                comparison = compare_runs(*sides, Path(scratch))
            except InputError as e:
                comparison = f"No comparison with {sides[0]}: {one_line(e, 300)}"
        text = render(ev, stems, known, staging, out, summary, comparison)
    path = staging / REPORT_NAME
    try:
        path.write_bytes(text_bytes(text))
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({one_line(e.strerror or e)})") from None
    return path
