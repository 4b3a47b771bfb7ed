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


def plot(paths: list[Path], out: Path | None, force: bool = False) -> int:
    # Every input is read and checked before anything is written.
    inputs = read_inputs(paths)
    files, models = inputs.files, inputs.models
    for w in inputs.warnings:
        print(f"plot.py: warning: {w}", file=sys.stderr)
    for f in files:
        for e in f.errors:
            print(f"plot.py: warning: {f.path}: skipped a benchmark in error: {e}", file=sys.stderr)
        if not f.series:
            print(f"plot.py: warning: {f.path}: nothing to plot: every row is in error",
                  file=sys.stderr)
        if f.loaded:
            print(f"plot.py: warning: {f.path}: run under load ({f.load_note()})", file=sys.stderr)
    io, cpu, mixed = ours(files, "io_sleep"), ours(files, "cpu_hash"), ours(files, "mixed")
    tables = any(s.key and s.key["workload"] in ("limits", "shared_counter")
                 for f in files for s in f.series.values())
    summary = None
    if io or cpu or mixed or tables:
        rows = summary_rows(io, cpu, mixed, models, cpus=cores_of(files, 0) or None)
        summary = summary_markdown(rows, files, models, models.gathering_loop())
    out = out or (paths[0] if paths[0].is_dir() else paths[0].parent)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: not a folder")
    owner = Ownership.of(out, force, default_inputs()[0])
    # The two names every run writes are checked before any drawing.
    owner.claim([n for n in (SUMMARY_NAME, REPORT_NAME)
                 if n != SUMMARY_NAME or summary is not None])
    created = not out.exists()
    out.mkdir(parents=True, exist_ok=True)
    # Charts are drawn into a staging folder in the output folder and moved in
    # only when all of them succeeded: a failure leaves the old ones intact.
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
        sources = [f.path for f in files] + [t.path for t in inputs.traces]
        replaced = publish(drafts, out, owner, made, sources)
        done = True
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            # A folder this run made and filled with nothing is not left behind.
            with contextlib.suppress(OSError):
                out.rmdir()
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
