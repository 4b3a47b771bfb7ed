"""A file's pages in the page cache: how many are resident (mincore), dropping them, and
whether the filesystem can drop them at all (file_read's cold runs).

Python has neither mincore nor statfs's f_type, so both are called through
ctypes on libc. mincore looks at a fresh PROT_READ mapping of the file: mapping
faults no page in, and the mapping is gone before the call returns, so it
never keeps a page resident that posix_fadvise(DONTNEED) should drop.
"""

from __future__ import annotations

import ctypes
import mmap
import os

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int,
                       ctypes.c_int, ctypes.c_long]
_libc.munmap.restype = ctypes.c_int
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_libc.mincore.restype = ctypes.c_int
_libc.mincore.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_void_p]
_libc.statfs.restype = ctypes.c_int
_libc.statfs.argtypes = [ctypes.c_char_p, ctypes.c_void_p]

_MAP_FAILED = ctypes.c_void_p(-1).value

# linux/magic.h: filesystems whose pages live only in memory, so DONTNEED cannot drop them.
MEMORY_FILESYSTEMS = {0x01021994: "tmpfs", 0x858458F6: "ramfs"}
# struct statfs is 120 bytes on 64-bit Linux; f_type (__fsword_t, a long) comes first.
_STATFS_BYTES = 256


def _oserror(what: str) -> OSError:
    errno = ctypes.get_errno()
    return OSError(errno, f"{what}: {os.strerror(errno)}")


def resident_pages(fd: int, size: int) -> int:
    """How many of the pages (mmap.PAGESIZE) of the first `size` bytes of `fd` are in the
    page cache."""
    if size <= 0:
        return 0
    pages = (size + mmap.PAGESIZE - 1) // mmap.PAGESIZE
    addr = _libc.mmap(None, size, mmap.PROT_READ, mmap.MAP_SHARED, fd, 0)
    if addr == _MAP_FAILED or addr is None:
        raise _oserror("mmap")
    try:
        vec = (ctypes.c_ubyte * pages)()
        if _libc.mincore(addr, size, vec) != 0:
            raise _oserror("mincore")
    finally:
        if _libc.munmap(addr, size) != 0:
            raise _oserror("munmap")
    # Bit 0 says resident; the kernel reserves the others.
    return sum(b & 1 for b in bytes(vec))


def drop(fd: int) -> None:
    """Asks the kernel to drop the file's clean pages from the page cache."""
    os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)


def memory_filesystem(path: str) -> str | None:
    """"tmpfs" or "ramfs" when `path` is on one (its pages cannot be dropped), else None."""
    buf = ctypes.create_string_buffer(_STATFS_BYTES)
    if _libc.statfs(os.fsencode(path), buf) != 0:
        raise _oserror("statfs")
    return MEMORY_FILESYSTEMS.get(ctypes.c_long.from_buffer(buf).value & 0xFFFFFFFF)
