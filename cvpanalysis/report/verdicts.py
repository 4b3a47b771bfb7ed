"""A claim, its verdict, and the thresholds the verdicts use."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from ..base.text import one_line
from .evidence import Evidence

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


def judge(claim: Claim, ev: Evidence) -> Verdict:
    """The claim's verdict; a claim that cannot be computed from these files
    says why on the page instead of ending the page."""
    try:
        return claim.judge(ev)
    except (ArithmeticError, KeyError, TypeError, ValueError) as e:
        return Verdict(NOT_MEASURED, [f"could not be computed from these files: "
                                      f"{type(e).__name__}: {one_line(e, 160)}"])
