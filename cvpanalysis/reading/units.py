"""Time units: Google Benchmark's, and a time printed in the unit that suits it."""

from __future__ import annotations

TO_MS = {"ns": 1e-6, "us": 1e-3, "ms": 1.0, "s": 1e3}


def scaled_time(ms: float) -> str:
    """A time in the unit that puts it between 1 and 1000 (ns below 1 ns)."""
    for unit in ("s", "ms", "us"):
        if ms >= TO_MS[unit]:
            return f"{ms / TO_MS[unit]:.3f} {unit}"
    return f"{ms / TO_MS['ns']:.3f} ns"
