#!/usr/bin/python3
"""cvpbench's CPython harnesses: the workloads of the C++ harnesses under asyncio, uvloop,
threads and processes, written as the same Google Benchmark JSON.

usage: cvp_py.py WORKLOAD [--profile=quick|default|full] [--out=FILE.json] [grid flags]

WORKLOAD is io_sleep, cpu_hash, mixed or shared_counter. Models (one module
each under cvppy/models/, their facts in cvppy/models/registry.py):
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
--rounds) are comma-separated lists that replace the profile's grid.

Run it with /usr/bin/python3 (Debian's, with python3-uvloop and numpy), e.g.
  /usr/bin/python3 bench/python/cvp_py.py io_sleep --profile=quick --list
  /usr/bin/python3 bench/python/cvp_py.py cpu_hash --out=results/py_cpu_hash.json
"""

import os
import sys
from pathlib import Path

# numpy (which makes cpu_hash's messages) would start a BLAS thread per core at
# import; none is needed, and idle threads have no place in a parallelism count.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from cvppy.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], __doc__))
