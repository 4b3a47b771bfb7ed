"""Which files in plot.py's output folder are plot.py's to replace or remove."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ..base.errors import InputError
from ..output.manifest import Manifest
from ..output.publish import check_target


@dataclass
class Ownership:
    """Which files in the output folder plot.py may replace or remove: those
    its manifest lists and that still hold what it wrote. A folder without a
    manifest is the user's, except the project's own results/ folder, whose
    charts were committed by plot.py runs from before manifests: there the
    files at plot.py's names are taken as its own once, and the manifest
    written then takes over. --force replaces files at the names plot.py
    writes whoever wrote them (never a device, FIFO, folder or symlink)."""

    out: Path
    manifest: Manifest | None
    force: bool
    adopt: bool
    foreign: list[str] = field(default_factory=list)  # replaced under --force

    @classmethod
    def of(cls, out: Path, force: bool, home: Path) -> "Ownership":
        """The ownership of `out`; `home` is the project's own results/ folder."""
        try:
            manifest = Manifest.read(out) if out.is_dir() else None
        except InputError:
            if not force:
                raise
            manifest = None
        adopt = manifest is None and out.resolve() == home.resolve()
        return cls(out=out, manifest=manifest, force=force, adopt=adopt)

    def mine(self, name: str) -> bool:
        if self.manifest is not None:
            return self.manifest.owns(name)
        return self.adopt and (self.out / name).is_file() and not (self.out / name).is_symlink()

    def claim(self, names: list[str]) -> list[str]:
        """The names among `names` that exist in the folder (to be replaced);
        InputError for one that is not a regular file, or (without --force)
        one plot.py did not write."""
        existing = [n for n in names if os.path.lexists(self.out / n)]
        for n in existing:
            check_target(self.out / n)
        foreign = [n for n in existing if not self.mine(n)]
        if foreign and not self.force:
            more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
            raise InputError(f"{self.out / foreign[0]}: exists, and plot.py did not write it or "
                             f"it changed since{more}; refusing to replace it (--force "
                             "replaces it)")
        self.foreign = sorted(set(self.foreign) | set(foreign))
        return existing

    def carried(self, rewritten: set[str], removed: set[str]) -> dict[str, dict]:
        """Entries of the old manifest that still hold and stay in the folder."""
        if self.manifest is None:
            return {}
        return {n: e for n, e in self.manifest.files.items()
                if n not in rewritten | removed and self.manifest.owns(n)}
