"""matplotlib on the Agg backend, figures as PNG and SVG bytes, drafts on disk."""

from __future__ import annotations

from io import BytesIO
from pathlib import Path

from ..base.errors import OutputError
from ..base.text import one_line


def text(s: str) -> str:
    """Text from the data, safe from matplotlib's mathtext ($...$)."""
    return one_line(s, 120).replace("$", r"\$")


def figure_bytes(fig, formats: tuple[str, ...] = ("png", "svg")) -> dict[str, bytes]:
    """`fig` as PNG and SVG files' contents (or the `formats` asked for); no
    date in the SVG, so the same results give the same files."""
    result = {}
    for ext in formats:
        buf = BytesIO()
        fig.savefig(buf, format=ext, dpi=130 if ext == "png" else None, bbox_inches="tight",
                    metadata={"Date": None} if ext == "svg" else None)
        result[ext] = buf.getvalue()
    return result


def write_draft(path: Path, data: bytes) -> None:
    """A file in a private staging folder (made by mkdtemp: nobody else can
    plant anything there); OutputError naming it when it cannot be written."""
    try:
        path.write_bytes(data)
    except OSError as e:
        raise OutputError(f"{path}: cannot write ({one_line(e.strerror or e)})") from None


def save_figure(fig, stem: Path, written: list[Path],
                formats: tuple[str, ...] = ("png", "svg")) -> None:
    """`stem`.png and `stem`.svg (or the `formats` asked for)."""
    for ext, data in figure_bytes(fig, formats).items():
        path = stem.with_name(f"{stem.name}.{ext}")
        write_draft(path, data)
        written.append(path)


def pyplot():
    """matplotlib.pyplot on the Agg backend with stable SVG element ids."""
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams["svg.hashsalt"] = "cvpbench"
    import matplotlib.pyplot as plt

    return plt
