"""Reading /proc files as text through a function a test can replace with fixed text
(src/proc_text.hpp)."""

from __future__ import annotations

import re
from typing import Callable

# The text of a file, or None when it cannot be read.
ReadText = Callable[[str], "str | None"]


def read_text_file(path: str) -> str | None:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            return f.read()
    except OSError:
        return None


def proc_number(text: str | None) -> int | None:
    """The first whole number in `text` ("  4096 kB" -> 4096), or None."""
    found = re.search(r"[0-9]+", text) if text is not None else None
    return int(found.group()) if found else None


def proc_field(text: str | None, key: str) -> int | None:
    """The number after `key` on the line that starts with it ("Threads:\\t4" -> 4)."""
    for line in (text or "").splitlines():
        if line.startswith(key):
            return proc_number(line[len(key):])
    return None
