"""Tests for bench/python/cvppy/sysinfo.py: the machine's CPU read as src/sysinfo.cpp reads it."""

import json
import subprocess
import sys
from pathlib import Path

PY = Path(__file__).resolve().parent.parent / "bench" / "python"


def evaluate(expression: str):
    """`expression` evaluated with cvppy.sysinfo imported, in the harness's own directory."""
    code = f"import json; from cvppy import sysinfo; print(json.dumps({expression}))"
    out = subprocess.run([sys.executable, "-c", code], cwd=PY, capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout)


def test_steal_counts_as_busy_as_in_cpp():
    # user nice system idle iowait irq softirq steal, in ticks of 1/100 s
    busy, steal, total = evaluate('sysinfo.cpu_times("cpu  100 10 50 800 20 5 5 40 0 0", 100)')
    assert (round(busy, 6), round(steal, 6), round(total, 6)) == (2.1, 0.4, 10.3)


def test_other_busy_cpus_includes_the_steal_of_the_interval():
    summary = evaluate(
        "sysinfo.load_summary("
        "sysinfo.LoadSample(wall=0, busy_s=1, steal_s=0, total_s=10, own_cpu_s=0, loadavg=0), "
        "sysinfo.LoadSample(wall=1, busy_s=2.5, steal_s=1, total_s=12, own_cpu_s=0.5, "
        "loadavg=0))")
    # 1.5 s busy, of which 1 s steal, less this process's 0.5 s: 1 CPU busy with others.
    assert summary["other_busy_cpus"] == 1.0 and summary["steal_pct"] == 50.0
    assert summary["loaded"] is True
