"""plot.py's manifest: which files in an output folder plot.py wrote, so that
it replaces or removes only those."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from ..base.errors import InputError
from ..base.text import one_line
from ..reading.bounded import file_kind, parse_json, read_bounded
from .publish import check_target

MANIFEST_NAME = ".cvp-plot-manifest.json"
MANIFEST_FORMAT = "cvpbench plot.py manifest 1"


def fingerprint(data: bytes) -> dict:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@dataclass(frozen=True)
class Manifest:
    """The files plot.py wrote into a folder: name -> {"size", "sha256"}."""

    folder: Path
    files: dict[str, dict]

    @classmethod
    def read(cls, folder: Path) -> "Manifest | None":
        """The folder's manifest; None when it has none; InputError when the
        file there is not a manifest plot.py wrote."""
        path = folder / MANIFEST_NAME
        try:
            os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise InputError(f"{path}: cannot read ({one_line(e.strerror or e)})") from None
        check_target(path)
        data = parse_json(read_bounded(path), str(path))
        files = data.get("files") if isinstance(data, dict) else None
        if (not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT
                or not isinstance(files, dict)
                or not all(isinstance(v, dict) and isinstance(v.get("size"), int)
                           and isinstance(v.get("sha256"), str) for v in files.values())):
            raise InputError(f"{path}: not a manifest plot.py wrote; remove it, or run with "
                             "--force")
        return cls(folder, files)

    def owns(self, name: str) -> bool:
        """Whether `name` is in the manifest and the file there is still what
        plot.py wrote (a regular file of the same size and hash)."""
        entry = self.files.get(name)
        return entry is not None and holds(self.folder / name, entry)

    def to_bytes(self) -> bytes:
        return (json.dumps({"format": MANIFEST_FORMAT, "files": dict(sorted(self.files.items()))},
                           indent=1) + "\n").encode()


def holds(path: Path, entry: dict) -> bool:
    """Whether `path` is a regular file with the size and hash of `entry`."""
    try:
        st = os.lstat(path)
        if file_kind(st.st_mode) is not None or st.st_size != entry["size"]:
            return False
        return fingerprint(read_bounded(path, max(st.st_size, 1)))["sha256"] == entry["sha256"]
    except (OSError, InputError):
        return False
