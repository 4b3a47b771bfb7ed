#!/usr/bin/python3
"""cvpbench's CPython harnesses: the workloads of the C++ harnesses under asyncio, uvloop,
threads and processes, written as the same Google Benchmark JSON.

usage: cvp_py.py WORKLOAD [--profile=quick|default|full] [--out=FILE.json] [grid flags]

WORKLOAD is io_sleep, cpu_hash, mixed, shared_counter, net_rpc or file_read. Models
(one module each under cvppy/models/, their facts in cvppy/models/registry.py):
py_serial, py_asyncio_sequential, py_asyncio (gather), py_uvloop (gather on
uvloop), py_asyncio_blocking (time.sleep in coroutines), py_asyncio_offload
(run_in_executor, W threads), py_threads (ThreadPoolExecutor(W)) and
py_processes (ProcessPoolExecutor of W forked workers, Pool.map's chunks).

Every run's digests are checked against a serial run after the clock stops; a
mismatch, a dead worker or an exception is an error row. With --out the file
is replaced only when every benchmark succeeded (the replaced one moves to
previous/ beside it); otherwise this run's JSON is kept as OUT.failed and the
exit status is 1. One run writes an OUT at a time: a second run on the same
OUT is refused (exit status 2) naming the pid in OUT.lock. OUT must be a
regular file or not exist yet, in a folder that takes a new file. Bad input:
one line on stderr, exit status 2, nothing written. Grid flags (--models, --tasks, --workers, --sleep_us, --bytes,
--rounds, --conn_per_task, --cold) are comma-separated lists that replace the profile's
grid. net_rpc asks the project's server, $CVP_RPC_SERVER or else build/net_rpc_server.
file_read reads a 64 MiB file it makes (and unlinks at once) in --data-dir, else
$CVP_DATA_DIR, else /var/tmp; one that cannot be made is bad input.

Run it with /usr/bin/python3 (Debian's, with python3-uvloop), e.g.
  /usr/bin/python3 bench/python/cvp_py.py io_sleep --profile=quick --list
  /usr/bin/python3 bench/python/cvp_py.py cpu_hash --out=results/py_cpu_hash.json
"""

import sys
from pathlib import Path

# The workloads, named here too (cvppy.harnesses.HARNESSES is the source) so that
# a failure to import cvppy itself still names the harness in its one line.
WORKLOADS = ("io_sleep", "cpu_hash", "mixed", "shared_counter", "net_rpc", "file_read")


def prog_name(argv: list[str]) -> str:
    """py_<workload> once the workload is known, as cvppy.cli.prog_name."""
    for arg in argv:
        if not arg.startswith("-"):
            return f"py_{arg}" if arg in WORKLOADS else "cvp_py"
    return "cvp_py"


def describe(e: BaseException) -> str:
    """One line for an exception, its type named: cvppy.text.describe, repeated here
    for a failure to import cvppy itself. MemoryError has no text of its own."""
    if isinstance(e, MemoryError):
        return "out of memory (MemoryError; is ulimit -v too low?)"
    text = " ".join(str(e).split())
    return f"{type(e).__name__}: {text}" if text else type(e).__name__


def failed(prog: str, where: str, e: BaseException, debug: bool) -> int:
    """The one line, and the exit status, for what escaped: 130 for an interrupt, 1 else."""
    if isinstance(e, KeyboardInterrupt):
        print(f"{prog}: interrupted; nothing written", file=sys.stderr)
        return 130
    if debug:
        import traceback
        traceback.print_exception(e)
    line = f"{prog}: error: {where}{describe(e)}"
    # Control characters escaped, as cvppy.text.shown does (cvppy may not import).
    print("".join(f"\\x{ord(c):02x}" if ord(c) < 32 or 127 <= ord(c) < 160 else c
                  for c in line), file=sys.stderr)
    return 1


def start(argv: list[str]) -> int:
    """Imports the harness and runs it; any failure, even of an import (a library
    that cannot be mapped under ulimit -v), is one line on stderr, never a traceback."""
    prog, debug = prog_name(argv), "--debug" in argv
    try:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from cvppy.cli import main
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - one line, never a traceback
        return failed(prog, "cannot start: ", e, debug)
    try:
        return main(argv, __doc__)
    except (Exception, KeyboardInterrupt) as e:  # noqa: BLE001 - main says its own; a last net
        return failed(prog, "", e, debug)


if __name__ == "__main__":
    sys.exit(start(sys.argv[1:]))
