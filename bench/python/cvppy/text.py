"""How the harness shows things in its one-line messages: an exception as text."""

from __future__ import annotations


def describe(e: BaseException) -> str:
    """An exception as one line: its text, or its type when it has none (MemoryError);
    an exception's text can span lines (a library's message), a message may not."""
    if isinstance(e, MemoryError):
        return "out of memory (MemoryError; is ulimit -v too low?)"
    text = " ".join(str(e).split())
    return text or type(e).__name__
