"""How the harness shows things in its one-line messages: an exception as text, and any
text with its control characters escaped, so no value echoed reaches the terminal raw."""

from __future__ import annotations

import unicodedata


def describe(e: BaseException) -> str:
    """An exception as one line: its text, or its type when it has none (MemoryError);
    an exception's text can span lines (a library's message), a message may not."""
    if isinstance(e, MemoryError):
        return "out of memory (MemoryError; is ulimit -v too low?)"
    text = " ".join(str(e).split())
    return text or type(e).__name__


def shown(text: str) -> str:
    """`text` with every control character (C0, DEL, C1: category Cc) as \\xNN, e.g.
    ESC as \\x1b: a flag's value echoed in a message could otherwise clear the
    screen or move the cursor. Applied where messages are printed, so every value
    in every message passes through it."""
    return "".join(f"\\x{ord(c):02x}" if unicodedata.category(c) == "Cc" else c
                   for c in text)
