"""The command line of the Python harnesses: flags, checks, the run, and the result file."""

from __future__ import annotations

import argparse
import datetime
import functools
import json
import re
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from cvppy import grid_facts, results, sysinfo, thread_limits
from cvppy.harnesses import HARNESSES, GridRequest, Harness, Overrides
from cvppy.models import registry
from cvppy.models.task_threads import TASK_THREAD_STACK_BYTES
from cvppy.params import (BadInput, check_bytes, check_range, check_repetitions,
                          check_rounds, check_sleep_us, check_tasks, check_workers)
from cvppy.runner import (Context, Point, Profile, calibrate, params_key, prepare_workloads,
                          run_all)
from cvppy.text import describe, shown
from cvppy.workloads.workload import Params, Workload

ROOT = Path(__file__).resolve().parents[3]

# Repetitions and least times as the C++ harnesses' (bench/grid_facts.json says why).
PROFILES = {name: Profile(name, grid_facts.value(f"profiles.{name}.repetitions"),
                          grid_facts.value(f"profiles.{name}.min_time_s"))
            for name in grid_facts.PROFILES}

INT_AXES = {"tasks": check_tasks, "workers": check_workers, "sleep_us": check_sleep_us,
            "bytes": check_bytes, "rounds": check_rounds,
            "conn_per_task": lambda v: check_range("conn_per_task", v, 0, 1),
            "cold": lambda v: check_range("cold", v, 0, 1)}


# Whole numbers are ASCII digits: int() would also take '٦٤', '6_4' and ' 64'. The
# optional '-' is only there so that '-3' gets the clearer "allowed: 1 to ..." message.
WHOLE = re.compile(r"-?[0-9]+")
DECIMAL = re.compile(r"[0-9]+(\.[0-9]*)?|\.[0-9]+")


class Terminated(BaseException):
    """SIGTERM or SIGHUP (a ctest timeout, a kill, a closed terminal): unwinds like an
    interrupt, so that every model's pool is closed and every worker reaped on the way out."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _raise_terminated(signum: int, frame: object) -> None:
    raise Terminated(signum)


def install_signal_handlers() -> None:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _raise_terminated)
    # CPython leaves SIGINT ignored when it starts ignored (a background job of a
    # non-interactive shell), so Ctrl-C or kill -INT would not end the run; the
    # C++ harnesses install their handler regardless, and so does this one.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    # A write over `ulimit -f` then fails with EFBIG, which is reported, instead
    # of killing the process without a word (CPython ignores it too; said here).
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


class _Once(argparse.Action):
    """Stores a flag's value, refusing a flag given twice (the last would silently win)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace,
                 values: object, option_string: str | None = None) -> None:
        given: set[str] = namespace.__dict__.setdefault("_given", set())
        if self.dest in given:
            raise BadInput(f"{option_string} is given twice; give it once (lists take commas)")
        given.add(self.dest)
        setattr(namespace, self.dest, True if self.nargs == 0 else values)


def _once_flag(p: argparse.ArgumentParser, flag: str, help_: str) -> None:
    p.add_argument(flag, action=_Once, nargs=0, default=False, help=help_)


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (BadInput), never a usage dump."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise BadInput(message)


VALUE_FLAGS = {
    "--out": "write Google Benchmark JSON to OUT, replacing it only when every benchmark "
             "succeeded; the replaced file moves to previous/ beside it",
    "--models": f"models to run; allowed: {', '.join(registry.names())}",
    "--tasks": "tasks per run, comma-separated, 1 to 1000000",
    "--workers": "workers for the models that take W, 1 to 256",
    "--sleep_us": "microseconds each task waits (io_sleep, shared_counter; net_rpc: the "
                 "server's delay)",
    "--bytes": "message bytes each task hashes (cpu_hash; net_rpc: the reply)",
    "--rounds": "chained SHA-256 rounds per task (cpu_hash)",
    "--conn_per_task": "1: each task connects, asks and closes; 0: it asks on a connection "
                       "opened before timing (net_rpc)",
    "--cold": "1: the file's page cache is dropped before each run; 0: it is kept warm "
              "(file_read)",
    "--data-dir": "the directory file_read makes its 64 MiB file in, unlinked once open; on a "
                  "disk for cold=1, not tmpfs (default: $CVP_DATA_DIR, else /var/tmp)",
    "--repetitions": "repetitions per benchmark (replaces the profile's)",
    "--min_time": "seconds each repetition is timed at least (replaces the profile's)",
}


def build_parser(description: str) -> argparse.ArgumentParser:
    p = _Parser(prog="cvp_py.py", description=description, allow_abbrev=False,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("workload", help=f"the harness to run: {', '.join(HARNESSES)}")
    p.add_argument("--profile", action=_Once, default="default",
                   help="the grid and repetitions to run: quick, default, full (default: default)")
    for flag, help_ in VALUE_FLAGS.items():
        p.add_argument(flag, action=_Once, help=help_)
    _once_flag(p, "--list", "print the grid's names and exit")
    _once_flag(p, "--debug", "show a traceback on an error")
    return p


def _ints(flag: str, text: str) -> tuple[int, ...]:
    values = [_whole(flag, item) for item in text.split(",")]
    return tuple(INT_AXES[flag](v) for v in values)


def overrides(args: argparse.Namespace, harness: Harness, prog: str) -> Overrides:
    found: dict[str, tuple] = {}
    for axis in INT_AXES:
        text = getattr(args, axis)
        if text is None:
            continue
        if axis in ("sleep_us", "bytes", "rounds", "conn_per_task", "cold") \
                and axis not in harness.axes:
            raise BadInput(f"--{axis} does not apply to {prog}")
        found[axis] = _ints(axis, text)
    if args.models is not None:
        found["models"] = tuple(registry.find(m).name for m in args.models.split(","))
    return Overrides(**found)


def profile_of(args: argparse.Namespace) -> Profile:
    if args.profile not in PROFILES:
        raise BadInput(f"profile is '{args.profile}'; allowed: {', '.join(PROFILES)}")
    profile = PROFILES[args.profile]
    reps, min_time = profile.repetitions, profile.min_time_s
    if args.repetitions is not None:
        reps = check_repetitions(_whole("repetitions", args.repetitions))
    if args.min_time is not None:
        if not DECIMAL.fullmatch(args.min_time):
            raise BadInput(f"--min_time: {args.min_time!r} is not a number of seconds "
                           "(ASCII digits and one '.')")
        min_time = float(args.min_time)
        if not 0 <= min_time <= 60:
            raise BadInput(f"min_time is {args.min_time}; allowed: 0 to 60")
    return Profile(profile.name, reps, min_time)


def _whole(flag: str, text: str) -> int:
    if not WHOLE.fullmatch(text):
        raise BadInput(f"--{flag}: '{text}' is not a whole number")
    return int(text)


@dataclass(frozen=True)
class Plan:
    harness: Harness
    profile: Profile
    points: list[Point]
    out: Path | None
    budget: sysinfo.CpuBudget
    make_workload: Callable[[Params], Workload]


def plan(args: argparse.Namespace, prog: str) -> Plan:
    """Everything checked before anything runs: bad input raises BadInput here."""
    if args.workload not in HARNESSES:
        raise BadInput(f"workload is '{args.workload}'; allowed: {', '.join(HARNESSES)}")
    harness = HARNESSES[args.workload]
    out = results.check_out_path(args.out) if args.out is not None else None
    profile = profile_of(args)
    budget = sysinfo.cpu_budget()
    points = harness.grid(GridRequest(profile, overrides(args, harness, prog), budget.usable))
    if not points:
        raise BadInput("the grid is empty")
    return Plan(harness, profile, points, out, budget, workload_maker(args, harness, prog))


def workload_maker(args: argparse.Namespace, harness: Harness,
                   prog: str) -> Callable[[Params], Workload]:
    """The harness's make_workload with the options it takes (file_read's --data-dir)."""
    options = {"data_dir": args.data_dir}
    for name, given in options.items():
        if given is not None and name not in harness.options:
            raise BadInput(f"--{name.replace('_', '-')} does not apply to {prog}")
    return functools.partial(harness.make_workload,
                             **{k: v for k, v in options.items() if k in harness.options})


def check_threads(points: list[Point]) -> None:
    """A thread per task holds N threads at once: N must fit the machine's limits, refused
    here in one line rather than failing mid-run (as bench/harness.cpp). A pool's W (at
    most 256) is left to the run, where a thread that cannot start is an error row."""
    room = thread_limits.read_room_now()
    for p in points:
        facts = registry.find(p.model)
        if facts.family != "threads" or facts.concurrency_rule != "N":
            continue
        why = thread_limits.refusal(room, p.params.tasks, TASK_THREAD_STACK_BYTES)
        if why is not None:
            raise BadInput(f"tasks is {p.params.tasks} for {p.model}: {why}")


def context(plan_: Plan, prog: str, prepared: dict, load: dict) -> dict:
    models = sorted({registry.find(p.model) for p in plan_.points}, key=lambda m: m.order)
    ctx: dict[str, object] = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "executable": f"{sys.executable} {Path(sys.argv[0]).resolve()}",
        **sysinfo.machine_context(plan_.budget),
        "cvp_harness": prog,
        "cvp_language": "python",
        "cvp_profile": plan_.profile.name,
        "cvp_models": sysinfo.json_string([m.row() for m in models]),
        "cvp_load": sysinfo.json_string(load),
        "cvpbench_version": sysinfo.cvpbench_version(ROOT),
        **sysinfo.interpreter_context(),
        "py_processes_pool": "concurrent.futures.ProcessPoolExecutor, fork start method, "
                             "chunksize as multiprocessing.Pool.map: ceil(N / (4 W))",
        "py_processes_cpu": "workers' /proc/<pid>/schedstat run time",
    }
    for params, prep in sorted(prepared.items(), key=lambda kv: params_key(kv[0])):
        ctx[f"task_cpu_us/{params_key(params)}"] = f"{prep.task_cpu_s * 1e6:.3f}"
    return ctx


def execute(plan_: Plan, prog: str) -> int:
    """Runs the plan; with --out, as the one writer of that path (refused if another run
    holds it) until the result is published or kept as .failed."""
    if plan_.out is None:
        return measure_and_write(plan_, prog)
    with results.OutLock.take(plan_.out):
        return measure_and_write(plan_, prog)


def measure_and_write(plan_: Plan, prog: str) -> int:
    h = plan_.harness
    sysinfo.set_timer_slack_ns(1)
    load0 = sysinfo.load_sample(time.monotonic())
    prepared = prepare_workloads(plan_.points, plan_.make_workload)  # refuses what does not fit
    check_threads(plan_.points)  # after the memory checks, as bench/harness.cpp
    calibrate(prepared)
    print(f"{prog}: profile {plan_.profile.name}, {len(plan_.points)} benchmarks x "
          f"{plan_.profile.repetitions} repetitions"
          + (f", writing {plan_.out}" if plan_.out else ""), file=sys.stderr, flush=True)
    ctx = Context(plan_.profile, plan_.budget.usable, h.benchmark_name)
    rows, failed = run_all(ctx, plan_.points, prepared)
    load = sysinfo.load_summary(load0, sysinfo.load_sample(time.monotonic()))
    document = {"context": context(plan_, prog, prepared, load), "benchmarks": rows}
    noisy = len({r["run_name"] for r in rows if r.get("noisy")})
    if load["loaded"] or noisy:
        busy = "the machine was busy with other work; " if load["loaded"] else ""
        print(f"{prog}: warning: {busy}{noisy} noisy benchmarks (see cvp_load and noisy in "
              "the JSON)", file=sys.stderr)
    if failed:
        print(f"{prog}: error: {failed} benchmarks failed (see error_message above)",
              file=sys.stderr)
        if plan_.out is not None:
            kept = results.keep_failed(document, plan_.out)
            print(f"{prog}: {plan_.out} left unchanged; this run's JSON is in {kept}",
                  file=sys.stderr)
        return 1
    if plan_.out is not None:
        results.publish(document, plan_.out)
        print(f"{prog}: wrote {plan_.out}", file=sys.stderr)
    else:
        json.dump(document, sys.stdout, indent=2)
        print()
    return 0


def prog_name(argv: list[str]) -> str:
    """py_<harness> once the harness is known, for every message."""
    for arg in argv:
        if not arg.startswith("-"):
            return f"py_{arg}" if arg in HARNESSES else "cvp_py"
    return "cvp_py"


def one_line_thread_errors(prog: str, debug: bool) -> None:
    """An exception that ends a thread (one a library starts: a pool's manager or
    feeder) is one line too, as the error it causes is reported where it is seen."""
    def hook(args: threading.ExceptHookArgs) -> None:
        if debug:
            threading.__excepthook__(args)
        name = args.thread.name if args.thread is not None else "a thread"
        error = describe(args.exc_value) if args.exc_value is not None else args.exc_type.__name__
        print(shown(f"{prog}: error: in {name}: {error}"), file=sys.stderr)
    threading.excepthook = hook


def main(argv: list[str], description: str) -> int:
    prog = prog_name(argv)
    debug = "--debug" in argv
    install_signal_handlers()
    one_line_thread_errors(prog, debug)
    try:
        args = build_parser(description).parse_args(argv)
        p = plan(args, prog)
        if args.list:
            for point in p.points:
                print(p.harness.benchmark_name(point))
            return 0
        return execute(p, prog)
    except BadInput as e:
        print(shown(f"{prog}: error: {e}"), file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"{prog}: interrupted; nothing written", file=sys.stderr)
        return 130
    except Terminated as e:
        print(f"{prog}: terminated by {signal.Signals(e.signum).name}; nothing written",
              file=sys.stderr)
        return 128 + e.signum
    except Exception as e:  # noqa: BLE001 - one line, never a traceback (unless --debug)
        if debug:
            traceback.print_exc()
        print(shown(f"{prog}: error: {describe(e)}"), file=sys.stderr)
        return 1
