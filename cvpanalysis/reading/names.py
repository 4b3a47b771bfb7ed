"""The benchmark name grammar: <workload>/<model>/tasks:<N>/workers:<W>[/<axis>:<int>]..."""

from __future__ import annotations

import re
from typing import Iterable

# Benchmark name parameters beyond this make a name foreign, not an axis.
MAX_PARAM = 10**12
# Google Benchmark appends one of these to names of benchmarks timed by wall clock.
TIME_SUFFIXES = ("/manual_time", "/real_time")
WORD = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"^([a-z][a-z0-9_]*):(\d{1,13})$")


def strip_time_suffix(name: str) -> str:
    for suffix in TIME_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def parse_name(name: str) -> dict | None:
    """The fields of a cvpbench benchmark name, or None for a foreign one.

    Grammar: <workload>/<model>/tasks:<N>/workers:<W>[/<axis>:<int>]...,
    e.g. .../sleep_us:<T>, /bytes:<B>, /rounds:<R>, /lock:0|1, /wait:0|1.
    sleep_us, bytes and rounds are 0 when absent (rounds 0: the workload's
    default); other axes appear only when the name has them."""
    if not isinstance(name, str):
        return None
    parts = strip_time_suffix(name).split("/")
    if len(parts) < 4 or not WORD.match(parts[0]) or not WORD.match(parts[1]):
        return None
    key: dict = {"workload": parts[0], "model": parts[1]}
    params: dict[str, int] = {}
    for part in parts[2:]:
        m = _PARAM.match(part)
        if not m or m[1] in params or m[1] in key:
            return None
        value = int(m[2])
        if value > MAX_PARAM:
            return None
        params[m[1]] = value
    if list(params)[:2] != ["tasks", "workers"] or params["tasks"] < 1 or params["workers"] < 1:
        return None
    key.update(params)
    for axis in ("sleep_us", "bytes", "rounds"):
        key.setdefault(axis, 0)
    return key


def size_label(key: dict, skip: Iterable[str] = ("tasks", "workers")) -> str:
    """The axes of a parsed name other than `skip`, as "k=v ..." (for tables)."""
    axes = {k: v for k, v in key.items() if k not in ("workload", "model", *skip)}
    return " ".join(f"{k}={v}" for k, v in axes.items() if v or k in ("lock", "wait")) or "—"
