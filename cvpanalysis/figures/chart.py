"""What every chart module is given: the models, their styles, the core count,
and the folder it draws into."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..reading.models import ModelRegistry
from ..reading.series import Series
from . import canvas
from .styles import Style


@dataclass
class Chart:
    """What every chart needs: the models and their styles, and where to write."""

    models: ModelRegistry
    style: dict[str, Style]
    cores: int
    out: Path
    written: list[Path]

    def save(self, fig, stem: str) -> str:
        # Through the module, not an imported name: replacing canvas.save_figure
        # (the fuzz test renders small instead) reaches every chart.
        canvas.save_figure(fig, self.out / stem, self.written)
        canvas.pyplot().close(fig)
        return stem

    def in_order(self, series: list[Series]) -> list[str]:
        return self.models.ordered({s.key["model"] for s in series})

    def label(self, s: Series) -> str:
        return self.models.label(s.key)
