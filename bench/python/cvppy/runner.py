"""The runner: repetitions, calibration, pairing and result rows (bench/harness.cpp).

One benchmark is a model with W workers running a workload of N tasks. Its
model is made and prepared (loop, threads or processes) before the clock
and closed after all its repetitions. Each repetition runs the model until
it has been timed for the profile's minimum time (at least once); each run
is wall time around model.run alone, and its digests are checked against
the serial reference after the clock stops: a mismatch, a dead worker or an
exception ends the benchmark with error rows, never a number.
"""

from __future__ import annotations

import math
import random
import statistics
import sys
import time
from dataclasses import dataclass, field
from typing import Callable, Iterable

from cvppy import peak_probe, sysinfo, task_cost
from cvppy.aggregates import aggregates, noise
from cvppy.counters import Sample, counters
from cvppy.models import registry
from cvppy.models.model import Deadline, Model, RunReport
from cvppy.models.serial import SerialModel
from cvppy.text import shown
from cvppy.workloads.workload import Params, Workload

MAX_ITERATIONS = 1000

@dataclass(frozen=True)
class Profile:
    name: str
    repetitions: int
    min_time_s: float


@dataclass(frozen=True)
class Point:
    """One benchmark: a model with W workers running a workload configuration."""

    model: str
    workers: int
    params: Params


@dataclass
class Prepared:
    """What the benchmarks of one workload configuration share: the workload, the serial
    digests, and the calibrated CPU time of one task."""

    workload: Workload
    reference: list[bytes]
    task_cpu_s: float = math.inf


@dataclass
class Outcome:
    """A benchmark's rows and what the progress line says about it."""

    rows: list[dict] = field(default_factory=list)
    failed: bool = False


def params_key(p: Params) -> str:
    """The configuration key of the context's task_cpu_us/<config>, as the C++ harness's."""
    return f"tasks:{p.tasks}/sleep_us:{p.sleep_us}/bytes:{p.bytes}/rounds:{p.rounds}"


def prepare_workloads(points: Iterable[Point],
                      make: Callable[[Params], Workload]) -> dict[Params, Prepared]:
    """One workload and its serial digests per configuration, before any timing."""
    prepared: dict[Params, Prepared] = {}
    for point in points:
        if point.params not in prepared:
            workload = make(point.params)
            prepared[point.params] = Prepared(workload, workload.reference())
    return prepared


def _time_task_batch(w: Workload, at_least_s: float) -> float:
    """Seconds per task of a batch of at least `at_least_s` of w's compute phases."""
    t0 = time.perf_counter()
    done = 0
    while done < 3 or time.perf_counter() - t0 < at_least_s:
        w.compute(done % w.tasks)
        done += 1
    return (time.perf_counter() - t0) / done


def calibrate(prepared: dict[Params, Prepared], batch_s: float = 0.01) -> None:
    """The CPU time of one task's compute phase, as bench/harness.cpp's calibrate:
    10 ms batches over three rounds that visit every configuration in turn, and
    the fastest batch counts (the ideal is a lower bound; a slow batch measures
    interference). Configurations that compute the same thing share one figure."""
    by_compute: dict[tuple[int, int], list[Prepared]] = {}
    for params, prep in prepared.items():
        by_compute.setdefault((params.bytes, params.rounds), []).append(prep)
    best: dict[tuple[int, int], float] = {}
    for key, preps in by_compute.items():
        _time_task_batch(preps[0].workload, batch_s)  # warm-up
        best[key] = math.inf
    for _ in range(3):
        for key, preps in by_compute.items():
            for _ in range(3):
                best[key] = min(best[key], _time_task_batch(preps[0].workload, batch_s))
    for key, preps in by_compute.items():
        for prep in preps:
            prep.task_cpu_s = best[key]


def _cpu_now(model: Model) -> float:
    return sysinfo.cpu_seconds_with_children() + model.worker_cpu_seconds()


def _first_mismatch(got: list[bytes], want: list[bytes]) -> int:
    if len(got) != len(want):
        return 0
    return next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), -1)


class BenchmarkError(RuntimeError):
    """Ends a benchmark: its remaining repetitions are reported as errors."""


def _timed_run(model: Model, serial: SerialModel | None, prep: Prepared,
               deadline: Deadline, probe_target: int = 0) -> Sample:
    serial_s = None
    if serial is not None:
        s0 = time.perf_counter()
        serial.run(deadline)
        serial_s = time.perf_counter() - s0
    prep.workload.before_run()
    cost0 = task_cost.run_start(probe_target)  # outside the clock: /proc read, probe armed
    server0 = prep.workload.server_cpu_seconds()
    cpu0 = _cpu_now(model)
    t0 = time.perf_counter()
    report: RunReport = model.run(deadline)
    t1 = time.perf_counter()
    cpu1 = _cpu_now(model)
    server1 = prep.workload.server_cpu_seconds()
    cost = task_cost.run_cost(cost0)
    # Measure, then check: the comparison is outside the timed region.
    bad = _first_mismatch(report.digests, prep.reference)
    if bad >= 0:
        raise BenchmarkError(f"task {bad}: digest differs from the serial model's")
    server_s = server1 - server0 if server0 is not None and server1 is not None else None
    return Sample(t1 - t0, cpu1 - cpu0, serial_s, report.peak_inflight, report.counter,
                  server_s, cost, report.task_ns)


@dataclass(frozen=True)
class Context:
    """What every benchmark of a run needs besides its point."""

    profile: Profile
    cpus: int
    name: Callable[[Point], str]


def _base_row(name: str, family_index: int, repetitions: int) -> dict:
    return {"name": name, "family_index": family_index, "per_family_instance_index": 0,
            "run_name": name, "run_type": "iteration", "repetitions": repetitions,
            "threads": 1}


def _error_row(name: str, family_index: int, repetitions: int, index: int, message: str) -> dict:
    row = _base_row(name, family_index, repetitions)
    row.update({"repetition_index": index, "iterations": 0, "real_time": 0.0, "cpu_time": 0.0,
                "time_unit": "ms", "error_occurred": True, "error_message": message})
    return row


def _repetition(model: Model, serial: SerialModel | None, prep: Prepared, profile: Profile,
                deadline: Deadline, earlier_peak: int = 0, first_guess: int = 1) -> list[Sample]:
    """Timed runs until min_time; each arms the peak probe at a share of the most tasks
    in flight so far (`earlier_peak` from the benchmark's earlier repetitions)."""
    samples: list[Sample] = []
    timed = 0.0
    while not samples or (timed < profile.min_time_s and len(samples) < MAX_ITERATIONS):
        peak = max([earlier_peak] + [s.peak_inflight for s in samples])
        target = peak_probe.next_target(peak, first_guess)
        samples.append(_timed_run(model, serial, prep, deadline, target))
        timed += samples[-1].wall_s
    return samples


def _close(model: Model) -> str:
    """Closes a model; what went wrong, if anything, as the benchmark's error message."""
    try:
        model.close()
    except Exception as e:  # noqa: BLE001 - a model that cannot close fails its benchmark
        return f"closing {model.name}: {e or type(e).__name__}"
    return ""


class BenchmarkRun:
    """One benchmark, one repetition at a time: the runner interleaves the
    repetitions of every benchmark of a question. Each repetition makes its
    models and closes them, so no two benchmarks' workers are alive at once
    (as in C++, where a benchmark's models are released when another runs)."""

    def __init__(self, ctx: Context, family_index: int, point: Point, prep: Prepared) -> None:
        self.ctx, self.family_index, self.point, self.prep = ctx, family_index, point, prep
        self.name = ctx.name(point)
        self.reps = ctx.profile.repetitions
        self.rows: list[dict] = []
        self.error: str | None = None
        self.peak_inflight = 0  # the most of its runs so far: the peak probe's next target
        w = prep.workload
        self.paired = w.hashes_only
        # Only a hang should reach it: generous for each task and each chunk of a run.
        self.deadline = Deadline(task_s=prep.task_cpu_s + w.wait_s)

    @property
    def finished(self) -> bool:
        """A failure is final: the repetitions after it are error rows, never run."""
        return self.error is not None or len(self.rows) == self.reps

    def repetition(self) -> None:
        """Runs the next repetition, or records why it failed."""
        model: Model | None = None
        serial: SerialModel | None = None
        w = self.prep.workload
        try:
            model = registry.find(self.point.model).make(self.point.workers)
            model.prepare(w)
            if self.paired:
                serial = SerialModel(1)
                serial.prepare(w)
            limits = model.limits(w.tasks, self.ctx.cpus)
            samples = _repetition(model, serial, self.prep, self.ctx.profile, self.deadline,
                                  self.peak_inflight, min(w.tasks, limits.concurrency))
            self.peak_inflight = max([self.peak_inflight] + [s.peak_inflight for s in samples])
            row = _base_row(self.name, self.family_index, self.reps)
            row.update({"repetition_index": len(self.rows), "iterations": len(samples),
                        "real_time": 1e3 * statistics.fmean(s.wall_s for s in samples),
                        "cpu_time": 1e3 * statistics.fmean(s.cpu_s for s in samples),
                        "time_unit": "ms"})
            row.update(counters(self.point.params, self.point.workers, w,
                                self.prep.task_cpu_s, limits, samples))
        except Exception as e:  # noqa: BLE001 - any failure is this benchmark's error row
            self.error = str(e) or type(e).__name__
            w.release()  # a failed run's tasks may have left what they keep half used
        finally:
            for m in (model, serial):
                if m is not None:
                    close_error = _close(m)
                    if close_error and self.error is None:
                        self.error = close_error
        if self.error is None:
            self.rows.append(row)

    def outcome(self) -> Outcome:
        """The rows: every repetition's, noise marks and aggregates; or, from
        the failed repetition on, error rows."""
        out = Outcome(rows=list(self.rows))
        if self.error is not None:
            out.failed = True
            out.rows += [_error_row(self.name, self.family_index, self.reps, i, self.error)
                         for i in range(len(self.rows), self.reps)]
            return out
        cv_pct, noisy = noise(out.rows)
        for row in out.rows:
            row["cv_pct"] = cv_pct
            row["noisy"] = float(noisy)
        if self.reps > 1:
            out.rows += aggregates(out.rows)
        return out


def run_benchmark(ctx: Context, family_index: int, point: Point, prep: Prepared) -> Outcome:
    """One benchmark's repetitions one after another."""
    run = BenchmarkRun(ctx, family_index, point, prep)
    while not run.finished:
        run.repetition()
    return run.outcome()


def clock(seconds: float) -> str:
    """M:SS, whole seconds (minutes grow past 59)."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


@dataclass(frozen=True)
class Progress:
    """Where a run is: k benchmarks finished of N, after `elapsed_s`."""

    finished: int
    total: int
    elapsed_s: float

    def suffix(self) -> str:
        left = self.elapsed_s / self.finished * (self.total - self.finished)
        return f"  (elapsed {clock(self.elapsed_s)}, ~{clock(left)} left)"


def progress_line(outcome: Outcome, progress: Progress) -> str:
    """One line per finished benchmark, the same in every harness and language:
    [k/N] NAME: MEDIAN ms, parallelism P, peak_inflight I, efficiency E[, speedup S]
    [, lost_updates L][, noisy (cv X%)]  (elapsed M:SS, ~M:SS left)"""
    rows = [r for r in outcome.rows if r["run_type"] == "iteration"]
    head = f"[{progress.finished}/{progress.total}] {rows[0]['run_name']}: "
    if outcome.failed:
        return head + f"error: {shown(rows[-1]['error_message'])}" + progress.suffix()

    def med(key: str) -> float:
        return statistics.median(r[key] for r in rows)

    parts = [f"{med('real_time'):.3f} ms", f"parallelism {med('parallelism'):.2f}",
             f"peak_inflight {max(r['peak_inflight'] for r in rows):.0f}",
             f"efficiency {med('efficiency'):.2f}"]
    if "speedup" in rows[0]:
        parts.append(f"speedup {med('speedup'):.2f}")
    if "lost_updates" in rows[0]:
        parts.append(f"lost_updates {med('lost_updates'):.1f}")
    if rows[0]["noisy"]:
        parts.append(f"noisy (cv {rows[0]['cv_pct']:.1f}%)")
    return head + ", ".join(parts) + progress.suffix()


def questions(points: list[Point]) -> list[list[int]]:
    """The indexes of `points` grouped by the question they answer (one workload
    point, every model and worker count), in the order the questions first appear."""
    groups: dict[Params, list[int]] = {}
    for i, point in enumerate(points):
        groups.setdefault(point.params, []).append(i)
    return list(groups.values())


def interleaved(group: list[int], reps: int, rng: random.Random) -> list[int]:
    """Every benchmark of `group` `reps` times, shuffled together, as Google Benchmark
    interleaves repetitions: a slow stretch of the machine lands on every model alike."""
    order = [i for i in group for _ in range(reps)]
    rng.shuffle(order)
    return order


def run_all(ctx: Context, points: list[Point], prepared: dict[Params, Prepared],
            log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
            rng: random.Random | None = None) -> tuple[list[dict], int]:
    """Every benchmark, one question at a time with its benchmarks' repetitions
    interleaved; returns the rows (in grid order) and the number that failed."""
    rng = rng or random.Random()
    outcomes: dict[int, Outcome] = {}
    start = time.monotonic()
    for group in questions(points):
        runs = {i: BenchmarkRun(ctx, i, points[i], prepared[points[i].params]) for i in group}
        for i in interleaved(group, ctx.profile.repetitions, rng):
            run = runs[i]
            if run.finished:
                continue  # failed earlier: its remaining repetitions are error rows
            run.repetition()
            if run.finished:
                outcomes[i] = run.outcome()
                log(progress_line(outcomes[i], Progress(len(outcomes), len(points),
                                                        time.monotonic() - start)))
    rows = [row for i in range(len(points)) for row in outcomes[i].rows]
    return rows, sum(o.failed for o in outcomes.values())
