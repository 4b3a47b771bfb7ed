"""file_read: each task reads B bytes at an offset derived from its index from a file made
before timing, with the page cache warm or dropped before each run (src/workloads/file_read.cpp).

Task i reads at ((i * 2654435761) mod (kFilePages - ceil(B / 4096))) * 4096 and its
digest is the SHA-256 of the bytes read; the reference computes those bytes from
the page formula (data_file.page) without reading the file. Blocking tasks
(serial, threads, processes, the loop models that block or offload) call
os.pread on their own thread. asyncio has no asynchronous files: its coroutines
(asyncio and uvloop alike) await loop.run_in_executor(None, os.pread, ...), the
loop's default executor of min(32, cpus + 4) threads. So an event loop's "async"
disk IO is threads underneath, limited by that pool's size, as libuv's uv_fs_read
is its threadpool's.

The default executor is made and its threads started before the clock, in
open_async, as libuv's threadpool is running after its first use: a run times
the reads, not thread starts. It is shut down with the loop.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from concurrent.futures import ThreadPoolExecutor

from cvppy import data_file
from cvppy.data_file import FILE_PAGES, PAGE_BYTES, DataFile
from cvppy.models.threads import started_thread_pool
from cvppy.params import check_range, check_tasks
from cvppy.workloads.workload import BlockingEnv, LoopEnv, Params, Workload

MAX_READ_BYTES = 1 << 20
_MASK = (1 << 64) - 1
_MULTIPLIER = 2654435761  # Knuth's multiplicative hash: neighbouring tasks land far apart


def offset(index: int, nbytes: int) -> int:
    """Where task `index` reads its `nbytes`: a whole page, the read inside the file."""
    pages = (nbytes + PAGE_BYTES - 1) // PAGE_BYTES
    return ((index * _MULTIPLIER) & _MASK) % (FILE_PAGES - pages) * PAGE_BYTES


def expected(index: int, nbytes: int) -> bytes:
    """The bytes task `index` reads, from the page formula alone."""
    first = offset(index, nbytes) // PAGE_BYTES
    pages = (nbytes + PAGE_BYTES - 1) // PAGE_BYTES
    return b"".join(data_file.page(first + k) for k in range(pages))[:nbytes]


def default_executor_threads() -> int:
    """The threads asyncio's default executor gets: ThreadPoolExecutor's default."""
    return min(32, (os.cpu_count() or 1) + 4)


class ShortRead(RuntimeError):
    """A read that returned fewer bytes than asked: the run fails, never a number. (Not an
    OSError: a loop model reports those as its own failure, without the message.)"""


class FileRead(Workload):
    name = "file_read"

    def __init__(self, params: Params, data: DataFile) -> None:
        check_tasks(params.tasks)
        check_range("bytes", params.bytes, 1, MAX_READ_BYTES)
        super().__init__(Params(tasks=params.tasks, bytes=params.bytes, cold=params.cold))
        self.data = data
        self._executor: ThreadPoolExecutor | None = None

    @property
    def hashes_only(self) -> bool:
        return False  # every task waits on its read

    def compute(self, index: int) -> bytes:
        return hashlib.sha256(expected(index, self.params.bytes)).digest()

    def before_run(self) -> None:
        if self.params.cold:
            self.data.make_cold()
        else:
            self.data.make_warm()

    def _checked(self, index: int, got: bytes) -> bytes:
        if len(got) != self.params.bytes:
            raise ShortRead(f"task {index}: read {len(got)} of {self.params.bytes} bytes at "
                            f"offset {offset(index, self.params.bytes)}")
        return hashlib.sha256(got).digest()

    def task(self, index: int, env: BlockingEnv) -> bytes:
        env.gauge.enter(index)
        nbytes = self.params.bytes
        digest = self._checked(index, os.pread(self.data.fd, nbytes, offset(index, nbytes)))
        env.gauge.leave(index)
        return digest

    async def task_async(self, index: int, env: LoopEnv) -> bytes:
        env.gauge.enter(index)
        nbytes = self.params.bytes
        got = await asyncio.get_running_loop().run_in_executor(
            None, os.pread, self.data.fd, nbytes, offset(index, nbytes))
        digest = self._checked(index, got)
        env.gauge.leave(index)
        return digest

    async def open_async(self) -> None:
        await self.close_async()
        self._executor = started_thread_pool(default_executor_threads(), "asyncio")
        asyncio.get_running_loop().set_default_executor(self._executor)

    async def close_async(self) -> None:
        executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True)


def make(params: Params, data_dir: str | None = None) -> FileRead:
    """The workload on the run's shared file in `data_dir` (default: data_file.default_dir()),
    made by the first one, before any timing."""
    directory = data_dir if data_dir is not None else data_file.default_dir()
    return FileRead(params, data_file.shared_file(directory, params.cold))
