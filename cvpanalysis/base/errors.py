"""The analysis tools' errors and exit statuses."""

from __future__ import annotations

# Exit statuses of plot.py and compare.py (and of scripts built on them):
# 1 a failure that is not the input's (a write that failed, a bug), 2 bad
# input, 130 interrupted.
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Input that cannot be used; the message is one line naming what is wrong."""


class OutputError(Exception):
    """An output file could not be written; the message names it."""
