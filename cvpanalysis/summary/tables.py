"""summary.md's tables beside the answer: handing out work, the bare
primitives, lost updates."""

from __future__ import annotations

from ..reading.groups import cpu_size, cpu_size_label
from ..reading.inputs import ours
from ..reading.models import ModelRegistry
from ..reading.names import size_label
from ..reading.series import ResultFile, Series
from ..stats.ranking import overhead_us
from .escape import md


def hand_out_markdown(files: list[ResultFile], models: ModelRegistry, workers: int = 2
                      ) -> list[str]:
    """Per cpu_hash size, what each model that takes W pays per task above
    its ideal at W = `workers` (the task_overhead arithmetic), with its paired
    speedup and CPU/wall: the cost of handing out work, model beside model."""
    # A file in a subfolder (python_gil/: other task counts) fills only what
    # the top-level files lack.
    by_depth = sorted(files, key=lambda f: len(f.path.parts))
    rows = [s for s in ours(by_depth, "cpu_hash")
            if s.key["workers"] == workers and models[s.key["model"]].takes_workers
            and s.counter("ideal_ms") is not None]
    # The sizes of the C++ grid: Python's extra sizes (python_gil/) have no
    # C++ row to stand beside.
    sizes = sorted({cpu_size(s.key) for s in rows if not models[s.key["model"]].is_python})
    if not sizes:
        return []
    at: dict[tuple, Series] = {}
    for s in rows:
        at.setdefault((s.key["model"], cpu_size(s.key)), s)
    lines = [f"\n### Handing out work: µs per task above ideal at W = {workers} (cpu_hash)\n",
             "| model | " + " | ".join(cpu_size_label(z) for z in sizes) + " |",
             "|---|" + "---:|" * len(sizes)]
    for model in models.ordered({s.key["model"] for s in rows}):
        cells = []
        for z in sizes:
            s = at.get((model, z))
            if s is None:
                cells.append("—")
                continue
            speedup, cpu_wall = s.counter("speedup"), s.counter("parallelism")
            extra = ", ".join(v for v in (f"{speedup:.2f}x" if speedup else "",
                                          f"CPU/wall {cpu_wall:.2f}" if cpu_wall else "") if v)
            cells.append(f"{overhead_us(s):.2f}" + (f" ({extra})" if extra else "")
                         + (" †" if s.noisy else ""))
        lines.append(f"| {md(model)} | " + " | ".join(cells) + " |")
    lines.append("\n(median − ideal_ms) / N, with the paired speedup and CPU/wall in brackets; "
                 "N as in each model's row.")
    return lines


def limits_markdown(files: list[ResultFile]) -> list[str]:
    rows = [s for f in files for s in f.series.values() if s.key and s.key["workload"] == "limits"]
    if not rows:
        return []
    lines = ["\n### Bare primitives (limits)\n", "| primitive | parameters | median ms |",
             "|---|---|---:|"]
    for s in sorted(rows, key=lambda s: s.name):
        lines.append(f"| {md(s.key['model'])} | {md(size_label(s.key, skip=()))} | "
                     f"{s.median_ms:.4g} |")
    return lines


def shared_counter_markdown(files: list[ResultFile], models: ModelRegistry) -> list[str]:
    rows = [s for f in files for s in f.series.values()
            if s.key and s.key["workload"] == "shared_counter"]
    if not rows:
        return []
    lines = ["\n### Shared counter: lost updates\n",
             "| model | tasks | lock | wait | lost updates |", "|---|---:|---:|---:|---:|"]
    order = {m: i for i, m in enumerate(models.ordered())}
    for s in sorted(rows, key=lambda s: (order.get(s.key["model"], 1 << 30), s.key.get("lock", 0),
                                         s.key.get("wait", 0), s.key["tasks"], s.key["workers"])):
        lost = s.counter("lost_updates")
        lines.append(f"| {md(models.label(s.key))} | {s.key['tasks']} | {s.key.get('lock', '—')} | "
                     f"{s.key.get('wait', '—')} | {'—' if lost is None else f'{lost:g}'} |")
    return lines
