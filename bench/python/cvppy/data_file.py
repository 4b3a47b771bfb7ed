"""file_read's data file: 64 MiB whose page k is SHA-256(k, 8 bytes little-endian) repeated
128 times, made once before any timing and shared by every file_read workload of a run.

It is made in the --data-dir (default $CVP_DATA_DIR, else /var/tmp) as a unique
temporary file, unlinked as soon as it is open, so nothing is left behind even
on a kill; written and fsync'd, so every page is clean and can be dropped.
Forked workers inherit the open descriptor. A file that cannot be made, or whose
pages cannot be dropped when a cold run is asked, is BadInput: one line naming
the directory and why, before any benchmark runs. posix_fadvise(RANDOM) keeps
readahead from turning one 4 KiB read into 128 KiB.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import tempfile

from cvppy import page_cache
from cvppy.params import BadInput

ENV = "CVP_DATA_DIR"
DEFAULT_DIR = "/var/tmp"
PAGE_BYTES = 4096
FILE_PAGES = 16384  # kFilePages: 64 MiB
FILE_BYTES = PAGE_BYTES * FILE_PAGES
# A cold run may start with at most this share of the pages still resident.
COLD_RESIDENT_SHARE = 0.01
WRITE_PAGES = 256  # 1 MiB a write


def page(k: int) -> bytes:
    """Page k of the file: its SHA-256 of k repeated to fill 4096 bytes."""
    return hashlib.sha256(k.to_bytes(8, "little")).digest() * (PAGE_BYTES // 32)


def default_dir() -> str:
    return os.environ.get(ENV) or DEFAULT_DIR


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _cannot(directory: str, why: str) -> BadInput:
    return BadInput(f"file_read: cannot make its {FILE_BYTES >> 20} MiB file in "
                    f"'{directory}': {why}")


class DataFile:
    """The open, unlinked, written file; `fd` is what every task reads."""

    def __init__(self, directory: str) -> None:
        self.directory = directory
        self._droppable = False
        try:
            fd, path = tempfile.mkstemp(prefix="cvp_file_read.", dir=directory)
        except OSError as e:
            raise _cannot(directory, e.strerror or str(e)) from None
        try:
            os.unlink(path)
            for first in range(0, FILE_PAGES, WRITE_PAGES):
                _write_all(fd, b"".join(page(k) for k in range(first, first + WRITE_PAGES)))
            os.fsync(fd)
            os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_RANDOM)
        except OSError as e:
            os.close(fd)
            raise _cannot(directory, e.strerror or str(e)) from None
        self.fd = fd

    def resident(self) -> int:
        """How many of the file's 4 KiB pages are in the page cache (counted in the
        machine's pages, which may be larger)."""
        return page_cache.resident_pages(self.fd, FILE_BYTES) * mmap.PAGESIZE // PAGE_BYTES

    def check_droppable(self) -> None:
        """BadInput unless the file's pages can be dropped (cold runs): not on tmpfs or
        ramfs, and a drop really leaves at most 1% of them resident."""
        if self._droppable:
            return
        try:
            kind = page_cache.memory_filesystem(self.directory)
        except OSError as e:
            raise _cannot(self.directory, e.strerror or str(e)) from None
        if kind is not None:
            raise BadInput(f"file_read: '{self.directory}' is on {kind}, whose pages cannot "
                           "be dropped from memory: cold=1 needs a --data-dir on a disk")
        left = self.drop()
        if left > FILE_PAGES * COLD_RESIDENT_SHARE:
            raise BadInput(f"file_read: the page cache of a file in '{self.directory}' "
                           f"cannot be dropped ({left} of {FILE_PAGES} pages still resident): "
                           "cold=1 needs a --data-dir on a disk")
        self._droppable = True

    def drop(self) -> int:
        """Drops the file's pages from the page cache; how many are still resident."""
        page_cache.drop(self.fd)
        return self.resident()

    def make_cold(self) -> None:
        """Before a cold run: every page dropped, or the run is an error naming how many
        are left."""
        left = self.drop()
        if left > FILE_PAGES * COLD_RESIDENT_SHARE:
            raise RuntimeError(f"page cache not dropped: {left} of {FILE_PAGES} pages resident")

    def make_warm(self) -> None:
        """Before a warm run: the whole file read once unless every page is resident already
        (a cold run before may have dropped them), or the run is an error."""
        if self.resident() == FILE_PAGES:
            return
        for offset in range(0, FILE_BYTES, WRITE_PAGES * PAGE_BYTES):
            os.pread(self.fd, WRITE_PAGES * PAGE_BYTES, offset)
        left = FILE_PAGES - self.resident()
        if left > FILE_PAGES * COLD_RESIDENT_SHARE:
            raise RuntimeError(f"page cache not warm: {left} of {FILE_PAGES} pages not resident "
                               "after reading the whole file")

    def close(self) -> None:
        fd, self.fd = self.fd, -1
        if fd >= 0:
            os.close(fd)


# The file of this process's run, made by the first file_read workload: one 64 MiB
# file whatever the grid, as the net_rpc workloads share one server.
_shared: dict[str, DataFile] = {}


def shared_file(directory: str, cold: bool) -> DataFile:
    """The run's file in `directory`, made at the first call; checked droppable once a
    cold workload asks for it."""
    if directory not in _shared:
        if not os.path.isdir(directory):
            why = "no such directory" if not os.path.exists(directory) else "not a directory"
            raise _cannot(directory, why)
        _shared[directory] = DataFile(directory)
    data = _shared[directory]
    if cold:
        data.check_droppable()
    return data
