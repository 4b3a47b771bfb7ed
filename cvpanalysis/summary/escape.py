"""Text from the input as literal Markdown."""

from __future__ import annotations

import re

from ..base.text import one_line


# Characters that would make text from the input into Markdown or HTML:
# raw HTML (< > &), a table cell's end (|), a code span (`), emphasis (*),
# a link ([ ]), and the backslash that escapes them all.
_MD_ESCAPES = str.maketrans({"\\": "\\\\", "`": "\\`", "*": "\\*", "[": "\\[", "]": "\\]",
                             "|": "\\|", "&": "&amp;", "<": "&lt;", ">": "&gt;"})


def md(value: object) -> str:
    """Text from the input as literal Markdown text on one line (also in a table cell)."""
    return one_line(value, 300).translate(_MD_ESCAPES)


def md_code(value: object) -> str:
    """Text from the input as a Markdown code span: a fence of more backticks
    than the text holds in a row, so the text cannot end it (inside a code
    span HTML and Markdown are shown as they are). Not for table cells."""
    text = one_line(value, 300)
    fence = "`" * (max(map(len, re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"
