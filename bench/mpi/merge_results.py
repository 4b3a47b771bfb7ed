#!/usr/bin/env python3
"""Merge the mpi harness's per-launch result files into one.

usage: merge_results.py -o OUT.json FILE.json [FILE.json ...]

W is the number of ranks, fixed per mpiexec launch, so `ctest -L bench`
runs the mpi harness once per W, each writing its own file
(results/.mpi/w<W>.json). This joins their benchmarks into OUT
(results/mpi.json). The context is the first file's, except
`mpi_ranks` (every launch's, "1,2,4"), `mpi_hosts` ("W=2: vm,vm; ...") and
`cvp_load` (the busiest launch's). OUT is written as every harness writes
it (the Python harness's `publish`): OUT.partial, flushed and read back, the
old OUT kept in previous/, then renamed over OUT. Inputs are read as
plot.py and compare.py read theirs (cvpanalysis.reading.bounded.read_json:
regular files only, at most 64 MiB, JSON at most 64 levels deep), so a FIFO,
a device or a huge file is refused at once. Bad input (a missing, corrupt, failed or
unbounded file, files of different profiles, two launches with the same
benchmark, an OUT that is a symlink, not a regular file, empty or one of the
inputs) ends in one `merge_results.py: error: ...` line, exit 2, and OUT as
it was; a failed write is exit 1; SIGINT, SIGTERM or SIGHUP exit 130.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent.parent
# The Python harness's result writer: one way of publishing a result file;
# and the analysis tools' bounded reader, option parser and error handling.
# ctest starts this script by its path from the build folder, so Python puts
# only bench/mpi on the path: this entry point adds the two folders it needs.
sys.path.insert(0, str(_ROOT / "bench" / "python"))
sys.path.insert(0, str(_ROOT))
from cvpanalysis.base.cli import (OneLineParser, nonempty_path,  # noqa: E402
                                  run_with_one_line_errors)
from cvpanalysis.base.errors import InputError  # noqa: E402
from cvpanalysis.output.publish import check_target  # noqa: E402
from cvpanalysis.reading.bounded import read_json  # noqa: E402
from cvppy.results import publish  # noqa: E402

PROG = "merge_results.py"


def read(path: Path) -> dict:
    """One launch's result file, read with a bound; InputError when unusable."""
    if not path.exists() and not path.is_symlink():
        raise InputError(f"{path}: no such file (did its mpiexec launch succeed?)")
    data = read_json(path)
    if not isinstance(data, dict) or not isinstance(data.get("context"), dict) \
            or not isinstance(data.get("benchmarks"), list):
        raise InputError(f"{path}: no context object and benchmarks array")
    if data["context"].get("cvp_harness") != "mpi":
        raise InputError(f"{path}: cvp_harness is {data['context'].get('cvp_harness')!r}; "
                         "allowed: 'mpi'")
    for b in data["benchmarks"]:
        if not isinstance(b, dict):
            raise InputError(f"{path}: a benchmark row that is not an object")
        if b.get("error_occurred"):
            raise InputError(f"{path}: {b.get('name')} is in error")
    return data


def busiest(loads: list[str]) -> str:
    def other(text: str) -> float:
        try:
            return float(json.loads(text).get("other_busy_cpus", 0))
        except (ValueError, AttributeError):
            return 0.0
    return max(loads, key=other)


def merge(files: list[dict], paths: list[Path]) -> dict:
    first = files[0]["context"]
    for f, p in zip(files[1:], paths[1:]):
        if f["context"].get("cvp_profile") != first.get("cvp_profile"):
            raise InputError(f"{p}: profile {f['context'].get('cvp_profile')!r}, but "
                             f"{paths[0]}: {first.get('cvp_profile')!r}")
    context = dict(first)
    context["mpi_ranks"] = ",".join(f["context"].get("mpi_ranks", "?") for f in files)
    context["mpi_hosts"] = "; ".join(
        f"W={f['context'].get('mpi_ranks', '?')}: {f['context'].get('mpi_hosts', '?')}"
        for f in files)
    loads = [f["context"]["cvp_load"] for f in files if "cvp_load" in f["context"]]
    if loads:
        context["cvp_load"] = busiest(loads)
    benchmarks, seen = [], {}
    for f, p in zip(files, paths):
        for b in f["benchmarks"]:
            name = b.get("name")
            if b.get("run_type") == "iteration" and name in seen and seen[name] != p:
                raise InputError(f"{p}: {name} is in {seen[name]} too")
            seen.setdefault(name, p)
            benchmarks.append(b)
    return {"context": context, "benchmarks": benchmarks}


def check_out(out: Path, inputs: list[Path]) -> None:
    """InputError unless OUT is a .json file path that is not a symlink, a
    device, a folder or one of the inputs."""
    if str(out).endswith("/") or out.is_dir() or out.suffix != ".json":
        raise InputError(f"-o is '{out}'; allowed: a file path (OUT.json)")
    check_target(out, inputs)


def main(argv: list[str] | None = None) -> int:
    parser = OneLineParser(prog=PROG, description=__doc__.split("\n\n")[0],
                           formatter_class=argparse.RawDescriptionHelpFormatter,
                           epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("files", nargs="+", type=nonempty_path, metavar="FILE.json")
    parser.add_argument("-o", "--out", type=nonempty_path, required=True, metavar="OUT.json")
    args = parser.parse_args(argv)

    def body() -> int:
        check_out(args.out, args.files)
        files = [read(p) for p in args.files]
        publish(merge(files, args.files), args.out)
        print(f"{PROG}: wrote {args.out} ({len(files)} launches)", file=sys.stderr)
        return 0

    return run_with_one_line_errors(PROG, body, debug=False, failed_exit=1)


if __name__ == "__main__":
    sys.exit(main())
