"""Text from input files made safe to print: one line, no terminal controls."""

from __future__ import annotations


def one_line(text: object, limit: int = 300) -> str:
    """`text` as one printable line of at most `limit` characters."""
    s = " ".join(str(text).split())
    s = "".join(c if c.isprintable() else "?" for c in s)
    return s if len(s) <= limit else s[:limit - 3] + "..."


def console_text(text: str) -> str:
    """`text` with every character a terminal could act on (escape sequences
    and other controls, bidirectional overrides, lone surrogates) written as
    a Python escape such as \\x1b; newlines and tabs are kept."""
    if text.replace("\n", "").replace("\t", "").isprintable():
        return text
    return "".join(c if c.isprintable() or c in "\n\t" else _escape(c) for c in text)


def _escape(c: str) -> str:
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}" if n < 0x10000 else f"\\U{n:08x}"
