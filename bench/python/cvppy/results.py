"""Result files: Google Benchmark JSON, written so that no reader ever sees half of one.

`publish` writes `<out>.partial`, flushes and fsyncs it, reads it back, then
hard-links the file it replaces into `previous/` beside it and renames the new
one over it: at every instant `<out>` is either the old or the new file, and
the old one is in `previous/` before the new one lands. A failed run keeps its
JSON as `<out>.failed` and leaves `<out>` alone.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from cvppy.params import BadInput


def check_out_path(text: str) -> Path:
    """Refuses, before anything runs, an --out that is not a plain file path."""
    path = Path(text)
    if text.endswith("/") or path.is_dir():
        raise BadInput(f"--out is '{text}'; allowed: a file path, not a directory")
    ancestor = path.absolute().parent
    while not ancestor.exists():
        ancestor = ancestor.parent
    if not ancestor.is_dir():
        raise BadInput(f"--out is '{text}'; allowed: a path whose parent is a directory "
                       f"('{ancestor}' is not)")
    return path


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def write_checked(document: dict, path: Path) -> None:
    """Writes `document` to `path`, on disk, and checks it reads back as JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        json.dump(document, f, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    with open(path, encoding="utf-8") as f:
        json.load(f)  # raises if what landed on disk is not the JSON written


def publish(document: dict, out: Path) -> None:
    """Replaces `out` by `document`, keeping the replaced file as previous/<name>."""
    partial = out.with_name(out.name + ".partial")
    write_checked(document, partial)
    if out.exists():
        previous = out.parent / "previous"
        previous.mkdir(exist_ok=True)
        staged = previous / (out.name + ".partial")
        staged.unlink(missing_ok=True)
        os.link(out, staged)
        os.replace(staged, previous / out.name)
    os.replace(partial, out)
    _fsync_dir(out.parent)


def keep_failed(document: dict, out: Path) -> Path:
    """Keeps a failed run's JSON beside `out` as `<out>.failed`; `out` is not touched."""
    failed = out.with_name(out.name + ".failed")
    partial = out.with_name(out.name + ".partial")
    write_checked(document, partial)
    os.replace(partial, failed)
    return failed
