"""Reading cvpbench results: result and trace files, benchmark names, model facts.

Shared by plot.py and compare.py. The file format is docs/result-format.md;
files that predate it (no `cvp_models` in the context) and Google Benchmark
files from other projects are read too. Anything unusable raises InputError,
whose message is one line naming the file and what is wrong with it.
"""

from __future__ import annotations

import argparse
import errno
import json
import math
import os
import re
import resource
import signal
import stat
import statistics
import sys
import threading
import traceback
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, NoReturn, TextIO

TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}
# Times outside this range (in ms) are not measurements: zero, negative, or so
# large that a ratio of two of them would overflow.
MIN_MS, MAX_MS = 1e-12, 1e10
# Counter values beyond this are not measurements either (bytes_per_second of
# a fast memcpy stays far below).
MAX_COUNTER = 1e15
# Benchmark name parameters beyond this make a name foreign, not an axis.
MAX_PARAM = 10**12
# Trace times (µs) beyond this are not a timeline anyone can draw.
MAX_TRACE_US = 1e12
SKIPPED_FOLDERS = ("previous", "baseline", "checks")
UNSTABLE_SUFFIXES = (".partial", ".failed")
NON_COUNTERS = {"real_time", "cpu_time", "iterations", "repetitions", "repetition_index", "threads",
                "family_index", "per_family_instance_index"}
# Google Benchmark appends one of these to names of benchmarks timed by wall clock.
TIME_SUFFIXES = ("/manual_time", "/real_time")
_WORD = re.compile(r"^[a-z][a-z0-9_]*$")
_PARAM = re.compile(r"^([a-z][a-z0-9_]*):(\d{1,13})$")
_SCENARIO = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")
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
EXIT_INTERRUPTED = 130


class InputError(Exception):
    """Input that cannot be used; the message is one line naming what is wrong."""


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


def _catch_signals() -> dict[int, object]:
    """Installs `_interrupt` for STOP_SIGNALS; returns the handlers it
    replaced (none outside the main thread, where Python allows no handler)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {s: signal.signal(s, _interrupt) for s in STOP_SIGNALS}


def run_with_one_line_errors(prog: str, body: Callable[[], int], *, debug: bool,
                             failed_exit: int, plain: tuple[type, ...] = (OSError,)) -> int:
    """Runs a script's `body` and returns its exit status. Any exception ends
    as one `<prog>: error: ...` line on stderr, never a traceback (unless
    `debug`): InputError with exit 2, anything else with `failed_exit`. The
    `plain` types speak for themselves; others are named, with a pointer to
    --debug. SIGINT, SIGTERM and SIGHUP end in one `<prog>: interrupted` line and exit
    130, after `body` has cleaned up as it unwound. While `body` runs, what it
    prints passes through SafeConsole."""
    handlers = _catch_signals()
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


# --------------------------------------------------------------------------- names

def strip_time_suffix(name: str) -> str:
    for suffix in TIME_SUFFIXES:
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def parse_name(name: str) -> dict | None:
    """The fields of a cvpbench benchmark name, or None for a foreign one.

    Grammar: <workload>/<model>/tasks:<N>/workers:<W>[/<axis>:<int>]...,
    e.g. .../sleep_us:<T>, /bytes:<B>, /rounds:<R>, /lock:0|1, /wait:0|1.
    sleep_us, bytes and rounds are 0 when absent (rounds 0: the workload's
    default); other axes appear only when the name has them."""
    if not isinstance(name, str):
        return None
    parts = strip_time_suffix(name).split("/")
    if len(parts) < 4 or not _WORD.match(parts[0]) or not _WORD.match(parts[1]):
        return None
    key: dict = {"workload": parts[0], "model": parts[1]}
    params: dict[str, int] = {}
    for part in parts[2:]:
        m = _PARAM.match(part)
        if not m or m[1] in params or m[1] in key:
            return None
        value = int(m[2])
        if value > MAX_PARAM:
            return None
        params[m[1]] = value
    if list(params)[:2] != ["tasks", "workers"] or params["tasks"] < 1 or params["workers"] < 1:
        return None
    key.update(params)
    for axis in ("sleep_us", "bytes", "rounds"):
        key.setdefault(axis, 0)
    return key


def size_label(key: dict, skip: Iterable[str] = ("tasks", "workers")) -> str:
    """The axes of a parsed name other than `skip`, as "k=v ..." (for tables)."""
    axes = {k: v for k, v in key.items() if k not in ("workload", "model", *skip)}
    return " ".join(f"{k}={v}" for k, v in axes.items() if v or k in ("lock", "wait")) or "—"


# --------------------------------------------------------------------------- models

@dataclass(frozen=True)
class ModelFacts:
    """One registry row, from a file's `cvp_models` or a trace's `model_facts`,
    or inferred for files that predate them (see `ModelRegistry`)."""

    name: str
    order: float
    family: str = "unknown"
    language: str = "unknown"
    takes_workers: bool = True
    fixed_workers: int | None = None
    twin: str = ""
    concurrency: str = ""
    parallelism: str = ""
    described: bool = False  # from the file itself, not inferred

    @property
    def is_python(self) -> bool:
        return self.language == "python"

    @property
    def parallel(self) -> bool:
        """Runs tasks on several threads or processes: families threads and
        processes, or, where the family is unknown, a model that takes W."""
        if self.family in ("threads", "processes"):
            return True
        return self.family == "unknown" and self.takes_workers


def facts_from_row(row: object, where: str) -> ModelFacts:
    """A ModelFacts from one registry row (a dict), or InputError naming `where`."""
    if not isinstance(row, dict) or not isinstance(row.get("name"), str) or not row["name"]:
        raise InputError(f"{where}: a model row without a string \"name\"")
    name = row["name"]

    def typed(key: str, types: tuple, default):
        value = row.get(key, default)
        if value is None:
            return default
        if isinstance(value, bool) and bool not in types:
            raise InputError(f"{where}: model {one_line(name, 60)}: {key} is {value!r}")
        if not isinstance(value, types):
            raise InputError(f"{where}: model {one_line(name, 60)}: {key} is "
                             f"{one_line(repr(value), 60)}")
        return value

    order = typed("order", (int, float), math.inf)
    if isinstance(order, float) and math.isnan(order):
        raise InputError(f"{where}: model {one_line(name, 60)}: order is NaN")
    fixed = typed("fixed_workers", (int,), None)
    return ModelFacts(name=name, order=float(order), family=typed("family", (str,), "unknown"),
                      language=typed("language", (str,), "unknown"),
                      takes_workers=typed("takes_workers", (bool,), True),
                      fixed_workers=fixed, twin=typed("twin", (str,), name) or name,
                      concurrency=str(typed("concurrency", (str, int), "")),
                      parallelism=str(typed("parallelism", (str, int), "")), described=True)


def _json_value(value: object, where: str, kind: type) -> object:
    """A context value that holds JSON as a string (or already decoded)."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            raise InputError(f"{where} is not JSON") from None
        if too_deep(value):
            raise InputError(f"{where} is nested deeper than {MAX_DEPTH} levels")
    if not isinstance(value, kind):
        raise InputError(f"{where} is not a JSON {'array' if kind is list else 'object'}")
    return value


class ModelRegistry:
    """Every model of a set of result and trace files, in display order.

    Facts come from the files (`cvp_models`, `model_facts`). A model no file
    describes (results written before the contract, foreign files) is placed
    after the described ones in the order it first appears, with family
    "unknown", its file's `cvp_language` (else "python" for a `py_` name), and
    the rule: a model whose rows all have W = 1 is fixed at 1 worker; any other
    takes W. Its twin is itself."""

    def __init__(self) -> None:
        self._facts: dict[str, ModelFacts] = {}
        self._seen: dict[str, tuple[str, set[int]]] = {}  # inferred: language, workers seen
        self._overlapped: set[str] = set()  # models seen with more than one task in flight

    def describe(self, facts: ModelFacts) -> None:
        if not (facts.name in self._facts and self._facts[facts.name].described):
            self._facts[facts.name] = facts

    def saw(self, model: str, workers: int, language: str = "", inflight: float = 0) -> None:
        if inflight > 1.5:
            self._overlapped.add(model)
        lang, ws = self._seen.setdefault(model, (language, set()))
        ws.add(workers)
        if not lang and language:
            self._seen[model] = (language, ws)

    def finish(self) -> "ModelRegistry":
        """Infers the facts of every model seen but not described."""
        for i, (name, (lang, ws)) in enumerate(self._seen.items()):
            if name in self._facts:
                continue
            language = lang or ("python" if name.startswith("py_") else "unknown")
            fixed = ws == {1}
            self._facts[name] = ModelFacts(name=name, order=1e6 + i, language=language,
                                           takes_workers=not fixed,
                                           fixed_workers=1 if fixed else None, twin=name)
        return self

    def __contains__(self, name: str) -> bool:
        return name in self._facts

    def __getitem__(self, name: str) -> ModelFacts:
        if name not in self._facts:  # a model seen after finish(): infer on the spot
            self.saw(name, 2)
            self.finish()
        return self._facts[name]

    def ordered(self, names: Iterable[str] | None = None) -> list[str]:
        """`names` (default: every model) in display order."""
        pool = self._facts if names is None else set(names)
        rank = {n: i for i, n in enumerate(self._facts)}
        return sorted(pool, key=lambda n: (self[n].order, rank.get(n, 1 << 30), n))

    def label(self, key: dict) -> str:
        """A model's legend label: its name, and W where the model takes workers."""
        facts = self[key["model"]]
        return key["model"] if not facts.takes_workers else f"{key['model']} (W={key['workers']})"

    def baseline(self) -> str | None:
        """The reference for "vs" ratios: the first model in display order that
        runs one task at a time (concurrency and parallelism 1; inferred: the
        first model fixed at one worker)."""
        for name in self.ordered():
            f = self[name]
            if f.described and f.concurrency == "1" and f.parallelism == "1":
                return name
            if not f.described and f.fixed_workers == 1:
                return name
        return None

    def gathering_loop(self) -> str | None:
        """The event loop that starts every task at once: the first one-thread
        model with concurrency N (inferred: the first model fixed at one worker
        that had more than one task in flight, by its peak_inflight counter)."""
        for name in self.ordered():
            f = self[name]
            if f.described:
                if f.family == "one_thread" and f.concurrency == "N":
                    return name
            elif f.fixed_workers == 1 and name in self._overlapped:
                return name
        return None


# --------------------------------------------------------------------------- results

@dataclass
class Series:
    """One benchmark's repetitions: times in ms and counters per repetition."""

    name: str  # without /manual_time
    times_ms: list[float] = field(default_factory=list)
    counters: dict[str, list[float]] = field(default_factory=dict)
    key: dict | None = None  # parsed grammar fields, None when foreign
    unit: str = "ms"  # the time unit of the file's rows

    @property
    def median_ms(self) -> float:
        return statistics.median(self.times_ms)

    def counter(self, name: str) -> float | None:
        values = self.counters.get(name)
        return statistics.median(values) if values else None

    @property
    def noisy(self) -> bool:
        return any(v >= 1 for v in self.counters.get("noisy", []))


@dataclass
class ResultFile:
    path: Path
    context: dict
    series: dict[str, Series]
    errors: list[str]  # "name: message" for rows in error (the benchmark is dropped)
    models: list[ModelFacts] = field(default_factory=list)
    failed: set[str] = field(default_factory=set)  # names of the benchmarks dropped
    load: dict | None = None  # the parsed cvp_load

    @property
    def loaded(self) -> bool:
        return bool(self.load and self.load.get("loaded") is True)

    @property
    def harness(self) -> str:
        value = self.context.get("cvp_harness")
        return value if isinstance(value, str) else ""

    def load_note(self) -> str:
        """What the harness saw of the machine's other load, in words."""
        if not self.load:
            return "no load sample"
        parts = []
        for key, fmt in (("other_busy_cpus", "{:.2f} other busy CPUs"),
                         ("steal_pct", "steal {:.1f}%"),
                         ("loadavg_end", "load average {:.2f} at the end")):
            v = self.load.get(key)
            if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
                parts.append(fmt.format(v))
        return ", ".join(parts) or "no figures"


@dataclass
class TraceEvent:
    ts: float  # µs since the run started
    dur: float
    pid: int | str
    tid: int | str
    index: int


@dataclass
class Trace:
    path: Path
    scenario: str
    model: str
    workers: int
    wall_ms: float
    events: list[TraceEvent]
    facts: ModelFacts | None


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


def is_trace(data: object) -> bool:
    """A Chrome trace event file (the timelines), not benchmark results."""
    return isinstance(data, dict) and "traceEvents" in data and "benchmarks" not in data


def _number(v: object) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _finite(v: object, limit: float) -> bool:
    """A number whose magnitude is at most `limit` (JSON integers may be too
    large for a float)."""
    try:
        return _number(v) and math.isfinite(float(v)) and abs(float(v)) <= limit
    except OverflowError:
        return False


def _row_problem(row: dict) -> str | None:
    """Why a successful row's time or counters cannot be used, or None."""
    unit = row.get("time_unit", "ns")
    if not isinstance(unit, str) or unit not in TO_MS:
        return f"time_unit is {one_line(repr(unit), 40)}; allowed: {', '.join(TO_MS)}"
    t = row.get("real_time")
    if not _number(t):
        return f"real_time is {one_line(repr(t), 40)}, not a number"
    ms = float(t) * TO_MS[unit] if _finite(t, math.inf) else math.inf
    if not MIN_MS <= ms <= MAX_MS:
        return (f"real_time is {t!r} {unit}; allowed: a finite time above 0 "
                f"and at most {MAX_MS:g} ms")
    for k, v in row.items():
        if k not in NON_COUNTERS and _number(v) and not _finite(v, MAX_COUNTER):
            return f"counter {one_line(k, 40)} is {v!r}"
    return None


def load(path: Path, data: object = None) -> ResultFile:
    """Reads one Google Benchmark JSON file; InputError when it is unusable.

    A benchmark with a repetition in error (or one whose time or counters are
    not finite, positive numbers) is dropped and listed in `errors`."""
    if data is None:
        data = read_json(path)
    if is_trace(data):
        raise InputError(f"{path}: a Chrome trace, not benchmark results")
    if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
        raise InputError(f"{path}: not Google Benchmark JSON (no \"benchmarks\" array)")
    if not data["benchmarks"]:
        raise InputError(f"{path}: the \"benchmarks\" array is empty")
    context = data.get("context") if isinstance(data.get("context"), dict) else {}
    rows = []
    errors: list[str] = []
    for i, r in enumerate(data["benchmarks"]):
        if not isinstance(r, dict):
            errors.append(f"row {i}: not an object")
        elif not isinstance(r.get("name"), str):
            errors.append(f"row {i}: name is {one_line(repr(r.get('name')), 40)}, not a string")
        else:
            run_name = r.get("run_name")
            rows.append(dict(r, run_name=run_name if isinstance(run_name, str) else r["name"]))
    iterations = [r for r in rows if r.get("run_type", "iteration") == "iteration"]
    # A benchmark reported by aggregates only (--benchmark_report_aggregates_only)
    # is represented by its median.
    with_iterations = {r["run_name"] for r in iterations}
    iterations += [r for r in rows if r.get("aggregate_name") == "median"
                   and r["run_name"] not in with_iterations]
    series: dict[str, Series] = {}
    failed: set[str] = set()
    for row in iterations:
        name = strip_time_suffix(row["run_name"])
        if row.get("error_occurred"):
            problem = one_line(row.get("error_message", "error"), 200)
        else:
            problem = _row_problem(row)
        if problem is not None:
            errors.append(f"{one_line(name, 200)}: {problem}")
            failed.add(name)
            continue
        unit = row.get("time_unit", "ns")
        s = series.setdefault(name, Series(name=name, key=parse_name(name), unit=unit))
        s.times_ms.append(float(row["real_time"]) * TO_MS[unit])
        for k, v in row.items():
            if _number(v) and k not in NON_COUNTERS:
                s.counters.setdefault(k, []).append(float(v))
    for name in failed:
        series.pop(name, None)
    models = []
    if "cvp_models" in context:
        where = f"{path}: context cvp_models"
        rows_ = _json_value(context["cvp_models"], where, list)
        models = [facts_from_row(r, f"{where}[{i}]") for i, r in enumerate(rows_)]
    load_sample = None
    if "cvp_load" in context:
        load_sample = _json_value(context["cvp_load"], f"{path}: context cvp_load", dict)
    return ResultFile(path=path, context=context, series=series, errors=errors, models=models,
                      load=load_sample, failed=failed)


def load_trace(path: Path, data: object) -> Trace | None:
    """One cvpbench timeline trace; None for a Chrome trace that is not ours
    (no otherData.model); InputError for one of ours that is malformed."""
    other = data.get("otherData") if isinstance(data, dict) else None
    if not isinstance(other, dict) or "model" not in other:
        return None
    model, workers, wall_ms = other.get("model"), other.get("workers", 1), other.get("wall_ms")
    if not isinstance(model, str) or not _WORD.match(model):
        raise InputError(f"{path}: otherData.model is {one_line(repr(model), 60)}, "
                         "not a model name")
    if not isinstance(workers, int) or isinstance(workers, bool) or not 1 <= workers <= MAX_PARAM:
        raise InputError(f"{path}: otherData.workers is {one_line(repr(workers), 40)}; "
                         "allowed: a whole number from 1")
    if not _finite(wall_ms, MAX_MS) or wall_ms < 0:
        raise InputError(f"{path}: otherData.wall_ms is {one_line(repr(wall_ms), 40)}; "
                         f"allowed: 0 to {MAX_MS:g}")
    scenario = other.get("scenario", path.parent.name)
    if not isinstance(scenario, str) or not _SCENARIO.match(scenario):
        raise InputError(f"{path}: otherData.scenario is {one_line(repr(scenario), 60)}; "
                         "allowed: letters, digits, _ . -")
    facts = None
    if other.get("model_facts") is not None:  # null: a model the registry does not describe
        facts = facts_from_row(other["model_facts"], f"{path}: otherData.model_facts")
    events_in = data.get("traceEvents")
    if not isinstance(events_in, list):
        raise InputError(f"{path}: traceEvents is not an array")
    events = []
    for i, e in enumerate(events_in):
        if not isinstance(e, dict):
            raise InputError(f"{path}: traceEvents[{i}] is {one_line(repr(e), 40)}, not an object")
        if e.get("ph") != "X":
            continue
        problem = None
        for k in ("ts", "dur"):
            v = e.get(k)
            if not _finite(v, MAX_TRACE_US) or v < 0:
                problem = f"{k} is {one_line(repr(v), 40)}; allowed: 0 to {MAX_TRACE_US:g} µs"
                break
        pid, tid = e.get("pid"), e.get("tid")
        args = e.get("args")
        index = args.get("index") if isinstance(args, dict) else None
        if problem is None and not all(isinstance(x, (int, str)) and not isinstance(x, bool)
                                       for x in (pid, tid)):
            problem = "pid and tid must be numbers or strings"
        if problem is None and (not isinstance(index, int) or isinstance(index, bool)
                                or not 0 <= index <= MAX_PARAM):
            problem = f"args.index is {one_line(repr(index), 40)}, not a task index"
        if problem:
            raise InputError(f"{path}: traceEvents[{i}]: {problem}")
        events.append(TraceEvent(ts=float(e["ts"]), dur=float(e["dur"]), pid=pid, tid=tid,
                                 index=index))
    return Trace(path=path, scenario=scenario, model=model, workers=workers, wall_ms=float(wall_ms),
                 events=events, facts=facts)


# Folders below an input folder deeper than this are refused: results nest
# two or three levels (results/<scenario>/...), and a bound keeps the walk
# short and its paths far below PATH_MAX.
MAX_FOLDER_DEPTH = 32


def _skipped_name(name: str) -> bool:
    """Results kept for comparisons, unfinished or failed output, hidden files."""
    return name in SKIPPED_FOLDERS or name.endswith(UNSTABLE_SUFFIXES) or name.startswith(".")


def walk_json(folder: Path, recursive: bool = True,
              max_depth: int = MAX_FOLDER_DEPTH) -> list[Path]:
    """Every *.json file in `folder` (and, when `recursive`, in the folders
    below it, symlinked folders not followed), sorted, except the names
    `_skipped_name` leaves out. Walked with a stack, not recursion;
    InputError naming `folder` for folders nested deeper than `max_depth`."""
    found: list[Path] = []
    stack = [(folder, 0)]
    while stack:
        here, depth = stack.pop()
        try:
            with os.scandir(here) as entries:
                listed = sorted(entries, key=lambda e: e.name)
        except OSError as e:
            raise InputError(f"{here}: cannot list the folder ({one_line(e.strerror or e)})") \
                from None
        for entry in listed:
            if _skipped_name(entry.name):
                continue
            if entry.is_dir(follow_symlinks=False):
                if not recursive:
                    continue
                if depth + 1 > max_depth:
                    raise InputError(f"{folder}: holds folders nested deeper than {max_depth} "
                                     f"levels (such as {one_line(entry.name, 60)} in "
                                     f"{one_line(here, 200)}); give a folder nearer the results")
                stack.append((Path(entry.path), depth + 1))
            elif entry.name.endswith(".json") and Path(entry.path).is_file():
                found.append(Path(entry.path))
    return sorted(found)


def expand(paths: Iterable[Path], recursive: bool = True) -> list[Path]:
    """Files as given; a folder stands for every *.json in it (and below it
    when `recursive`), except results kept for comparisons (previous/,
    baseline/, checks/), unfinished or failed output (*.partial, *.failed) and hidden
    staging folders."""
    result = []
    for p in paths:
        if p.is_dir():
            found = walk_json(p, recursive)
            if not found:
                raise InputError(f"{p}: folder holds no *.json file")
            result += found
        else:
            result.append(p)
    return result


@dataclass
class Inputs:
    files: list[ResultFile]
    traces: list[Trace]
    models: ModelRegistry
    warnings: list[str]


def read_inputs(paths: Iterable[Path], recursive: bool = True, traces: bool = True) -> Inputs:
    """Reads result files and (when `traces`) timeline traces from files and
    folders, and the facts of every model in them. Every input is read and
    checked before anything is returned."""
    files: list[ResultFile] = []
    found_traces: list[Trace] = []
    warnings: list[str] = []
    for path in expand(paths, recursive):
        data = read_json(path)
        if is_trace(data):
            if not traces:
                if recursive:
                    continue
                raise InputError(f"{path}: a Chrome trace, not benchmark results")
            trace = load_trace(path, data)
            if trace is None:
                warnings.append(f"{path}: a Chrome trace, but not one of cvpbench's; skipped")
            else:
                found_traces.append(trace)
        else:
            files.append(load(path, data))
    return Inputs(files=files, traces=found_traces, models=registry(files, found_traces),
                  warnings=warnings)


def registry(files: Iterable[ResultFile], traces: Iterable[Trace] = ()) -> ModelRegistry:
    reg = ModelRegistry()
    files, traces = list(files), list(traces)
    for f in files:
        for facts in f.models:
            reg.describe(facts)
    for t in traces:
        if t.facts is not None:
            reg.describe(t.facts)
    for f in files:
        language = f.context.get("cvp_language")
        language = language if isinstance(language, str) else ""
        for s in f.series.values():
            if s.key and s.key["workload"] != "limits":
                reg.saw(s.key["model"], s.key["workers"], language, s.counter("peak_inflight") or 0)
    for t in traces:
        reg.saw(t.model, t.workers)
    return reg.finish()


def t95(df: int) -> float:
    """The two-sided 95% quantile of Student's t with `df` degrees of freedom (scipy)."""
    from scipy import stats
    return float(stats.t.ppf(0.975, df))


def interval95(values: list[float]) -> tuple[float, float] | None:
    """The 95% interval of the mean of `values` (Student's t), as the harnesses
    write it in their ci95_low and ci95_high aggregates; None for fewer than two."""
    if len(values) < 2:
        return None
    mean, half = statistics.fmean(values), statistics.stdev(values) / math.sqrt(len(values))
    t = t95(len(values) - 1)
    return mean - t * half, mean + t * half


def overlaps(a: tuple[float, float] | None, b: tuple[float, float] | None) -> bool:
    """Two intervals share a value: the figures they bound cannot be ranked."""
    return a is not None and b is not None and a[0] <= b[1] and b[0] <= a[1]


def cores_of(files: Iterable[ResultFile], default: int) -> int:
    """The CPUs the harness could use (`cpus_usable`, else `num_cpus`)."""
    for f in files:
        for key in ("cpus_usable", "num_cpus"):
            v = f.context.get(key)
            try:
                n = int(v) if isinstance(v, (int, str)) and not isinstance(v, bool) else None
            except ValueError:
                n = None
            if n is not None and 1 <= n <= 1 << 20:
                return n
    return default


def ours(files: Iterable[ResultFile], workload: str) -> list[Series]:
    """Every series of `workload` named by the grammar, across files."""
    return [s for f in files for s in f.series.values()
            if s.key and s.key["workload"] == workload]
