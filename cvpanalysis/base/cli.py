"""What every analysis command line shares: an option parser whose errors are
one line, and a runner that turns any failure into one line and an exit status."""

from __future__ import annotations

import argparse
import errno
import re
import resource
import signal
import sys
import traceback
import unicodedata
from pathlib import Path
from typing import Callable, NoReturn, TextIO

from .errors import EXIT_INTERRUPTED, InputError
from .stop_signals import Interrupted, catch_signals
from .text import console_text, one_line


class SafeConsole:
    """A text stream that passes on only what console_text lets through: names,
    host names and paths from input files reach the terminal as text, never
    as escape sequences."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(console_text(text))
        return len(text)

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def run_with_one_line_errors(prog: str, body: Callable[[], int], *, debug: bool,
                             failed_exit: int, plain: tuple[type, ...] = (OSError,)) -> int:
    """Runs a script's `body` and returns its exit status. Any exception ends
    as one `<prog>: error: ...` line on stderr, never a traceback (unless
    `debug`): InputError with exit 2, anything else with `failed_exit`. The
    `plain` types speak for themselves; others are named, with a pointer to
    --debug. SIGINT, SIGTERM and SIGHUP end in one `<prog>: interrupted` line and exit
    130, after `body` has cleaned up as it unwound. While `body` runs, what it
    prints passes through SafeConsole."""
    handlers = catch_signals()
    streams = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = SafeConsole(sys.stdout), SafeConsole(sys.stderr)
    try:
        return body()
    except InputError as e:
        print(f"{prog}: error: {one_line(e, 1000)}", file=sys.stderr)
        return 2
    except (Interrupted, KeyboardInterrupt):
        print(f"{prog}: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as e:  # noqa: BLE001 - one line, never a traceback (unless --debug)
        if debug:
            traceback.print_exc()
        what = failure_text(e, plain)
        print(f"{prog}: error: {what}", file=sys.stderr)
        return failed_exit
    finally:
        sys.stdout, sys.stderr = streams
        for signum, handler in handlers.items():
            signal.signal(signum, handler)


class _Once:
    """An option action that refuses to be given twice (argparse lets the
    last one win silently)."""

    seen = False

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        if self.option_strings:
            if self.seen:
                parser.error(f"{'/'.join(self.option_strings)} given more than once; "
                             "give it once")
            self.seen = True
        super().__call__(parser, namespace, values, option_string)  # type: ignore[misc]


class _StoreOnce(_Once, argparse._StoreAction):
    pass


class _StoreTrueOnce(_Once, argparse._StoreTrueAction):
    pass


# ASCII digits only (\\d takes every script's digits); inf and nan pass, for
# the callers' range checks to name.
_NUMBER = re.compile(r"[+-]?(?:(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
                     r"|(?i:inf|infinity|nan))")


def ascii_float(text: str) -> float:
    """An argparse type: a decimal number in ASCII digits ("5", "0.05",
    "1e-3"); float() alone also takes "٥", "5_0" and " 5"."""
    if not _NUMBER.fullmatch(text):
        raise argparse.ArgumentTypeError(f"{one_line(ascii(text), 60)} is not a number in ASCII "
                                         "digits (such as 5 or 0.05)")
    return float(text)


def ascii_int(text: str) -> int:
    """An argparse type: a whole number in ASCII digits."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise argparse.ArgumentTypeError(f"{one_line(ascii(text), 60)} is not a whole number in "
                                         "ASCII digits")
    return int(text)


def failure_text(e: Exception, plain: tuple[type, ...]) -> str:
    """An exception as the one line run_with_one_line_errors prints."""
    if isinstance(e, MemoryError):
        return f"out of memory (MemoryError{': ' + one_line(e, 200) if str(e) else ''}; " \
               "is the address space limited, ulimit -v?)"
    if isinstance(e, OSError) and e.errno in (errno.EMFILE, errno.ENFILE) and not e.filename:
        # Python leaves the file out when it was not the one opened (a pipe,
        # a socket, an import): say what the limit is.
        limit = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        return (f"too many open files ({one_line(e.strerror or e, 100)}; this process may "
                f"open {limit}, ulimit -n)")
    if isinstance(e, plain):
        return one_line(e, 500)
    return f"{type(e).__name__}: {one_line(e, 500)} (run with --debug for the traceback)"


class OneLineParser(argparse.ArgumentParser):
    """argparse whose errors are one `<prog>: error: ...` line and exit 2,
    not the usage block (--help still shows everything). An option given
    twice is refused (not the last one winning), and so are numbers in other
    than ASCII digits (type=float and type=int) and paths holding control
    characters (type=nonempty_path or Path)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.register("action", None, _StoreOnce)
        self.register("action", "store", _StoreOnce)
        self.register("action", "store_true", _StoreTrueOnce)
        self.register("type", float, ascii_float)
        self.register("type", int, ascii_int)
        self.register("type", Path, nonempty_path)

    def parse_known_args(self, args=None, namespace=None):
        for action in self._actions:
            if isinstance(action, _Once):
                action.seen = False
        return super().parse_known_args(args, namespace)

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {one_line(message, 500)} (see --help)\n")


def nonempty_path(text: str) -> Path:
    """An argparse type: a path that is not the empty string (which Path reads
    as ".", the current folder) and holds no control character (an escape
    sequence or a newline in a file name reaches terminals and logs)."""
    if not text:
        raise argparse.ArgumentTypeError("an empty path; give a file or folder name")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise argparse.ArgumentTypeError(f"{one_line(ascii(text), 200)} holds a control "
                                         "character; give a path without one")
    return Path(text)
