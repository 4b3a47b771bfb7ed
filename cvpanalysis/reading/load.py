"""One result file or timeline trace, parsed and checked row by row."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from ..base.errors import InputError
from ..base.text import one_line
from .bounded import MAX_DEPTH, read_json, too_deep
from .models import facts_from_row
from .names import MAX_PARAM, WORD, parse_name, strip_time_suffix
from .series import ResultFile, Series, Trace, TraceEvent
from .units import TO_MS

# Times outside this range (in ms) are not measurements: zero, negative, or so
# large that a ratio of two of them would overflow.
MIN_MS, MAX_MS = 1e-12, 1e10
# Counter values beyond this are not measurements either (bytes_per_second of
# a fast memcpy stays far below).
MAX_COUNTER = 1e15
# Trace times (µs) beyond this are not a timeline anyone can draw.
MAX_TRACE_US = 1e12
NON_COUNTERS = {"real_time", "cpu_time", "iterations", "repetitions", "repetition_index", "threads",
                "family_index", "per_family_instance_index"}
_SCENARIO = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def _json_value(value: object, where: str, kind: type) -> object:
    """A context value that holds JSON as a string (or already decoded)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise InputError(f"{where} is not JSON") from None
        if too_deep(value):
            raise InputError(f"{where} is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(value, kind):
        raise InputError(f"{where} is not a JSON {'array' if kind is list else 'object'}")
    return value


def is_trace(data: object) -> bool:
    """A Chrome trace event file (the timelines), not benchmark results."""
    return isinstance(data, dict) and "traceEvents" in data and "benchmarks" not in data


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _finite(v: object, limit: float) -> bool:
    """A number whose magnitude is at most `limit` (JSON integers may be too
    large for a float)."""
    try:
        return _number(v) and math.isfinite(float(v)) and abs(float(v)) <= limit
    except OverflowError:
        return False


def _row_problem(row: dict) -> str | None:
    """Why a successful row's time or counters cannot be used, or None."""
    unit = row.get("time_unit", "ns")
    if not isinstance(unit, str) or unit not in TO_MS:
        return f"time_unit is {one_line(repr(unit), 40)}; allowed: {', '.join(TO_MS)}"
    t = row.get("real_time")
    if not _number(t):
        return f"real_time is {one_line(repr(t), 40)}, not a number"
    ms = float(t) * TO_MS[unit] if _finite(t, math.inf) else math.inf
    if not MIN_MS <= ms <= MAX_MS:
        return (f"real_time is {t!r} {unit}; allowed: a finite time above 0 "
                f"and at most {MAX_MS:g} ms")
    for k, v in row.items():
        if k not in NON_COUNTERS and _number(v) and not _finite(v, MAX_COUNTER):
            return f"counter {one_line(k, 40)} is {v!r}"
    return None


def load(path: Path, data: object = None) -> ResultFile:
    """Reads one Google Benchmark JSON file; InputError when it is unusable.

    A benchmark with a repetition in error (or one whose time or counters are
    not finite, positive numbers) is dropped and listed in `errors`."""
    if data is None:
        data = read_json(path)
    if is_trace(data):
        raise InputError(f"{path}: a Chrome trace, not benchmark results")
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise InputError(f"{path}: not Google Benchmark JSON (no \"benchmarks\" array)")
    if not data["benchmarks"]:
        raise InputError(f"{path}: the \"benchmarks\" array is empty")
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    rows = []
    errors: list[str] = []
    for i, r in enumerate(data["benchmarks"]):
        if not isinstance(r, dict):
            errors.append(f"row {i}: not an object")
        elif not isinstance(r.get("name"), str):
            errors.append(f"row {i}: name is {one_line(repr(r.get('name')), 40)}, not a string")
        else:
            run_name = r.get("run_name")
            rows.append(dict(r, run_name=run_name if isinstance(run_name, str) else r["name"]))
    iterations = [r for r in rows if r.get("run_type", "iteration") == "iteration"]
    # A benchmark reported by aggregates only (--benchmark_report_aggregates_only)
    # is represented by its median.
    with_iterations = {r["run_name"] for r in iterations}
    iterations += [r for r in rows if r.get("aggregate_name") == "median"
                   and r["run_name"] not in with_iterations]
    series: dict[str, Series] = {}
    failed: set[str] = set()
    for row in iterations:
        name = strip_time_suffix(row["run_name"])
        if row.get("error_occurred"):
            problem = one_line(row.get("error_message", "error"), 200)
        else:
            problem = _row_problem(row)
        if problem is not None:
            errors.append(f"{one_line(name, 200)}: {problem}")
            failed.add(name)
            continue
        unit = row.get("time_unit", "ns")
        s = series.setdefault(name, Series(name=name, key=parse_name(name), unit=unit))
        s.times_ms.append(float(row["real_time"]) * TO_MS[unit])
        for k, v in row.items():
            if _number(v) and k not in NON_COUNTERS:
                s.counters.setdefault(k, []).append(float(v))
    for name in failed:
        series.pop(name, None)
    models = []
    if "cvp_models" in context:
        where = f"{path}: context cvp_models"
        rows_ = _json_value(context["cvp_models"], where, list)
        models = [facts_from_row(r, f"{where}[{i}]") for i, r in enumerate(rows_)]
    load_sample = None
    if "cvp_load" in context:
        load_sample = _json_value(context["cvp_load"], f"{path}: context cvp_load", dict)
    return ResultFile(path=path, context=context, series=series, errors=errors, models=models,
                      load=load_sample, failed=failed)


def load_trace(path: Path, data: object) -> Trace | None:
    """One cvpbench timeline trace; None for a Chrome trace that is not ours
    (no otherData.model); InputError for one of ours that is malformed."""
    other = data.get("otherData") if isinstance(data, dict) else None
    if not isinstance(other, dict) or "model" not in other:
        return None
    model, workers, wall_ms = other.get("model"), other.get("workers", 1), other.get("wall_ms")
    if not isinstance(model, str) or not WORD.match(model):
        raise InputError(f"{path}: otherData.model is {one_line(repr(model), 60)}, "
                         "not a model name")
    if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= MAX_PARAM:
        raise InputError(f"{path}: otherData.workers is {one_line(repr(workers), 40)}; "
                         "allowed: a whole number from 1")
    if not _finite(wall_ms, MAX_MS) or wall_ms < 0:
        raise InputError(f"{path}: otherData.wall_ms is {one_line(repr(wall_ms), 40)}; "
                         f"allowed: 0 to {MAX_MS:g}")
    scenario = other.get("scenario", path.parent.name)
    if not isinstance(scenario, str) or not _SCENARIO.match(scenario):
        raise InputError(f"{path}: otherData.scenario is {one_line(repr(scenario), 60)}; "
                         "allowed: letters, digits, _ . -")
    facts = None
    if other.get("model_facts") is not None:  # null: a model the registry does not describe
        facts = facts_from_row(other["model_facts"], f"{path}: otherData.model_facts")
    events_in = data.get("traceEvents")
    if not isinstance(events_in, list):
        raise InputError(f"{path}: traceEvents is not an array")
    events = []
    for i, e in enumerate(events_in):
        if not isinstance(e, dict):
            raise InputError(f"{path}: traceEvents[{i}] is {one_line(repr(e), 40)}, not an object")
        if e.get("ph") != "X":
            continue
        problem = None
        for k in ("ts", "dur"):
            v = e.get(k)
            if not _finite(v, MAX_TRACE_US) or v < 0:
                problem = f"{k} is {one_line(repr(v), 40)}; allowed: 0 to {MAX_TRACE_US:g} µs"
                break
        pid, tid = e.get("pid"), e.get("tid")
        args = e.get("args")
        index = args.get("index") if isinstance(args, dict) else None
        if problem is None and not all(isinstance(x, (int, str)) and not isinstance(x, bool)
                                       for x in (pid, tid)):
            problem = "pid and tid must be numbers or strings"
        if problem is None and (not isinstance(index, int) or isinstance(index, bool)
                                or not 0 <= index <= MAX_PARAM):
            problem = f"args.index is {one_line(repr(index), 40)}, not a task index"
        if problem:
            raise InputError(f"{path}: traceEvents[{i}]: {problem}")
        events.append(TraceEvent(ts=float(e["ts"]), dur=float(e["dur"]), pid=pid, tid=tid,
                                 index=index))
    return Trace(path=path, scenario=scenario, model=model, workers=workers, wall_ms=float(wall_ms),
                 events=events, facts=facts)
