#!/usr/bin/env python3
"""What each in-flight task costs, per workload, model and task count, as the README quotes it.

usage: python3 -m scripts.cost_figures [--tasks=N,N] [RESULTS] [WORKLOAD ...]
       (default: every task count, results/ and io_sleep net_rpc file_read; from the
       repository root)

Prints one Markdown table per workload and setting (sleep, bytes, connection
mode, cache), a row per model and task count: the median wall time per run,
p50 and p99 task latency, user and kernel memory per task in flight, and the
voluntary and involuntary switches per task, each the median over the
repetitions as the JSON's median aggregate row holds it. A counter a row does
not carry prints as "-". The README's cost tables are pasted from this output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

COLUMNS = (("real_time", "ms", 1), ("latency_p50_ms", "p50 ms", 2),
           ("latency_p99_ms", "p99 ms", 2), ("mem_kib_per_task", "user KiB/task", 1),
           ("kmem_kib_per_task", "kernel KiB/task", 1), ("ctx_vol_per_task", "vol sw/task", 2),
           ("ctx_invol_per_task", "invol sw/task", 2))
SETTING_KEYS = ("sleep_us", "bytes", "conn_per_task", "cold")


def _parts(name: str) -> dict[str, str]:
    fields = name.split("/")
    out = {"workload": fields[0], "model": fields[1]}
    for f in fields[2:]:
        if ":" in f:
            k, _, v = f.partition(":")
            out[k] = v
    return out


def medians(path: Path) -> list[dict]:
    """The median aggregate rows of one result file, with their name's parts."""
    rows = []
    for b in json.loads(path.read_text()).get("benchmarks", []):
        if b.get("aggregate_name") == "median" and not b.get("error_occurred"):
            parts = _parts(b.get("run_name", b["name"]))
            rows.append({**b, **parts, "setting": tuple((k, parts[k]) for k in SETTING_KEYS
                                                         if k in parts)})
    return rows


def table(rows: list[dict]) -> list[str]:
    head = "| model | N | " + " | ".join(label for _, label, _ in COLUMNS) + " |"
    lines = [head, "|---|---:|" + "---:|" * len(COLUMNS)]
    for r in sorted(rows, key=lambda r: (int(r["tasks"]), r["model"], int(r["workers"]))):
        model = r["model"] + (f" (W={r['workers']})" if r["workers"] != "1" else "")
        cells = [f"{r[key]:.{digits}f}" if isinstance(r.get(key), (int, float)) else "-"
                 for key, _, digits in COLUMNS]
        lines.append(f"| {model} | {r['tasks']} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str]) -> int:
    tasks = None
    if argv and argv[0].startswith("--tasks="):
        tasks = set(argv.pop(0).removeprefix("--tasks=").split(","))
    folder = Path(argv[0]) if argv else Path("results")
    workloads = argv[1:] or ["io_sleep", "net_rpc", "file_read"]
    for workload in workloads:
        rows = []
        for name in (f"{workload}.json", f"py_{workload}.json"):
            if (folder / name).exists():
                rows += medians(folder / name)
        settings: dict[tuple, list[dict]] = {}
        for r in rows:
            if tasks is None or r["tasks"] in tasks:
                settings.setdefault(r["setting"], []).append(r)
        for setting, group in sorted(settings.items()):
            said = ", ".join(f"{k} {v}" for k, v in setting)
            print(f"\n### {workload}{': ' + said if said else ''}\n")
            print("\n".join(table(group)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
