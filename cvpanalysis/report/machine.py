"""The machine and software section: every file's context, load and noise."""

from __future__ import annotations

from pathlib import Path

from ..base.text import one_line
from ..reading.series import ResultFile
from .markup import esc, table_html
from .sections import relative, section


CONTEXT_KEYS = (
    ("host_name", "host"), ("cpus_usable", "CPUs usable"), ("num_cpus", "CPUs online"),
    ("cpus_affinity", "CPUs in the affinity mask"), ("cpus_cgroup_quota", "cgroup CPU quota"),
    ("mhz_per_cpu", "MHz per CPU"), ("cvp_profile", "profile"),
    ("cvpbench_version", "cvpbench"), ("libuv_version", "libuv"), ("tbb_version", "oneTBB"),
    ("openssl_version", "OpenSSL"), ("uv_threadpool_size", "UV_THREADPOOL_SIZE"),
    ("tbb_default_concurrency", "TBB default concurrency"), ("timer_slack_ns", "timer slack (ns)"),
    ("python_implementation", "Python"), ("python_version", "Python version"),
    ("python_gil", "GIL"), ("uvloop_version", "uvloop"),
    ("library_build_type", "Google Benchmark library build (Debian's, not this project's)"),
)


def context_values(files: list[ResultFile], key: str, out: Path) -> str:
    """One value, or each value with the files that have it."""
    values: dict[str, list[str]] = {}
    for f in files:
        if key in f.context:
            values.setdefault(one_line(f.context[key], 120), []).append(relative(f.path, out))
    if len(values) == 1:
        return esc(next(iter(values)))
    return "<br>".join(f"{esc(v)} <small>({esc(', '.join(names))})</small>"
                       for v, names in values.items())


def context_section(files: list[ResultFile], out: Path) -> str:
    rows = [[esc(label), context_values(files, key, out)] for key, label in CONTEXT_KEYS
            if any(key in f.context for f in files)]
    machine = table_html(["", "value"], rows) if rows else "<p>The files carry no context.</p>"
    per_file, classes = [], []
    for f in files:
        noisy = sorted(s.name for s in f.series.values() if s.noisy)
        load = ("loaded: " if f.loaded else "") + f.load_note()
        per_file.append([f"<code>{esc(relative(f.path, out))}</code>",
                         esc(f.harness or "—"), esc(f.context.get("cvp_language", "—")),
                         esc(f.context.get("cvp_profile", "—")),
                         esc(f.context.get("date", "—")),
                         esc(load), str(len(f.series)),
                         f"{len(noisy)} †" if noisy else "0", str(len(f.errors))])
        classes.append("loaded" if f.loaded or noisy else "")
    files_table = table_html(["file", "harness", "language", "profile", "date",
                              "other load during the run (cvp_load)", "benchmarks",
                              "noisy rows", "rows in error"], per_file, classes)
    flagged = [(f, s.name) for f in files for s in f.series.values() if s.noisy]
    notes = []
    if any(f.loaded for f in files):
        notes.append("<p><strong>Run under load:</strong> a file marked loaded was measured while "
                     "other work kept the machine busy; its times may be slow and its speedups "
                     "low.</p>")
    if flagged:
        items = "".join(f"<li><code>{esc(n)}</code> <small>({esc(f.path.name)})</small></li>"
                        for f, n in flagged[:200])
        notes.append(f"<details><summary>† {len(flagged)} noisy rows (coefficient of variation "
                     f"above 5% or paired speedups spread over 10%)</summary><ul>{items}</ul>"
                     "</details>")
    errors = [f"{f.path.name}: {e}" for f in files for e in f.errors]
    if errors:
        notes.append("<details><summary>" + f"{len(errors)} rows in error, left out</summary><ul>"
                     + "".join(f"<li>{esc(e)}</li>" for e in errors[:200]) + "</ul></details>")
    return section("context", "Machine and software", machine + files_table + "\n".join(notes))
