"""Input files read with bounds: regular files only, at most 64 MiB, JSON at
most 64 levels deep."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

from ..base.errors import InputError
from ..base.text import one_line

# An input file larger than this is refused unread. The largest committed
# result file is under 1 MB (results/baseline/io_sleep.json, 846 KB) and the
# full profile writes a few times the rows of the default one: 64 MiB leaves
# room for far larger grids while a stray /dev/zero or a 200 MB file ends in
# one line instead of gigabytes of memory.
MAX_INPUT_BYTES = 64 * 2**20
# JSON nested deeper than this is not a result file (ours nest 4 levels, and
# the JSON held in context strings 3); the bound keeps every later walk of the
# data far from Python's recursion limit.
MAX_DEPTH = 64


def file_kind(mode: int) -> str | None:
    """What a file of this st_mode is, in words; None for a regular file."""
    if stat.S_ISREG(mode):
        return None
    for test, words in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a FIFO"),
                        (stat.S_ISCHR, "a character device"), (stat.S_ISBLK, "a block device"),
                        (stat.S_ISSOCK, "a socket"), (stat.S_ISLNK, "a symbolic link")):
        if test(mode):
            return words
    return "not a regular file"


def _check_input(path: Path, st: os.stat_result, limit: int) -> None:
    kind = file_kind(st.st_mode)
    if kind == "a folder":
        raise InputError(f"{path}: is a folder, not a file")
    if kind is not None:
        raise InputError(f"{path}: is {kind}, not a regular file")
    if st.st_size > limit:
        raise InputError(f"{path}: {st.st_size} bytes; allowed: at most {limit // 2**20} MiB")


def read_bounded(path: Path, limit: int = MAX_INPUT_BYTES) -> bytes:
    """The bytes of the regular file `path`, at most `limit` of them;
    InputError otherwise. It is checked with stat before it is opened, so a
    FIFO is never opened (that blocks until a writer comes), then again on the
    descriptor, opened non-blocking, so a file swapped in between is caught;
    it is read with a bound, so a file that grows meanwhile is refused too."""
    try:
        _check_input(path, os.stat(path), limit)
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as e:
        raise InputError(f"{path}: cannot read ({one_line(e.strerror or e)})") from None
    try:
        _check_input(path, os.fstat(fd), limit)
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    except OSError as e:
        raise InputError(f"{path}: cannot read ({one_line(e.strerror or e)})") from None
    finally:
        os.close(fd)
    if left <= 0:
        raise InputError(f"{path}: grew past {limit // 2**20} MiB while being read; "
                         f"allowed: at most {limit // 2**20} MiB")
    return b"".join(chunks)


def too_deep(value: object, limit: int = MAX_DEPTH) -> bool:
    """Whether arrays and objects in `value` nest more than `limit` levels
    (walked without recursion)."""
    stack = [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            if depth > limit:
                return True
            stack.extend((v, depth + 1) for v in (node.values() if isinstance(node, dict)
                                                  else node))
    return False


def parse_json(text: str | bytes, where: str) -> object:
    """JSON text parsed, at most MAX_DEPTH levels deep; InputError naming `where`."""
    try:
        value = json.loads(text)
    except RecursionError:
        raise InputError(f"{where}: not JSON we can read (nested too deeply)") from None
    except ValueError as e:  # JSONDecodeError, and integers too long to convert
        raise InputError(f"{where}: not JSON ({one_line(e, 120)})") from None
    if too_deep(value):
        raise InputError(f"{where}: not JSON we can read (nested deeper than {MAX_DEPTH} levels)")
    return value


def read_json(path: Path) -> object:
    """Parses one file; InputError when it is missing, not a regular file, over
    MAX_INPUT_BYTES, unreadable or not JSON."""
    try:
        text = read_bounded(path).decode("utf-8")
    except UnicodeDecodeError as e:
        raise InputError(f"{path}: not JSON (not UTF-8 text at byte {e.start})") from None
    return parse_json(text, str(path))
