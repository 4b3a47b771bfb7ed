"""summary.md: the answer table, notes on faults, noise and load, then the
other tables."""

from __future__ import annotations

from ..reading.models import ModelRegistry
from ..reading.series import ResultFile, Series
from .escape import md, md_code
from .tables import hand_out_markdown, limits_markdown, shared_counter_markdown

SUMMARY_NAME = "summary.md"


def below_limit(files: list[ResultFile], floor: float = 0.95) -> list[Series]:
    """The C++ and Python rows whose median vs_limit is below `floor`: the model
    spends more than the bare primitive it is built on needs."""
    rows = [s for f in files for s in f.series.values()
            if s.key and s.counter("vs_limit") is not None and s.counter("vs_limit") < floor]
    return sorted(rows, key=lambda s: s.counter("vs_limit"))


def summary_table(rows: list[dict], base: str, loop: str | None) -> list[str]:
    """The answer per question, one row each."""
    def x(v: float | None) -> str:
        return "—" if v is None else f"{v:.2f}x"

    lines = [f"| workload | size | N | fastest | ms per run | vs {md(base)} (95% CI) | "
             f"vs {md(loop or 'event loop')} | vs limit | tied with (intervals overlap) |",
             "|---|---|---:|---|---:|---:|---:|---:|---|"]
    for r in rows:
        ci = r["vs_serial_ci"]
        vs = x(r["vs_serial"]) + (f" ({ci[0]:.2f}-{ci[1]:.2f})" if ci else "")
        vs_limit = "—" if r["vs_limit"] is None else f"{r['vs_limit']:.2f}"
        mark = " †" if r["fastest_noisy"] else ""
        tied = ", ".join(md(t) for t in r["tied"]) or "—"
        lines.append(f"| {md(r['workload'])} | {md(r['size'])} | {r['tasks']} | "
                     f"{md(r['fastest'])}{mark} | "
                     f"{r['fastest_ms']:.1f} | {vs} | {x(r['vs_event_loop'])} | {vs_limit} | "
                     f"{tied} |")
    return lines


def summary_markdown(rows: list[dict], files: list[ResultFile], models: ModelRegistry,
                     loop: str | None = None) -> str:
    """summary.md: one table per question (who is fastest at each workload
    point, what handing out work costs, the primitives, lost updates), notes
    on faults, noise and load."""
    ctx = next((f.context for f in files if f.harness != "limits"),
               files[0].context if files else {})
    lines: list[str] = []
    noisy = sorted({s.name for f in files for s in f.series.values() if s.noisy})
    if rows:
        lines += ["### Who is fastest, per workload point\n"]
        lines += summary_table(rows, models.baseline() or "baseline", loop)
        lines.append(
            f"\nMedians over repetitions. Machine: {md(ctx.get('host_name', '?'))}, "
            f"{md(ctx.get('cpus_usable', ctx.get('num_cpus', '?')))} usable CPUs, "
            f"profile {md(ctx.get('cvp_profile', '?'))}, {md(ctx.get('date', '?'))}. "
            "Each model stands with its fastest configuration (W in brackets) and only "
            "against rows of the same task count N. Rows with a paired speedup (CPU work: "
            "each timed run against a serial run just before it) are ranked by it, others by "
            "their time; the interval is the 95% interval of the mean over the repetitions, "
            "and a model whose interval overlaps the fastest's is tied with it, not behind "
            "it. vs limit: the bare primitive's time / the fastest model's (1.00 = at the "
            "limit).")
    faults = [(r, f) for r in rows for f in r["faults"]]
    if faults:
        lines.append("\n**Measurement faults** (a paired speedup above the usable CPUs cannot "
                     "be real; never counted as a winner): "
                     + "; ".join(f"{md(r['workload'])} {md(r['size'])} N={r['tasks']}: "
                                 f"{md(label)} {value:.2f}x" for r, (label, value) in faults)
                     + ".")
    low = below_limit(files)
    if low:
        lines.append(f"\n**Below the bare primitive** (vs_limit under 0.95): {len(low)} rows; "
                     "the lowest: " + ", ".join(f"{md_code(s.name)} {s.counter('vs_limit'):.2f}"
                                                for s in low[:8])
                     + (f" and {len(low) - 8} more" if len(low) > 8 else "") + ".")
    if noisy:
        lines.append(f"\n† noisy: {len(noisy)} benchmarks have a coefficient of variation above "
                     "5% or paired speedups spread over 10% of their median (counter noisy = 1): "
                     + ", ".join(md_code(n) for n in noisy[:20])
                     + (f" and {len(noisy) - 20} more" if len(noisy) > 20 else "") + ".")
    for f in files:
        if f.loaded:
            lines.append(f"\n**Run under load:** {md_code(f.path.name)} was measured while the machine "
                         f"was busy with other work ({f.load_note()}); its times may be slow and "
                         "its speedups low.")
    lines += (hand_out_markdown(files, models) + limits_markdown(files)
              + shared_counter_markdown(files, models))
    return "\n".join(lines).lstrip("\n") + "\n"
