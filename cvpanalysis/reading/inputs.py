"""The inputs of a run: files and folders walked, every file read and checked,
and the facts of every model in them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..base.errors import InputError
from ..base.text import one_line
from .bounded import read_json
from .load import is_trace, load, load_trace
from .models import ModelRegistry
from .series import ResultFile, Series, Trace

SKIPPED_FOLDERS = ("previous", "baseline", "checks")
UNSTABLE_SUFFIXES = (".partial", ".failed")


# Folders below an input folder deeper than this are refused: results nest
# two or three levels (results/<scenario>/...), and a bound keeps the walk
# short and its paths far below PATH_MAX.
MAX_FOLDER_DEPTH = 32


def _skipped_name(name: str) -> bool:
    """Results kept for comparisons, unfinished or failed output, hidden files."""
    return name in SKIPPED_FOLDERS or name.endswith(UNSTABLE_SUFFIXES) or name.startswith(".")


def walk_json(folder: Path, recursive: bool = True,
              max_depth: int = MAX_FOLDER_DEPTH) -> list[Path]:
    """Every *.json file in `folder` (and, when `recursive`, in the folders
    below it, symlinked folders not followed), sorted, except the names
    `_skipped_name` leaves out. Walked with a stack, not recursion;
    InputError naming `folder` for folders nested deeper than `max_depth`."""
    found: list[Path] = []
    stack = [(folder, 0)]
    while stack:
        here, depth = stack.pop()
        try:
            with os.scandir(here) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as e:
            raise InputError(f"{here}: cannot list the folder ({one_line(e.strerror or e)})") \
                from None
        for entry in listed:
            if _skipped_name(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not recursive:
                    continue
                if depth + 1 > max_depth:
                    raise InputError(f"{folder}: holds folders nested deeper than {max_depth} "
                                     f"levels (such as {one_line(entry.name, 60)} in "
                                     f"{one_line(here, 200)}); give a folder nearer the results")
                stack.append((Path(entry.path), depth + 1))
            elif entry.name.endswith(".json") and Path(entry.path).is_file():
                found.append(Path(entry.path))
    return sorted(found)


def expand(paths: Iterable[Path], recursive: bool = True) -> list[Path]:
    """Files as given; a folder stands for every *.json in it (and below it
    when `recursive`), except results kept for comparisons (previous/,
    baseline/, checks/), unfinished or failed output (*.partial, *.failed) and hidden
    staging folders."""
    result = []
    for p in paths:
        if p.is_dir():
            found = walk_json(p, recursive)
            if not found:
                raise InputError(f"{p}: folder holds no *.json file")
            result += found
        else:
            result.append(p)
    return result


@dataclass
class Inputs:
    files: list[ResultFile]
    traces: list[Trace]
    models: ModelRegistry
    warnings: list[str]


def read_inputs(paths: Iterable[Path], recursive: bool = True, traces: bool = True) -> Inputs:
    """Reads result files and (when `traces`) timeline traces from files and
    folders, and the facts of every model in them. Every input is read and
    checked before anything is returned."""
    files: list[ResultFile] = []
    found_traces: list[Trace] = []
    warnings: list[str] = []
    for path in expand(paths, recursive):
        data = read_json(path)
        if is_trace(data):
            if not traces:
                if recursive:
                    continue
                raise InputError(f"{path}: a Chrome trace, not benchmark results")
            trace = load_trace(path, data)
            if trace is None:
                warnings.append(f"{path}: a Chrome trace, but not one of cvpbench's; skipped")
            else:
                found_traces.append(trace)
        else:
            files.append(load(path, data))
    return Inputs(files=files, traces=found_traces, models=registry(files, found_traces),
                  warnings=warnings)


def registry(files: Iterable[ResultFile], traces: Iterable[Trace] = ()) -> ModelRegistry:
    reg = ModelRegistry()
    files, traces = list(files), list(traces)
    for f in files:
        for facts in f.models:
            reg.describe(facts)
    for t in traces:
        if t.facts is not None:
            reg.describe(t.facts)
    for f in files:
        language = f.context.get("cvp_language")
        language = language if isinstance(language, str) else ""
        for s in f.series.values():
            if s.key and s.key["workload"] != "limits":
                reg.saw(s.key["model"], s.key["workers"], language, s.counter("peak_inflight") or 0)
    for t in traces:
        reg.saw(t.model, t.workers)
    return reg.finish()


def cores_of(files: Iterable[ResultFile], default: int) -> int:
    """The CPUs the harness could use (`cpus_usable`, else `num_cpus`)."""
    for f in files:
        for key in ("cpus_usable", "num_cpus"):
            v = f.context.get(key)
            try:
                n = int(v) if isinstance(v, (int, str)) and not isinstance(v, bool) else None
            except ValueError:
                n = None
            if n is not None and 1 <= n <= 1 << 20:
                return n
    return default


def ours(files: Iterable[ResultFile], workload: str) -> list[Series]:
    """Every series of `workload` named by the grammar, across files."""
    return [s for f in files for s in f.series.values()
            if s.key and s.key["workload"] == workload]


def load_side(path: Path) -> list[ResultFile]:
    """One side of the comparison: a JSON file, or every JSON file in a folder."""
    return read_inputs([path], recursive=False, traces=False).files


def merged(files: list[ResultFile]) -> dict[str, Series]:
    result: dict[str, Series] = {}
    for f in files:
        result.update(f.series)
    return result
