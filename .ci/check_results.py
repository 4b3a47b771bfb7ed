#!/usr/bin/env python3
"""Checks quick-profile results: usage: check_results.py LIST_COMMAND JSON [LIST_COMMAND JSON ...]

LIST_COMMAND is a harness's command that prints the names of the quick
profile's grid, one per line, given as one shell-quoted string (for example
"build/bench/io_sleep --profile=quick --benchmark_list_tests"). Each JSON must
parse, hold one iteration row per listed benchmark, and have no row in error;
every iteration row of a workload (all but the limits harness's bare
primitives, which run no tasks) must carry latency_p50_ms and latency_p99_ms.
A JSON may follow several commands (mpi.json: one per number of ranks).
Prints "N passed, N failed" and exits non-zero on any failure.
"""

import json
import re
import shlex
import subprocess
import sys


def expected_names(command: str) -> set[str]:
    out = subprocess.run(shlex.split(command), check=True, capture_output=True, text=True).stdout
    # A benchmark with a fixed iteration count (the mpi harness's) is listed
    # with "/iterations:k", which its result rows do not carry.
    return {re.sub(r"/iterations:\d+", "", line.strip()).removesuffix("/manual_time")
            for line in out.splitlines() if line.strip()}


# Each task's latency, on every row of every workload.
LATENCY_COUNTERS = ("latency_p50_ms", "latency_p99_ms")


def missing_counters(path: str, context: dict, rows: list[dict]) -> list[str]:
    if context.get("cvp_harness") == "limits":
        return []
    return [f"{path}: {r['name']}: no {counter}" for r in rows
            if r.get("run_type") == "iteration" and not r.get("error_occurred")
            for counter in LATENCY_COUNTERS if counter not in r]


def check(command: str, path: str) -> list[str]:
    try:
        with open(path) as f:
            data = json.load(f)
        rows, context = data["benchmarks"], data.get("context", {})
    except (OSError, ValueError, KeyError, TypeError) as e:
        return [f"{path}: unreadable: {e}"]
    problems = [f"{path}: {r['name']}: {r.get('error_message')}" for r in rows if r.get("error_occurred")]
    problems += missing_counters(path, context, rows)
    seen = {r["run_name"].removesuffix("/manual_time") for r in rows
            if r.get("run_type") == "iteration"}
    problems += [f"{path}: missing {name}" for name in sorted(expected_names(command) - seen)]
    return problems


def main() -> int:
    args = sys.argv[1:]
    if not args or len(args) % 2:
        print(__doc__, file=sys.stderr)
        return 2
    passed = failed = 0
    for command, path in zip(args[::2], args[1::2]):
        problems = check(command, path)
        for p in problems:
            print(f"FAIL {p}")
        if problems:
            failed += 1
        else:
            passed += 1
            print(f"ok   {path}")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
