"""Where the project's own results are: the folder plot.py and compare.py
read by default."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def results_folder() -> Path:
    """results/ at the repository root."""
    return ROOT / "results"
