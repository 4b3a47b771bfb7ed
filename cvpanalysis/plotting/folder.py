"""Moving plot.py's drafts into the output folder, with a new manifest, and
saying what was replaced."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ..base.stop_signals import signals_deferred
from ..charts.every import is_chart_name
from ..output.manifest import MANIFEST_NAME, Manifest, fingerprint
from ..output.publish import Publisher
from .ownership import Ownership


def stale_charts(out: Path, made: set[str]) -> list[str]:
    """Chart files in `out` that this run did not make."""
    return sorted(p.name for p in out.iterdir()
                  if is_chart_name(p.name) and os.path.splitext(p.name)[0] not in made)


def publish(drafts: dict[str, Path], out: Path, owner: Ownership, made: set[str],
            inputs: list[Path]) -> list[str]:
    """Moves the drafts into `out` with a new manifest and removes the charts
    of an earlier plot.py run that this run did not make; returns the names
    replaced. Charts plot.py did not write are left where they are."""
    replaced = owner.claim(sorted(drafts))
    stale = stale_charts(out, made)
    removable = {n for n in stale if owner.mine(n)}
    for n in sorted(set(stale) - removable):
        print(f"plot.py: warning: left {out / n}: named like a chart, but plot.py did not "
              "write it", file=sys.stderr)
    entries = owner.carried(set(drafts), removable)
    with Publisher(inputs) as pub:
        for name, draft in sorted(drafts.items()):
            data = draft.read_bytes()
            pub.stage(out / name, data)
            entries[name] = fingerprint(data)
        pub.stage(out / MANIFEST_NAME, Manifest(out, entries).to_bytes())
        with signals_deferred():
            pub.commit()
            for n in sorted(removable):
                (out / n).unlink(missing_ok=True)
    if removable:
        print(f"plot.py: removed charts of an earlier run that this run did not make from {out}: "
              + ", ".join(sorted(removable)), file=sys.stderr)
    return replaced


def say_replaced(out: Path, replaced: list[str], owner: Ownership) -> None:
    """One line on stderr for what an earlier run left and this one replaced."""
    own = [n for n in replaced if n not in owner.foreign]
    if own:
        whose = "an earlier plot.py run" + (" (no manifest yet: results/ from before manifests)"
                                            if owner.adopt else "")
        print(f"plot.py: replaced in {out} the files of {whose}: {', '.join(own)}",
              file=sys.stderr)
    if owner.foreign:
        print(f"plot.py: replaced in {out} files plot.py had not written (--force): "
              + ", ".join(owner.foreign), file=sys.stderr)
