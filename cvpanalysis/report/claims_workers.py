"""The claims about loops against workers: the loop for IO and processes for
CPU (3), parallelism needing workers (5), races (6), asyncio and Python (7)."""

from __future__ import annotations

from typing import Callable

from ..reading.series import Series
from ..stats.intervals import interval95, overlaps
from .evidence import (Evidence, fastest, main_sleep, paired_speedup, rows_at, rows_of,
                       speedups_over_serial)
from .verdicts import (CLEARLY, FAILS, HOLDS, NOT_MEASURED, NOT_PARALLEL, OVERLAP, PARALLEL,
                       Verdict, combine, not_measured)
from .words import FAMILY_WORDS, ms, task_count, times


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
    # One question: the loop's task count at that size. A row of another N
    # (a side measurement kept in another file) answers a different one.
    loop_tasks = {s.key["tasks"] for s in rows_of(mine, loop, bytes=b, rounds=r)}
    at = [s for s in parallel if (s.key["bytes"], s.key["rounds"]) == (b, r)
          and s.key["tasks"] in loop_tasks]
    ws = sorted({s.key["workers"] for s in at})
    w = ev.cores if ev.cores in ws else max([x for x in ws if x <= ev.cores] or ws)
    serial = fastest([s for s in rows_of(ev.cpu, ev.baseline(language), bytes=b, rounds=r)
                      if s.key["tasks"] in loop_tasks])
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
