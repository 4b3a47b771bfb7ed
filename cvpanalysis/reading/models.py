"""Model facts: one registry row per model, from the files or inferred."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Iterable

from ..base.errors import InputError
from ..base.text import one_line


@dataclass(frozen=True)
class ModelFacts:
    """One registry row, from a file's `cvp_models` or a trace's `model_facts`,
    or inferred for files that predate them (see `ModelRegistry`)."""

    name: str
    order: float
    family: str = "unknown"
    language: str = "unknown"
    takes_workers: bool = True
    fixed_workers: int | None = None
    twin: str = ""
    concurrency: str = ""
    parallelism: str = ""
    described: bool = False  # from the file itself, not inferred

    @property
    def is_python(self) -> bool:
        return self.language == "python"

    @property
    def parallel(self) -> bool:
        """Runs tasks on several threads or processes: families threads and
        processes, or, where the family is unknown, a model that takes W."""
        if self.family in ("threads", "processes"):
            return True
        return self.family == "unknown" and self.takes_workers


def facts_from_row(row: object, where: str) -> ModelFacts:
    """A ModelFacts from one registry row (a dict), or InputError naming `where`."""
    if not isinstance(row, dict) or not isinstance(row.get("name"), str) or not row["name"]:
        raise InputError(f"{where}: a model row without a string \"name\"")
    name = row["name"]

    def typed(key: str, types: tuple, default):
        value = row.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) and bool not in types:
            raise InputError(f"{where}: model {one_line(name, 60)}: {key} is {value!r}")
        if not isinstance(value, types):
            raise InputError(f"{where}: model {one_line(name, 60)}: {key} is "
                             f"{one_line(repr(value), 60)}")
        return value

    order = typed("order", (int, float), math.inf)
    if isinstance(order, float) and math.isnan(order):
        raise InputError(f"{where}: model {one_line(name, 60)}: order is NaN")
    fixed = typed("fixed_workers", (int,), None)
    return ModelFacts(name=name, order=float(order), family=typed("family", (str,), "unknown"),
                      language=typed("language", (str,), "unknown"),
                      takes_workers=typed("takes_workers", (bool,), True),
                      fixed_workers=fixed, twin=typed("twin", (str,), name) or name,
                      concurrency=str(typed("concurrency", (str, int), "")),
                      parallelism=str(typed("parallelism", (str, int), "")), described=True)


class ModelRegistry:
    """Every model of a set of result and trace files, in display order.

    Facts come from the files (`cvp_models`, `model_facts`). A model no file
    describes (results written before the contract, foreign files) is placed
    after the described ones in the order it first appears, with family
    "unknown", its file's `cvp_language` (else "python" for a `py_` name), and
    the rule: a model whose rows all have W = 1 is fixed at 1 worker; any other
    takes W. Its twin is itself."""

    def __init__(self) -> None:
        self._facts: dict[str, ModelFacts] = {}
        self._seen: dict[str, tuple[str, set[int]]] = {}  # inferred: language, workers seen
        self._overlapped: set[str] = set()  # models seen with more than one task in flight

    def describe(self, facts: ModelFacts) -> None:
        if not (facts.name in self._facts and self._facts[facts.name].described):
            self._facts[facts.name] = facts

    def saw(self, model: str, workers: int, language: str = "", inflight: float = 0) -> None:
        if inflight > 1.5:
            self._overlapped.add(model)
        lang, ws = self._seen.setdefault(model, (language, set()))
        ws.add(workers)
        if not lang and language:
            self._seen[model] = (language, ws)

    def finish(self) -> "ModelRegistry":
        """Infers the facts of every model seen but not described."""
        for i, (name, (lang, ws)) in enumerate(self._seen.items()):
            if name in self._facts:
                continue
            language = lang or ("python" if name.startswith("py_") else "unknown")
            fixed = ws == {1}
            self._facts[name] = ModelFacts(name=name, order=1e6 + i, language=language,
                                           takes_workers=not fixed,
                                           fixed_workers=1 if fixed else None, twin=name)
        return self

    def __contains__(self, name: str) -> bool:
        return name in self._facts

    def __getitem__(self, name: str) -> ModelFacts:
        if name not in self._facts:  # a model seen after finish(): infer on the spot
            self.saw(name, 2)
            self.finish()
        return self._facts[name]

    def ordered(self, names: Iterable[str] | None = None) -> list[str]:
        """`names` (default: every model) in display order."""
        pool = self._facts if names is None else set(names)
        rank = {n: i for i, n in enumerate(self._facts)}
        return sorted(pool, key=lambda n: (self[n].order, rank.get(n, 1 << 30), n))

    def label(self, key: dict) -> str:
        """A model's legend label: its name, and W where the model takes workers."""
        facts = self[key["model"]]
        return key["model"] if not facts.takes_workers else f"{key['model']} (W={key['workers']})"

    def baseline(self) -> str | None:
        """The reference for "vs" ratios: the first model in display order that
        runs one task at a time (concurrency and parallelism 1; inferred: the
        first model fixed at one worker)."""
        for name in self.ordered():
            f = self[name]
            if f.described and f.concurrency == "1" and f.parallelism == "1":
                return name
            if not f.described and f.fixed_workers == 1:
                return name
        return None

    def gathering_loop(self) -> str | None:
        """The event loop that starts every task at once: the first one-thread
        model with concurrency N (inferred: the first model fixed at one worker
        that had more than one task in flight, by its peak_inflight counter)."""
        for name in self.ordered():
            f = self[name]
            if f.described:
                if f.family == "one_thread" and f.concurrency == "N":
                    return name
            elif f.fixed_workers == 1 and name in self._overlapped:
                return name
        return None
