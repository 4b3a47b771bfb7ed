"""--fail-on-regression: which changes trip the gate, and the lines that say so."""

from __future__ import annotations

from .change import Change

# compare.py's exit status when the gate trips (as for a failed benchmark).
EXIT_REGRESSION = 1


def regressions(changes: list[Change], fail_pct: float) -> list[Change]:
    """Significantly worse by more than `fail_pct`, or, where no test is
    possible, worse by more than `fail_pct` on the change alone."""
    return [c for c in changes if c.worse and abs(c.change_pct) > fail_pct
            and (c.direction == "slower" or not c.tested)]


def gate_lines(failing: list[Change], fail_pct: float) -> list[str]:
    """What compare.py says on stderr about the regressions `failing`."""
    lines = [f"compare.py: no significance test possible with {sizes[0]} vs {sizes[1]} "
             "repetitions; failing on the change alone"
             for sizes in sorted({(c.old_reps, c.new_reps) for c in failing if not c.tested})]
    untested = sum(not c.tested for c in failing)
    how = ("significantly slower" if not untested else "slower" if untested == len(failing)
           else f"slower ({len(failing) - untested} significantly, {untested} untested)")
    lines.append(f"FAIL: {len(failing)} benchmarks {how} by more than {fail_pct:g}%:")
    lines += [f"  {c.name}: {c.change_pct:+.1f}%{'' if c.tested else ' (untested)'}"
              for c in failing]
    return lines
