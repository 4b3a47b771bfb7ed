"""A colour, marker and line per model, from its family, order and twin."""

from __future__ import annotations

from dataclasses import dataclass

from ..reading.models import ModelRegistry

# Colours by family, handed out in display order; twins share one.
FAMILY_PALETTES = {
    "one_thread": ["#7f7f7f", "#1f77b4", "#9467bd", "#8c564b", "#aec7e8", "#c5b0d5", "#c49c94"],
    "threads": ["#2ca02c", "#17becf", "#bcbd22", "#98df8a", "#9edae5"],
    "processes": ["#d62728", "#ff7f0e", "#e377c2", "#ff9896", "#ffbb78"],
}
OTHER_PALETTE = ["#7f7f7f", "#1f77b4", "#17becf", "#8c564b", "#9467bd", "#2ca02c", "#d62728",
                 "#ff7f0e", "#e377c2", "#bcbd22", "#393b79", "#637939"]
MARKERS = "osvPX^DhpP*<>d"


@dataclass(frozen=True)
class Style:
    color: str
    marker: str
    linestyle: str
    hollow: bool  # Python models: hollow markers beside their twin's filled ones
    # Models earlier in the order get wider lines and larger markers, so that a
    # later line drawn over one with the same values leaves it visible.
    width: float = 1.5

    def line(self) -> dict:
        """Keyword arguments for plot/errorbar."""
        kw = {"color": self.color, "marker": self.marker, "linestyle": self.linestyle,
              "linewidth": self.width, "markersize": 2.5 + 2 * self.width}
        if self.hollow:
            kw["markerfacecolor"] = "white"
        return kw


def styles(models: ModelRegistry) -> dict[str, Style]:
    """A style per model from its family, order and twin (no model is named here)."""
    result: dict[str, Style] = {}
    per_family: dict[str, int] = {}
    owners = 0
    for name in models.ordered():
        facts = models[name]
        twin = facts.twin if facts.twin != name and facts.twin in models else None
        if twin is not None and twin not in result:
            continue  # styled with its twin below
        dash = "--" if facts.is_python else "-"
        if twin is not None:
            base = result[twin]
            result[name] = Style(base.color, base.marker, dash, facts.is_python, base.width)
            continue
        palette = FAMILY_PALETTES.get(facts.family, OTHER_PALETTE)
        rank = per_family.get(facts.family, 0)
        per_family[facts.family] = rank + 1
        used = {st.color for st in result.values()}
        # The family's next colour; else any colour no other model has yet.
        color = next((col for col in palette[rank:] + OTHER_PALETTE if col not in used),
                     palette[rank % len(palette)])
        result[name] = Style(color, MARKERS[owners % len(MARKERS)], dash,
                             facts.is_python, max(1.0, 3.0 - 0.3 * owners))
        owners += 1
    for name in models.ordered():  # twins whose twin comes later in the order
        if name not in result:
            base = result.get(models[name].twin) or Style("black", "x", "-", False)
            result[name] = Style(base.color, base.marker, "--" if models[name].is_python else "-",
                                 models[name].is_python)
    return result
