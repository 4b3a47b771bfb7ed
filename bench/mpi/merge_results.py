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
old OUT kept in previous/, then renamed over OUT. Bad input (a missing,
corrupt or failed file, files of different profiles, two launches with the
same benchmark) ends in one `fatal: ...` line, exit 2, and OUT as it was.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

# The Python harness's result writer: one way of publishing a result file.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "python"))
from cvppy.results import publish  # noqa: E402


class InputError(Exception):
    pass


def read(path: Path) -> dict:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(f"{path}: no such file (did its mpiexec launch succeed?)") from None
    except RecursionError:
        # Python's parser recurses once per level: a file nested a few
        # thousand levels deep is not a result file, and no traceback.
        raise InputError(f"{path}: not a JSON result file (nested too deeply)") from None
    except (OSError, UnicodeDecodeError, ValueError) as e:  # ValueError: JSONDecodeError too
        raise InputError(f"{path}: not a JSON result file ({e})") from None
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("files", nargs="+", type=Path, metavar="FILE.json")
    parser.add_argument("-o", "--out", type=Path, required=True, metavar="OUT.json")
    args = parser.parse_args(argv)
    try:
        if args.out.is_dir() or str(args.out).endswith("/") or args.out.suffix != ".json":
            raise InputError(f"-o is '{args.out}'; allowed: a file path (OUT.json)")
        files = [read(p) for p in args.files]
        publish(merge(files, args.files), args.out)
    except InputError as e:
        print(f"fatal: {e}", file=sys.stderr)
        return 2
    except OSError as e:
        print(f"fatal: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("fatal: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - one line, never a traceback
        print(f"fatal: {type(e).__name__}: {' '.join(str(e).split())[:300]}", file=sys.stderr)
        return 1
    print(f"merge_results: wrote {args.out} ({len(files)} launches)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
