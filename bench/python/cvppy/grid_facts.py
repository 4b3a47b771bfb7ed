"""The grid facts both languages share, read from bench/grid_facts.json (C++ reads it too).

A value may be split by profile ({"quick": .., "default": .., "full": ..}) and by
language ({"c++": .., "python": ..}), in either order; `value` resolves both for
Python. Rows select models by registry facts; worker lists may name the machine.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any, Protocol

FILE = Path(__file__).resolve().parents[2] / "grid_facts.json"
LANGUAGE = "python"
PROFILES = ("quick", "default", "full")
LANGUAGES = ("c++", "python")


class Facts(Protocol):
    """The registry facts a row selector reads (cvppy.models.registry.ModelFacts)."""

    family: str
    concurrency_rule: str


@functools.cache
def document() -> dict[str, Any]:
    return json.loads(FILE.read_text())


def resolve(value: Any, profile: str | None, language: str = LANGUAGE) -> Any:
    """`value` for `language` in `profile`, through any per-profile and per-language splits."""
    while isinstance(value, dict):
        if profile is not None and set(value) <= set(PROFILES) | {"why"} and profile in value:
            value = value[profile]
        elif set(value) & set(LANGUAGES):
            value = value[language]
        else:
            break
    return value


def value(path: str, profile: str | None = None) -> Any:
    """The fact at dotted `path` ("io_sleep.max_run_s") for Python in `profile`."""
    node: Any = document()
    for part in path.split("."):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return resolve(node, profile)


def selects(selector: str, facts: Facts) -> bool:
    """True when the row selector ("all", "concurrency:W", "family:threads") picks the model."""
    if selector == "all":
        return True
    fact, _, wanted = selector.partition(":")
    if fact == "concurrency":
        return facts.concurrency_rule == wanted
    if fact == "family":
        return facts.family == wanted
    raise ValueError(f"grid_facts.json: no model selector '{selector}'; allowed: all, "
                     "concurrency:<rule>, family:<family>")


def worker_ladder(cpus: int) -> list[int]:
    """1, 2, 4, ... below the usable CPUs, then the CPUs themselves (bench/grid.cpp's ladder)."""
    out, w = [], 1
    while w < cpus:
        out.append(w)
        w *= 2
    return out + [cpus]


def worker_counts(words: list[int | str], cpus: int, tasks: int) -> list[int]:
    """The worker counts a list names: numbers, "cpus", "<k>*cpus", "ladder", "tasks"."""
    out: list[int] = []
    for word in words:
        if word == "ladder":
            counts = worker_ladder(cpus)
        elif word == "cpus":
            counts = [cpus]
        elif word == "tasks":
            counts = [tasks]
        elif isinstance(word, str) and word.endswith("*cpus"):
            counts = [int(word[:-len("*cpus")]) * cpus]
        else:
            counts = [int(word)]
        out += [c for c in counts if c not in out]
    return out


def rows(workload: str, profile: str, cpus: int) -> list[tuple[str, dict[str, list[int]]]]:
    """The rows of `workload`'s grid in `profile`: each row's selector and its axis values,
    workers resolved for `cpus` and tasks raised so every worker gets min_tasks_per_worker."""
    spec = document()[workload]
    shared = {axis: resolve(v, profile) for axis, v in spec.get("axes", {}).items()}
    least = spec.get("min_tasks_per_worker")
    out = []
    for row in spec["rows"]:
        axes = dict(shared)
        axes.update({k: resolve(v, profile) for k, v in row.items() if k not in ("models", "why")})
        tasks = axes.get("tasks", [])
        if "workers" in axes:
            axes["workers"] = worker_counts(axes["workers"], cpus, max(tasks, default=1))
            if least is not None and axes["workers"]:
                axes["tasks"] = [max(n, least * max(axes["workers"])) for n in tasks]
        out.append((row["models"], axes))
    return out


def default_rounds(nbytes: int) -> int:
    """cpu_hash: the chained rounds a message of `nbytes` gets when none are asked for."""
    for size in document()["cpu_hash"]["rounds"]:
        if size["bytes"] == nbytes:
            return size["rounds"]
    return 1


def hash_sizes() -> list[int]:
    return [size["bytes"] for size in document()["cpu_hash"]["rounds"]]
