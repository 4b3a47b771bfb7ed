"""plot.py's orchestration: inputs read and checked, the summary computed,
the output folder claimed, everything drafted, then published."""

from __future__ import annotations

import contextlib
import shutil
import sys
import tempfile
import warnings
from pathlib import Path

from ..base.errors import InputError, OutputError
from ..base.project import results_folder
from ..base.stop_signals import signals_deferred
from ..charts.every import CHART_STEMS, draw
from ..figures.canvas import write_draft
from ..output.publish import text_bytes
from ..reading.inputs import Inputs, cores_of, ours, read_inputs
from ..report.page import MAX_BYTES, REPORT_NAME, write_report
from ..summary.markdown import SUMMARY_NAME, summary_markdown
from ..summary.rows import summary_rows
from .folder import publish, say_replaced
from .ownership import Ownership


def default_inputs() -> list[Path]:
    """What plot.py reads when given nothing: the project's results/."""
    return [results_folder()]


def draft_all(inputs: Inputs, paths: list[Path], staging: Path, out: Path, summary: str | None,
              written: list[Path]) -> tuple[set[str], dict[str, Path], Path]:
    """Every chart, summary.md and report.html drafted into `staging`; returns
    the chart stems made, the drafts by name, and the report's draft."""
    with warnings.catch_warnings():
        # Layout advice from matplotlib (a crowded timeline) is not the reader's problem.
        warnings.simplefilter("ignore", UserWarning)
        made = draw(inputs, staging, written)
    if not made and summary is None:
        raise InputError(f"{paths[0]}: no benchmark row without an error; nothing to plot")
    drafts = {p.name: p for p in written}
    if summary is not None:
        write_draft(staging / SUMMARY_NAME, text_bytes(summary))
        drafts[SUMMARY_NAME] = staging / SUMMARY_NAME
    page = write_report(inputs, paths, staging, made, CHART_STEMS, out, summary)
    drafts[page.name] = page
    return made, drafts, page


def warn_about(inputs: Inputs) -> None:
    """One stderr line per skipped trace, row in error, empty file and loaded run."""
    for w in inputs.warnings:
        print(f"plot.py: warning: {w}", file=sys.stderr)
    for f in inputs.files:
        for e in f.errors:
            print(f"plot.py: warning: {f.path}: skipped a benchmark in error: {e}", file=sys.stderr)
        if not f.series:
            print(f"plot.py: warning: {f.path}: nothing to plot: every row is in error",
                  file=sys.stderr)
        if f.loaded:
            print(f"plot.py: warning: {f.path}: run under load ({f.load_note()})", file=sys.stderr)


def summary_of(inputs: Inputs) -> str | None:
    """summary.md's text; None when no row is one of cvpbench's tables' rows."""
    files, models = inputs.files, inputs.models
    io, cpu, mixed = ours(files, "io_sleep"), ours(files, "cpu_hash"), ours(files, "mixed")
    tables = any(s.key and s.key["workload"] in ("limits", "shared_counter")
                 for f in files for s in f.series.values())
    if not (io or cpu or mixed or tables):
        return None
    rows = summary_rows(io, cpu, mixed, models, cpus=cores_of(files, 0) or None)
    return summary_markdown(rows, files, models, models.gathering_loop())


def draft_and_publish(inputs: Inputs, paths: list[Path], out: Path, owner: Ownership,
                      summary: str | None) -> tuple[list[str], list[Path], Path]:
    """Everything drafted in a staging folder in `out` and moved in only when
    all of it succeeded (a failure leaves the old files intact); returns the
    names replaced, the charts written and the report's draft."""
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    staging: Path | None = None
    done = False
    try:
        # Made with the stop signals held back: a signal between mkdtemp and
        # this try would have left the folder behind (seen once under load).
        with signals_deferred():
            staging = Path(tempfile.mkdtemp(prefix=".plot-", dir=out))
        written: list[Path] = []
        try:
            made, drafts, page = draft_all(inputs, paths, staging, out, summary, written)
        except OutputError as e:
            # The user knows the output folder, not the staging folder in it.
            raise OutputError(str(e).replace(f"{staging}/", f"{out}/", 1)) from None
        sources = [f.path for f in inputs.files] + [t.path for t in inputs.traces]
        replaced = publish(drafts, out, owner, made, sources)
        done = True
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            # A folder this run made and filled with nothing is not left behind.
            with contextlib.suppress(OSError):
                out.rmdir()
    return replaced, written, page


def plot(paths: list[Path], out: Path | None, force: bool = False) -> int:
    """plot.py's work once its options are parsed."""
    # Every input is read and checked before anything is written.
    inputs = read_inputs(paths)
    warn_about(inputs)
    summary = summary_of(inputs)
    out = out or (paths[0] if paths[0].is_dir() else paths[0].parent)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: not a folder")
    owner = Ownership.of(out, force, default_inputs()[0])
    # The two names every run writes are checked before any drawing.
    owner.claim([n for n in (SUMMARY_NAME, REPORT_NAME)
                 if n != SUMMARY_NAME or summary is not None])
    replaced, written, page = draft_and_publish(inputs, paths, out, owner, summary)
    say_replaced(out, replaced, owner)
    if summary is not None:
        print(summary)
        print(f"wrote {out / SUMMARY_NAME}")
    for path in written:
        print(f"wrote {out / path.name}")
    print(f"wrote {out / page.name}")
    if (out / page.name).stat().st_size > MAX_BYTES:
        print(f"plot.py: warning: {out / page.name} is over "
              f"{MAX_BYTES // 2**20} MB", file=sys.stderr)
    return 0
