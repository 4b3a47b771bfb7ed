"""The answer per question (workload, size, task count): the fastest model, the
models tied with it, and the measurement faults."""

from __future__ import annotations

import statistics
from pathlib import Path

from ..reading.groups import size_groups
from ..reading.inputs import registry
from ..reading.models import ModelRegistry
from ..reading.series import ResultFile, Series
from ..stats.intervals import interval95, overlaps
from ..stats.ranking import best_per_model, score_values, speed, vs_baseline


def question_groups(io: list[Series], cpu: list[Series], mixed: list[Series]
                    ) -> list[tuple[str, str, int, list[Series]]]:
    """(workload, size label, N, rows): one question each. Rows of different
    task counts never meet: a run of 4096 tasks is no rival of one of 2048."""
    out = []
    for (workload, _, label), at in size_groups(io, cpu, mixed):
        for n in sorted({s.key["tasks"] for s in at}):
            out.append((workload, label, n, [s for s in at if s.key["tasks"] == n]))
    return out


def summary_rows(io: list[Series], cpu: list[Series], mixed: list[Series] | None = None,
                 models: ModelRegistry | None = None, cpus: int | None = None) -> list[dict]:
    """Per question (workload, size, task count): the fastest model, the models
    tied with it, and the rows whose paired speedup is above the usable CPUs.

    Each model stands with its fastest configuration. Rows are ranked by their
    paired speedup where they carry one (CPU work, measured next to a serial
    run), else by their time; two models whose 95% intervals overlap are tied,
    not ranked. A paired speedup above the `cpus` usable CPUs cannot be real:
    it is a measurement fault, listed and never the winner."""
    mixed = mixed or []
    if models is None:
        models = registry([ResultFile(Path("-"), {}, {s.name: s for s in io + cpu + mixed}, [])])
    base, loop = models.baseline(), models.gathering_loop()
    rows = []
    for workload, label, n, at in question_groups(io, cpu, mixed):
        baseline = next((s for s in at if s.key["model"] == base), None)
        best = best_per_model(at, baseline)
        faults = [s for s in best.values() if cpus and s.counters.get("speedup")
                  and statistics.median(s.counters["speedup"]) > cpus]
        rivals = [s for s in best.values() if s not in faults]
        if not rivals:
            continue
        fastest = max(rivals, key=lambda s: speed(s, baseline))
        kind, mine = score_values(fastest, baseline)
        tied = [s for s in rivals if s is not fastest
                and score_values(s, baseline)[0] == kind
                and overlaps(interval95(mine), interval95(score_values(s, baseline)[1]))]
        ratio, ratio_ci = vs_baseline(fastest, baseline)
        rows.append({
            "workload": workload, "size": label, "tasks": n,
            "fastest": models.label(fastest.key),
            "fastest_ms": fastest.median_ms,
            "fastest_noisy": fastest.noisy,
            "ranked_by": kind,
            "tied": [models.label(s.key) for s in sorted(tied, key=lambda s: -speed(s, baseline))],
            "vs_serial": ratio if baseline is not None or kind == "speedup" else None,
            "vs_serial_ci": ratio_ci,
            "vs_event_loop": (speed(fastest, baseline) / speed(best[loop], baseline)
                              if loop in best else None),
            "vs_limit": fastest.counter("vs_limit"),
            "faults": [(models.label(s.key), statistics.median(s.counters["speedup"]))
                       for s in faults],
        })
    return rows


# Characters that would make text from the input into Markdown or HTML:
