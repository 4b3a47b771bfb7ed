"""What the machine lets this process use, what else loads it, and the interpreter's facts
(src/sysinfo.cpp and the context part of bench/harness.cpp)."""

from __future__ import annotations

import ctypes
import json
import math
import os
import platform
import re
import resource
import signal
import ssl
import sys
from dataclasses import dataclass
from pathlib import Path

_PR_SET_PDEATHSIG = 1
_PR_SET_TIMERSLACK = 29
_PR_GET_TIMERSLACK = 30


@dataclass(frozen=True)
class CpuBudget:
    affinity: int
    cgroup_quota: float | None
    usable: int


def _cgroup_quota(path: Path = Path("/sys/fs/cgroup/cpu.max")) -> float | None:
    """cgroup v2 "cpu.max": "<quota> <period>" or "max <period>"."""
    try:
        quota, period = path.read_text().split()[:2]
        return None if quota == "max" or float(period) <= 0 else float(quota) / float(period)
    except (OSError, ValueError):
        return None


def cpu_budget() -> CpuBudget:
    affinity = max(1, len(os.sched_getaffinity(0)))
    quota = _cgroup_quota()
    usable = affinity if quota is None else min(max(math.ceil(quota), 1), affinity)
    return CpuBudget(affinity, quota, usable)


def _prctl(option: int, value: int) -> int:
    libc = ctypes.CDLL(None, use_errno=True)
    rc = libc.prctl(option, ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0),
                    ctypes.c_ulong(0))
    if rc < 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"prctl({option}): {os.strerror(errno)}")
    return rc


def die_with_parent(parent_pid: int) -> None:
    """In a child: SIGKILL when its parent dies (a SIGKILL, a closed terminal), so no
    worker is left behind holding the parent's stdout. Exits at once if the parent
    died before this was set: the child is already an orphan then."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent_pid:
        os._exit(1)


def set_timer_slack_ns(ns: int) -> None:
    """As the C++ harnesses: 1 ns, so a 10 ms sleep is not 50 us longer than asked.
    Set before any thread or child exists, so that all of them inherit it."""
    _prctl(_PR_SET_TIMERSLACK, ns)


def timer_slack_ns() -> int:
    return _prctl(_PR_GET_TIMERSLACK, 0)


def cpu_seconds_with_children() -> float:
    """CPU of this process and of its reaped children (getrusage), as timing.cpp."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


@dataclass(frozen=True)
class LoadSample:
    """One look at the machine: /proc/stat's busy and steal time, our own CPU, the load average."""

    wall: float
    busy_s: float
    steal_s: float
    total_s: float
    own_cpu_s: float
    loadavg: float


def cpu_times(stat_line: str, ticks: int) -> tuple[float, float, float]:
    """(busy, steal, total) seconds from /proc/stat's first line, as src/sysinfo.cpp
    reads it: steal is busy too, since time the hypervisor gave these CPUs to other
    guests is time this run could not have them."""
    fields = [int(v) / ticks for v in stat_line.split()[1:]]
    fields += [0.0] * (8 - len(fields))
    user, nice, system, idle, iowait, irq, softirq, steal = fields[:8]
    busy = user + nice + system + irq + softirq + steal
    return busy, steal, busy + idle + iowait


def load_sample(wall: float) -> LoadSample:
    with open("/proc/stat", encoding="ascii") as f:
        busy, steal, total = cpu_times(f.readline(), os.sysconf("SC_CLK_TCK"))
    with open("/proc/loadavg", encoding="ascii") as f:
        loadavg = float(f.read().split()[0])
    return LoadSample(wall=wall, busy_s=busy, steal_s=steal, total_s=total,
                      own_cpu_s=cpu_seconds_with_children(), loadavg=loadavg)


def load_summary(start: LoadSample, end: LoadSample) -> dict[str, float | bool]:
    """cvp_load of docs/result-format.md: the machine's CPU not spent by this harness
    (nor its children, all reaped by now), and the steal, over the run."""
    interval = max(end.wall - start.wall, 1e-9)
    other = max(0.0, (end.busy_s - start.busy_s) - (end.own_cpu_s - start.own_cpu_s)) / interval
    total = end.total_s - start.total_s
    steal_pct = 100 * (end.steal_s - start.steal_s) / total if total > 0 else 0.0
    return {"interval_s": round(interval, 3), "other_busy_cpus": round(other, 3),
            "steal_pct": round(steal_pct, 2), "loadavg_start": start.loadavg,
            "loadavg_end": end.loadavg, "loaded": other > 0.25 or steal_pct > 5}


def python_gil() -> str:
    is_enabled = getattr(sys, "_is_gil_enabled", None)
    return "no" if is_enabled is not None and not is_enabled() else "yes"


def cvpbench_version(root: Path) -> str:
    """The version in the top-level CMakeLists.txt's project() call."""
    try:
        text = (root / "CMakeLists.txt").read_text()
    except OSError:
        return "unknown"
    found = re.search(r"project\s*\(\s*cvpbench\b[^)]*\bVERSION\s+([0-9][0-9.]*)", text)
    return found.group(1) if found else "unknown"


def interpreter_context() -> dict[str, str]:
    try:
        import uvloop

        uvloop_version = uvloop.__version__
    except ImportError:
        uvloop_version = "none"
    return {
        "python_implementation": platform.python_implementation(),
        "python_version": platform.python_version(),
        "python_gil": python_gil(),
        "python_executable": sys.executable,
        "uvloop_version": uvloop_version,
        "openssl_version": ssl.OPENSSL_VERSION,
    }


def machine_context(budget: CpuBudget) -> dict[str, object]:
    return {
        "host_name": platform.node(),
        "num_cpus": os.cpu_count() or 1,
        "load_avg": list(os.getloadavg()),
        "cpus_affinity": str(budget.affinity),
        "cpus_cgroup_quota": "none" if budget.cgroup_quota is None else f"{budget.cgroup_quota:g}",
        "cpus_usable": str(budget.usable),
        "timer_slack_ns": str(timer_slack_ns()),
    }


def json_string(value: object) -> str:
    """A JSON value carried as a string in the context (cvp_models, cvp_load)."""
    return json.dumps(value, separators=(", ", ": "))
