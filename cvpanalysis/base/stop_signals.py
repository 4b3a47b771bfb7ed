"""SIGINT, SIGTERM and SIGHUP: turned into an exception that unwinds cleanly,
or held back while a series of renames completes."""

from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator, NoReturn

# The signals that end a run cleanly: Ctrl-C, kill, and a closed terminal.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Interrupted(BaseException):
    """SIGINT, SIGTERM or SIGHUP. A BaseException like KeyboardInterrupt, so that it
    unwinds through every `finally` and `with` (temporary files and folders
    are removed) and is not mistaken for a failure by `except Exception`."""


def _interrupt(signum: int, frame: object) -> NoReturn:
    # A second signal while unwinding would cut the clean-up short, so from the
    # first one on both are ignored; the process ends as soon as it is done.
    for s in STOP_SIGNALS:
        signal.signal(s, signal.SIG_IGN)
    raise Interrupted(signal.Signals(signum).name)


def catch_signals() -> dict[int, object]:
    """Installs `_interrupt` for STOP_SIGNALS; returns the handlers it
    replaced (none outside the main thread, where Python allows no handler)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {s: signal.signal(s, _interrupt) for s in STOP_SIGNALS}


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP held back (delivered when the block ends), so an
    interrupt never stops a series of renames halfway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(STOP_SIGNALS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)
