"""The claims about one event loop: concurrency without parallelism (1),
awaiting in turn against gathering (2), a blocking call stalling the loop (4)."""

from __future__ import annotations

from ..reading.series import Trace
from .evidence import Evidence, fastest, main_sleep, rows_of, speedups_over_serial
from .verdicts import (BLOCKING_LOOP, IN_TURN, NOT_PARALLEL, OVERLAP, SEQUENTIAL_LOOP, Verdict,
                       combine, not_measured)
from .words import ms, span, task_count


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
