"""--json OUT and its chart (OUT.png, OUT.svg): published together, and
replaced only when compare.py wrote them."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ..base.errors import InputError
from ..charts import changes as changes_chart
from ..figures import canvas
from ..output.manifest import fingerprint, holds
from ..output.publish import Publisher
from ..reading.bounded import parse_json, read_bounded
from ..stats.change import Change


def chart_paths(json_out: Path) -> dict[str, Path]:
    """Where --json OUT puts its chart: OUT with .png and .svg suffixes."""
    stem = json_out.with_suffix("")
    return {ext: stem.with_name(f"{stem.name}.{ext}") for ext in ("png", "svg")}


def write_json_and_chart(json_out: Path, report: dict, changes: list[Change],
                         threshold_pct: float, metric: str, inputs: list[Path]) -> list[Path]:
    """--json OUT and its chart, each published whole or not at all."""
    json_out.parent.mkdir(parents=True, exist_ok=True)
    fig = changes_chart.chart_figure(changes, threshold_pct, metric)
    try:
        images = canvas.figure_bytes(fig)
    finally:
        canvas.pyplot().close(fig)
    # What compare.py wrote, so that a later run knows the chart as its own.
    report = dict(report, chart={ext: fingerprint(data) for ext, data in images.items()})
    with Publisher(inputs) as out:
        out.stage(json_out, (json.dumps(report, indent=2) + "\n").encode())
        for ext, path in chart_paths(json_out).items():
            out.stage(path, images[ext])
        return out.commit()


def written_charts(json_out: Path) -> dict:
    """The chart fingerprints an earlier compare.py run recorded in OUT
    ("chart": {"png": {"size", "sha256"}, ...}); {} when there are none."""
    try:
        data = parse_json(read_bounded(json_out), str(json_out))
    except InputError:
        return {}
    chart = data.get("chart") if isinstance(data, dict) else None
    return chart if isinstance(chart, dict) else {}


def claim_outputs(json_out: Path, force: bool) -> list[Path]:
    """The outputs that exist and will be replaced. InputError (without
    --force) for an OUT.png or OUT.svg compare.py did not write: one that OUT
    does not record, or that changed since."""
    charts = written_charts(json_out) if os.path.lexists(json_out) else {}
    existing = [p for p in (json_out, *chart_paths(json_out).values()) if os.path.lexists(p)]
    foreign = [path for ext, path in chart_paths(json_out).items()
               if path in existing and not (isinstance(charts.get(ext), dict)
                                            and holds(path, charts[ext]))]
    if foreign and not force:
        raise InputError(f"{foreign[0]}: exists, and compare.py did not write it or it changed "
                         "since; refusing to replace it (--force replaces it)")
    return existing
