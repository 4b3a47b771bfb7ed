"""Every chart the inputs allow, in a fixed order, and the names charts get."""

from __future__ import annotations

import os
from pathlib import Path

from ..figures.chart import Chart
from ..figures.styles import styles
from ..reading.groups import Workloads
from ..reading.inputs import Inputs, cores_of
from ..reading.series import Trace
from . import (cpu_speedup, efficiency, foreign, io_wall, latency, mixed_share, net_wall,
               parallelism, task_memory, task_overhead, timeline, vs_limit)

# The charts of cvpbench's own rows, in the order they are drawn and shown.
CHARTS = (io_wall, net_wall, latency, cpu_speedup, efficiency, parallelism, mixed_share, vs_limit,
          task_overhead, task_memory)
CHART_STEMS = tuple(chart.STEM for chart in CHARTS)


def is_chart_name(name: str) -> bool:
    """Whether `name` is one plot.py gives its charts."""
    stem, ext = os.path.splitext(name)
    return ext in (".png", ".svg") and (stem in CHART_STEMS or stem.startswith("timeline_")
                                        or stem.endswith("_times"))


def draw(inputs: Inputs, staging: Path, written: list[Path]) -> set[str]:
    """Every chart the inputs allow, into `staging`; returns their stems."""
    files, models = inputs.files, inputs.models
    c = Chart(models=models, style=styles(models), cores=cores_of(files, os.cpu_count() or 1),
              out=staging, written=written)
    workloads = Workloads.of(files)
    made = {chart.draw(workloads, c) for chart in CHARTS}
    scenarios: dict[str, list[Trace]] = {}
    for t in inputs.traces:
        scenarios.setdefault(t.scenario, []).append(t)
    for scenario, group in sorted(scenarios.items()):
        made.add(timeline.draw(scenario, group, c))
    for f in files:
        made.add(foreign.draw(f, c))
    made.discard(None)
    return made
