"""Tests for plot.py: charts from synthetic results with known numbers, and bad input."""

import hashlib
import errno
import json
import re
import os
import signal
import stat
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import pytest

from cvpanalysis.charts import cpu_speedup, efficiency
from cvpanalysis.charts.every import CHART_STEMS
from cvpanalysis.charts.timeline import _pack
from cvpanalysis.figures.interpreter import REEXEC_MARK, MissingMatplotlib, require_matplotlib
from cvpanalysis.figures.styles import styles
from cvpanalysis.output.manifest import MANIFEST_NAME
from cvpanalysis.output.publish import OutputError, Publisher
from cvpanalysis.plotting import command as plot_command
from cvpanalysis.reading.bounded import MAX_DEPTH, MAX_INPUT_BYTES
from cvpanalysis.reading.inputs import MAX_FOLDER_DEPTH, Inputs, expand, ours, read_inputs
from cvpanalysis.reading.load import load
from cvpanalysis.reading.models import ModelRegistry, facts_from_row
from cvpanalysis.stats.ranking import overhead_us
from cvpanalysis.summary.escape import md, md_code
from cvpanalysis.summary.rows import summary_rows

import plot


def row(name: str, ms: float, rep: int, reps: int, **counters) -> dict:
    return {"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
            "repetition_index": rep, "threads": 1, "iterations": 1, "real_time": ms,
            "cpu_time": ms, "time_unit": "ms", **counters}


def series(name: str, times: list[float], efficiency: list[float] | None = None,
           parallelism: float = 1.0) -> list[dict]:
    eff = efficiency or [0.9] * len(times)
    return [row(name, t, i, len(times), efficiency=e, parallelism=parallelism, ideal_ms=0.9 * t,
                vs_limit=0.95) for i, (t, e) in enumerate(zip(times, eff))]


def write(path: Path, rows: list[dict], **context) -> Path:
    path.write_text(json.dumps({"context": {"num_cpus": 2, "cpus_usable": "2", **context},
                                "benchmarks": rows}))
    return path


@pytest.fixture
def results(tmp_path: Path) -> tuple[Path, Path]:
    cpu = "cpu_hash/{}/tasks:100/workers:{}/bytes:64/manual_time"
    io = "io_sleep/{}/tasks:{}/workers:{}/sleep_us:10000/manual_time"
    cpu_rows = (series(cpu.format("serial", 1), [100, 102, 98], [1.0, 0.98, 1.02])
                + series(cpu.format("event_loop", 1), [101, 103, 101], [0.99, 0.97, 0.99])
                + series(cpu.format("tbb", 1), [100, 100, 100])
                + series(cpu.format("tbb", 2), [50, 52, 51], [0.98, 0.94, 0.96], parallelism=1.97)
                + series(cpu.format("fork", 2), [55, 54, 56], [0.91, 0.93, 0.89], parallelism=1.9))
    # The gathering loop has every task in flight at once: that is how a file
    # without model facts tells it from the other one-thread models.
    io_rows = (series(io.format("serial", 10, 1), [101, 101, 101])
               + [dict(r, peak_inflight=10) for r in series(
                   io.format("event_loop", 10, 1), [10.2, 10.1, 10.3], [0.98, 0.99, 0.97], 0.01)]
               + series(io.format("event_loop", 1000, 1), [11, 11, 11], [0.91] * 3, 0.05)
               + series(io.format("tbb", 10, 8), [20.2, 20.2, 20.2], [0.99] * 3, 0.01)
               + series(io.format("fork", 10, 8), [21, 21, 21], [0.95] * 3, 0.05))
    mixed = "mixed/{}/tasks:16/workers:{}/sleep_us:{}{}/manual_time"
    mixed_rows = []
    for share, sleep_us, loop_ms, tbb_ms in ((0.0, 10000, 10.2, 80.5), (0.5, 5000, 85.0, 81.0),
                                             (1.0, 0, 160.0, 80.2)):
        size = "/bytes:4096" if share else ""
        for model, w, ms in (("serial", 1, 160.0), ("event_loop", 1, loop_ms), ("tbb", 2, tbb_ms)):
            mixed_rows += [row(mixed.format(model, w, sleep_us, size), ms, i, 3, cpu_share=share,
                               efficiency=0.9, parallelism=1.0) for i in range(3)]
    write(tmp_path / "mixed.json", mixed_rows)
    return write(tmp_path / "cpu_hash.json", cpu_rows), write(tmp_path / "io_sleep.json", io_rows)


# Registry rows as a harness writes them into the context (docs/result-format.md).
MODELS = [
    {"name": "serial", "order": 0, "family": "one_thread", "language": "c++", "takes_workers": False,
     "fixed_workers": 1, "concurrency": "1", "parallelism": "1", "twin": "serial"},
    {"name": "event_loop", "order": 2, "family": "one_thread", "language": "c++",
     "takes_workers": False, "fixed_workers": 1, "concurrency": "N", "parallelism": "1",
     "twin": "event_loop"},
    {"name": "tbb", "order": 5, "family": "threads", "language": "c++", "takes_workers": True,
     "fixed_workers": None, "concurrency": "W", "parallelism": "min(W, cores)", "twin": "tbb"},
    {"name": "py_asyncio", "order": 102, "family": "one_thread", "language": "python",
     "takes_workers": False, "fixed_workers": 1, "concurrency": "N", "parallelism": "1",
     "twin": "event_loop"},
    {"name": "py_threads", "order": 106, "family": "threads", "language": "python",
     "takes_workers": True, "fixed_workers": None, "concurrency": "W", "parallelism": "1",
     "twin": "tbb"},
]


def run_plot(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(Path(plot.__file__)), *args],
                          capture_output=True, text=True, timeout=120)


def net_file(path: Path) -> Path:
    """net_rpc rows, kept connections and a connection per task, with each task's latency."""
    name = "net_rpc/{}/tasks:{}/workers:1/sleep_us:1000/bytes:1024/conn_per_task:{}/manual_time"
    return cvp_file(path, [(name.format(m, n, c), ms * n ** 0.5,
                            {"server_cpu_ms": 0.02 * n, "latency_p50_ms": 1 + 0.1 * ms,
                             "latency_p99_ms": 1 + 0.2 * ms, "mem_kib_per_task": 2.0 * ms,
                             "kmem_kib_per_task": 20.0 * ms})
                           for m, ms in (("serial", 1.2), ("event_loop", 0.4))
                           for n in (1, 100) for c in (0, 1)])


def test_writes_every_chart_as_valid_png_and_svg(results, tmp_path):
    out = tmp_path / "charts"
    net = net_file(tmp_path / "net_rpc.json")
    r = run_plot(*map(str, results), str(tmp_path / "mixed.json"), str(net), "-o", str(out))
    assert r.returncode == 0, r.stderr
    for stem in CHART_STEMS:
        image = matplotlib.image.imread(out / f"{stem}.png")
        assert image.ndim == 3 and image.shape[0] > 100 and image.shape[1] > 100
        assert ET.parse(out / f"{stem}.svg").getroot().tag.endswith("svg")
        assert f"wrote {out / (stem + '.png')}" in r.stdout
    assert (out / "summary.md").exists()


def read(*paths: Path) -> Inputs:
    return read_inputs(list(paths))


def test_summary_speedups_and_efficiencies_match_hand_computation(results, tmp_path):
    inputs = read(*results)
    rows = summary_rows(ours(inputs.files, "io_sleep"),
                        ours(inputs.files, "cpu_hash"), [], inputs.models)
    cpu = next(r for r in rows if r["workload"] == "cpu_hash")
    assert cpu["fastest"] == "tbb (W=2)"
    assert cpu["fastest_ms"] == 51                      # median of 50, 52, 51
    assert cpu["vs_serial"] == pytest.approx(100 / 51)  # serial median 100
    assert cpu["vs_event_loop"] == pytest.approx(101 / 51)
    # tbb 51 +/- 2.48 ms, fork 55 +/- 2.48 ms (95% intervals of three repetitions):
    # they overlap, so fork is tied with tbb, not behind it.
    assert cpu["ranked_by"] == "time" and cpu["tied"] == ["fork (W=2)"]
    assert cpu["vs_serial_ci"][0] < 100 / 51 < cpu["vs_serial_ci"][1]
    io10 = next(r for r in rows if r["size"] == "tasks=10")
    assert io10["fastest"] == "event_loop"
    assert io10["vs_serial"] == pytest.approx(101 / 10.2)
    io1000 = next(r for r in rows if r["size"] == "tasks=1000")
    assert io1000["vs_serial"] is None  # no serial row at N=1000: not invented

    run_plot(*map(str, results), "-o", str(tmp_path))
    summary = (tmp_path / "summary.md").read_text()
    assert "| vs serial (95% CI) | vs event_loop | vs limit | tied with (intervals overlap) |" in summary
    assert ("| cpu_hash | bytes=64 | 100 | tbb (W=2) | 51.0 | 1.96x (1.87-2.06) | 1.98x | 0.95 | "
            "fork (W=2) |") in summary


def test_speedup_uses_medians_and_spans_min_to_max(results):
    inputs = read(results[0])
    tbb2 = cpu_speedup.speedups(ours(inputs.files, "cpu_hash"), inputs.models)[64, 0]["tbb"][-1]
    assert tbb2 == pytest.approx((2, 100 / 51, 100 / 52, 100 / 50))


@pytest.mark.parametrize("content, message", [
    (None, "no such file"),
    ("{not json", "not JSON"),
    ('{"context": {}}', 'no "benchmarks" array'),
    ('[1, 2]', 'no "benchmarks" array'),
    ('{"benchmarks": []}', "is empty"),
])
def test_bad_input_is_one_error_line_and_nothing_is_overwritten(tmp_path, content, message):
    bad = tmp_path / "bad.json"
    if content is not None:
        bad.write_text(content)
    (tmp_path / "parallelism.png").write_text("earlier chart")
    r = run_plot(str(bad), "-o", str(tmp_path))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"plot.py: error: {bad}: ") and message in lines[0]
    assert (tmp_path / "parallelism.png").read_text() == "earlier chart"


def test_one_bad_file_among_good_ones_writes_nothing(results, tmp_path):
    out = tmp_path / "charts"
    r = run_plot(str(results[0]), str(tmp_path / "missing.json"), "-o", str(out))
    assert r.returncode == 2
    assert not out.exists() or not any(out.iterdir())


def test_foreign_benchmarks_get_a_time_chart(tmp_path):
    foreign = write(tmp_path / "other.json",
                    series("BM_StringCopy/64", [0.5, 0.6]) + series("BM_Sort/1024", [2.0, 2.1]))
    r = run_plot(str(foreign), "-o", str(tmp_path))
    assert r.returncode == 0, r.stderr
    assert matplotlib.image.imread(tmp_path / "other_times.png").ndim == 3
    assert not (tmp_path / "summary.md").exists()


def test_aggregates_only_and_error_rows(tmp_path):
    name = "cpu_hash/serial/tasks:10/workers:1/bytes:64/manual_time"
    rows = [dict(row(name, 5.0, 0, 3), name=name + "_median", run_type="aggregate",
                 aggregate_name="median"),
            {"name": "cpu_hash/tbb/tasks:10/workers:2/bytes:64/manual_time", "run_type": "iteration",
             "error_occurred": True, "error_message": "task 3: digest differs"}]
    f = load(write(tmp_path / "agg.json", rows))
    assert f.series[name.removesuffix("/manual_time")].times_ms == [5.0]
    assert f.errors == ["cpu_hash/tbb/tasks:10/workers:2/bytes:64: task 3: digest differs"]


def test_all_rows_in_error_is_an_error(tmp_path):
    rows = [{"name": "BM_x", "run_type": "iteration", "error_occurred": True, "error_message": "boom"}]
    r = run_plot(str(write(tmp_path / "err.json", rows)), "-o", str(tmp_path))
    assert r.returncode == 2
    assert "plot.py: error:" in r.stderr and "nothing to plot" in r.stderr
    assert "warning:" in r.stderr and "boom" in r.stderr


def test_time_units_are_converted(tmp_path):
    rows = [dict(r, real_time=r["real_time"] * 1000, time_unit="us")
            for r in series("BM_a", [2.0, 4.0, 3.0])]
    f = load(write(tmp_path / "us.json", rows))
    assert f.series["BM_a"].median_ms == pytest.approx(3.0)


def test_a_chart_this_run_did_not_make_is_removed(results, tmp_path):
    out = tmp_path / "charts"
    assert run_plot(*map(str, results), "-o", str(out)).returncode == 0
    assert (out / "io_sleep_wall.png").exists()
    assert run_plot(str(results[0]), "-o", str(out)).returncode == 0  # cpu_hash only
    assert not (out / "io_sleep_wall.png").exists()
    assert (out / "cpu_hash_speedup.png").exists()


def _without_matplotlib(root, reexec_allowed: bool) -> subprocess.CompletedProcess:
    # A None entry in sys.modules makes "import matplotlib" fail, as it does in
    # an interpreter without the package.
    code = ("import sys, runpy; sys.modules['matplotlib'] = None;"
            "sys.argv = ['plot.py', 'no-such-results.json'];"
            f"runpy.run_path({str(root / 'plot.py')!r}, run_name='__main__')")
    env = dict(os.environ)
    env.pop(REEXEC_MARK, None)
    if not reexec_allowed:
        env[REEXEC_MARK] = "1"
    # From the root: runpy, unlike running the script, does not put its folder on the path.
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=root)


def test_missing_matplotlib_is_one_line_naming_the_interpreter(root):
    r = _without_matplotlib(root, reexec_allowed=False)
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(f"plot.py: error: {sys.executable} cannot import matplotlib")
    assert "/usr/bin/python3 plot.py" in lines[0]


@pytest.mark.skipif(subprocess.run(["sh", "-c", "/usr/bin/python3 -c 'import matplotlib, scipy'"],
                                   capture_output=True).returncode != 0,
                    reason="/usr/bin/python3 cannot import matplotlib")
def test_missing_matplotlib_reruns_under_a_python_that_has_it(root):
    r = _without_matplotlib(root, reexec_allowed=True)
    # Re-run under /usr/bin/python3, which got as far as reading the input.
    assert r.returncode == 2
    assert r.stderr.strip() == "plot.py: error: no-such-results.json: no such file"


def test_help_is_the_docstring():
    r = run_plot("--help")
    assert r.returncode == 0
    assert "io_sleep_wall" in r.stdout and "summary.md" in r.stdout


def test_paired_speedup_counters_are_preferred_to_time_ratios(tmp_path):
    name = "cpu_hash/{}/tasks:100/workers:{}/bytes:4096/manual_time"
    rows = []
    for model, w, times, speedups in (("serial", 1, [100, 130, 101], [1.0, 1.0, 1.0]),
                                      ("event_loop", 1, [99, 131, 100], [0.98, 0.99, 1.0]),
                                      ("tbb", 2, [52, 66, 51], [1.9, 1.96, 1.94])):
        rows += [row(name.format(model, w), t, i, 3, speedup=sp, efficiency=0.9, parallelism=1.0)
                 for i, (t, sp) in enumerate(zip(times, speedups))]
    inputs = read(write(tmp_path / "cpu_hash.json", rows, cvp_models=json.dumps(MODELS)))
    cpu = ours(inputs.files, "cpu_hash")
    tbb = cpu_speedup.speedups(cpu, inputs.models)[4096, 0]["tbb"][0]
    assert tbb == pytest.approx((2, 1.94, 1.9, 1.96))  # the counters, not 101/52
    row_ = summary_rows([], cpu, [], inputs.models)[0]
    assert row_["fastest"] == "tbb (W=2)"
    assert row_["vs_serial"] == pytest.approx(1.94)
    assert row_["vs_event_loop"] == pytest.approx(1.94 / 0.99)


def test_mixed_summary_rows_follow_the_cpu_share(results, tmp_path):
    inputs = read(tmp_path / "mixed.json", *results)
    rows = summary_rows([], [], ours(inputs.files, "mixed"), inputs.models)
    assert [r["size"] for r in rows] == ["cpu_share=0.00", "cpu_share=0.50", "cpu_share=1.00"]
    assert [r["fastest"] for r in rows] == ["event_loop", "tbb (W=2)", "tbb (W=2)"]
    assert rows[1]["vs_event_loop"] == pytest.approx(85.0 / 81.0)


def test_a_folder_input_takes_results_and_traces_but_not_previous(results, tmp_path):
    (tmp_path / "previous").mkdir()
    (tmp_path / "previous" / "io_sleep.json").write_text("not even JSON")
    (tmp_path / "baseline").mkdir()
    (tmp_path / "baseline" / "io_sleep.json").write_text("not even JSON")
    trace_dir = tmp_path / "traces" / "two_sleepers"
    trace_dir.mkdir(parents=True)
    for model, spans in (("event_loop_sequential", [(0, 100), (100, 200)]),
                         ("event_loop", [(0, 100), (0, 200)])):
        events = [{"name": "thread_name", "ph": "M", "pid": 7, "tid": 7, "args": {"name": "main"}}]
        events += [{"name": f"task {i}", "ph": "X", "ts": a * 1000.0, "dur": (b - a) * 1000.0,
                    "pid": 7, "tid": 7, "args": {"index": i}} for i, (a, b) in enumerate(spans)]
        (trace_dir / f"{model}.json").write_text(json.dumps(
            {"otherData": {"scenario": "two_sleepers", "model": model, "workers": 1,
                           "wall_ms": 200.0}, "traceEvents": events}))
    r = run_plot(str(tmp_path), "-o", str(tmp_path / "out"))
    assert r.returncode == 0, r.stderr
    assert matplotlib.image.imread(tmp_path / "out" / "timeline_two_sleepers.png").ndim == 3
    assert (tmp_path / "out" / "mixed_share.png").exists()
    assert _pack([{"ts": 0, "dur": 5}, {"ts": 1, "dur": 5}, {"ts": 6, "dur": 1}]) == ([0, 1, 0], 2)


def cvp_file(path: Path, names_ms: list[tuple[str, float, dict]], reps: int = 3, **context) -> Path:
    """A result file as the new harnesses write it: each name with `reps` repetitions."""
    rows = [row(name, ms * (1 + 0.01 * i), i, reps, **counters)
            for name, ms, counters in names_ms for i in range(reps)]
    return write(path, rows, **context)


def test_styles_come_from_family_order_and_twin_not_from_names():
    inputs_models = ModelRegistry()
    for m in MODELS:
        inputs_models.describe(facts_from_row(m, "test"))
    inputs_models.saw("brand_new_model", 3)
    models = inputs_models.finish()
    style = styles(models)
    assert style["py_asyncio"].color == style["event_loop"].color
    assert style["py_threads"].color == style["tbb"].color
    assert style["py_threads"].linestyle == "--" and style["py_threads"].hollow
    assert style["tbb"].linestyle == "-" and not style["tbb"].hollow
    assert len({style[m].color for m in ("serial", "event_loop", "tbb", "brand_new_model")}) == 4
    assert models.label({"model": "brand_new_model", "workers": 3}) == "brand_new_model (W=3)"
    assert models.ordered()[-1] == "brand_new_model"


def test_python_models_are_drawn_beside_cpp_with_overhead_and_vs_limit(tmp_path):
    io = "io_sleep/{}/tasks:{}/workers:{}/sleep_us:10000"
    cpu = "cpu_hash/{}/tasks:1000/workers:{}/bytes:64"
    cpp = cvp_file(tmp_path / "io_sleep.json", [
        (io.format("serial", 10, 1), 101.0, {"ideal_ms": 100.0, "vs_limit": 0.99}),
        (io.format("event_loop", 10, 1), 10.3, {"ideal_ms": 10.0, "vs_limit": 0.97,
                                                 "peak_inflight": 10}),
        (io.format("tbb", 10, 4), 30.0, {"ideal_ms": 30.0, "parallelism": 0.1}),
    ] + [(cpu.format("tbb", w), 50.0 / w, {"ideal_ms": 45.0 / w, "speedup": 1.0 * w,
                                            "efficiency": 0.9})
         for w in (1, 2, 4, 8, 16, 32, 64)], cvp_models=json.dumps(MODELS), cpus_usable="32")
    py = cvp_file(tmp_path / "py_io_sleep.json", [
        (io.format("py_asyncio", 10, 1), 10.5, {"ideal_ms": 10.0, "vs_limit": 0.9}),
        (io.format("py_threads", 10, 4), 31.0, {"ideal_ms": 30.0}),
        (cpu.format("py_threads", 2), 60.0, {"ideal_ms": 22.5, "speedup": 0.8}),
    ], cvp_models=json.dumps(MODELS), cvp_language="python")
    assert plot.main([str(cpp), str(py), "-o", str(tmp_path / "out")]) == 0
    for stem in ("io_sleep_wall", "cpu_hash_speedup", "efficiency", "vs_limit", "task_overhead"):
        assert matplotlib.image.imread(tmp_path / "out" / f"{stem}.png").ndim == 3
    summary = (tmp_path / "out" / "summary.md").read_text()
    # py_asyncio's 10.5 ms (+1%, +2%) overlaps the loop's 10.4 ms (+1%, +2%): tied.
    assert ("| io_sleep | tasks=10 | 10 | event_loop | 10.4 | 9.81x (9.57-10.05) | 1.00x | 0.97 | "
            "py_asyncio |") in summary
    inputs = read(cpp, py)
    series = {s.name: s for s in ours(inputs.files, "io_sleep")}
    # Median 10.5 x 1.01 ms, ideal 10.0 ms, over 10 tasks: 60.5 µs per task above the ideal.
    assert overhead_us(series[io.format("py_asyncio", 10, 1)]) == pytest.approx(60.5)
    # At W = 2, per model: (median 25.25 ms - ideal 22.5 ms) / 1000 tasks = 2.75 µs for tbb,
    # (60.6 - 22.5) / 1000 = 38.1 µs for py_threads, with their paired speedups.
    assert "### Handing out work: µs per task above ideal at W = 2 (cpu_hash)" in summary
    assert "| tbb | 2.75 (2.00x) |" in summary
    assert "| py_threads | 38.10 (0.80x) |" in summary


def test_limits_and_shared_counter_rows_get_their_own_tables(tmp_path):
    limits = cvp_file(tmp_path / "limits.json", [
        ("limits/uv_timers/tasks:1000/workers:1/sleep_us:10000", 10.2, {}),
        ("limits/sha256/tasks:1/workers:1/bytes:64", 0.04, {})], cvp_harness="limits")
    r = run_plot(str(limits), "-o", str(tmp_path / "only_limits"))
    assert r.returncode == 0, r.stderr
    summary = (tmp_path / "only_limits" / "summary.md").read_text()
    assert "| uv_timers | tasks=1000 workers=1 sleep_us=10000 | 10.3 |" in summary
    counter = cvp_file(tmp_path / "shared_counter.json", [
        (f"shared_counter/{m}/tasks:100/workers:{w}/sleep_us:10/lock:{lock}/wait:1", 5.0,
         {"lost_updates": lost}) for m, w, lock, lost in
        (("event_loop", 1, 0, 99), ("event_loop", 1, 1, 0), ("tbb", 2, 0, 50))])
    assert plot.main([str(limits), str(counter), "-o", str(tmp_path / "both")]) == 0
    summary = (tmp_path / "both" / "summary.md").read_text()
    assert "| event_loop | 100 | 0 | 1 | 99 |" in summary
    assert "| event_loop | 100 | 1 | 1 | 0 |" in summary
    assert "| tbb (W=2) | 100 | 0 | 1 | 50 |" in summary


def test_noisy_rows_and_a_loaded_run_are_flagged_in_the_summary(tmp_path):
    name = "cpu_hash/{}/tasks:100/workers:{}/bytes:64"
    f = cvp_file(tmp_path / "cpu_hash.json", [
        (name.format("serial", 1), 100.0, {"efficiency": 1.0, "noisy": 0}),
        (name.format("tbb", 2), 51.0, {"efficiency": 0.95, "noisy": 1})],
        cvp_load=json.dumps({"loaded": True, "other_busy_cpus": 1.2, "steal_pct": 0.1}))
    assert plot.main([str(f), "-o", str(tmp_path / "out")]) == 0
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "| tbb (W=2) † |" in summary
    assert "† noisy: 1 benchmarks" in summary
    assert "`cpu_hash/tbb/tasks:100/workers:2/bytes:64`" in summary
    assert "**Run under load:** `cpu_hash.json`" in summary and "1.20 other busy CPUs" in summary


def _trace_file(path: Path, events) -> Path:
    path.write_text(json.dumps({"otherData": {"scenario": "s", "model": "m", "workers": 1,
                                              "wall_ms": 1.0}, "traceEvents": events}))
    return path


@pytest.mark.parametrize("make", [
    lambda d: _trace_file(d / "t.json", [{"ph": "X", "dur": 1, "pid": 1, "tid": 1,
                                          "args": {"index": 0}}]),
    lambda d: _trace_file(d / "t.json", [None]),
    lambda d: _trace_file(d / "t.json", [{"ph": "X", "ts": 1e308, "dur": 1e308, "pid": 1, "tid": 1,
                                          "args": {"index": 0}}]),
    lambda d: (d / "deep.json").write_text("[" * 1000 + "]" * 1000) and d / "deep.json",
    lambda d: write(d / "name.json", [dict(row("BM_a", 1.0, 0, 1), name=5, run_name=5)]),
    lambda d: write(d / "unit.json", [dict(row("BM_a", 1.0, 0, 1), time_unit=["ms"])]),
    lambda d: write(d / "zero.json", [row("BM_a", 0.0, 0, 1)]),
    lambda d: write(d / "neg.json", [row("BM_a", -1.0, 0, 1)]),
    lambda d: write(d / "inf.json", [row("BM_a", float("inf"), 0, 1)]),
    lambda d: write(d / "huge.json", [row("BM_a", 1e300, 0, 1)]),
    lambda d: d / "missing.json",
    lambda d: (d / "corrupt.json").write_text('{"benchmarks": [') and d / "corrupt.json",
    lambda d: (d / "empty_folder").mkdir() or d / "empty_folder",
], ids=["trace-no-ts", "trace-null-event", "trace-1e308", "nested-1000", "name-not-string",
        "unit-not-string", "zero-time", "negative-time", "infinite-time", "huge-time", "missing",
        "corrupt", "empty-folder"])
def test_malformed_input_is_one_line_exit_2_and_nothing_written(tmp_path, capsys, make):
    bad = make(tmp_path)
    out = tmp_path / "out"
    out.mkdir()
    (out / "parallelism.png").write_text("earlier chart")
    assert plot.main([str(bad), "-o", str(out)]) == 2
    err = [line for line in capsys.readouterr().err.splitlines() if "warning" not in line]
    assert len(err) == 1 and err[0].startswith("plot.py: error: "), err
    assert sorted(p.name for p in out.iterdir()) == ["parallelism.png"]
    assert (out / "parallelism.png").read_text() == "earlier chart"


def test_a_failure_while_drawing_is_one_line_exit_1_and_debug_shows_the_traceback(
        results, tmp_path, capsys, monkeypatch):
    def broken(*args):
        raise ValueError("drawing went wrong")

    monkeypatch.setattr(efficiency, "draw", broken)
    out = tmp_path / "out"
    assert plot.main([*map(str, results), "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == ["plot.py: error: ValueError: drawing went wrong (run with --debug for the "
                   "traceback)"]
    # The output folder this run made is not left behind, empty.
    assert not out.exists()
    assert plot.main([*map(str, results), "-o", str(out), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_ties_and_speedups_above_the_cpus_are_named_never_ranked(tmp_path):
    name = "cpu_hash/{}/tasks:100/workers:{}/bytes:64/manual_time"
    rows = []
    for model, w, speedups in (("serial", 1, [1.0, 1.0, 1.01, 0.99, 1.0]),
                               ("event_loop", 1, [0.99, 1.0, 0.98, 0.99, 1.0]),
                               ("tbb", 2, [2.3, 2.35, 2.28, 2.31, 2.33]),      # above 2 CPUs
                               ("fork", 2, [1.90, 1.92, 1.91, 1.89, 1.93]),
                               ("py_threads", 2, [1.88, 1.95, 1.86, 1.97, 1.90])):
        rows += [row(name.format(model, w), 100 / sp, i, 5, speedup=sp, efficiency=0.9)
                 for i, sp in enumerate(speedups)]
    f = write(tmp_path / "cpu_hash.json", rows, cvp_models=json.dumps(MODELS), cpus_usable="2")
    assert plot.main([str(f), "-o", str(tmp_path / "out")]) == 0
    inputs = read(f)
    r = summary_rows([], ours(inputs.files, "cpu_hash"), [], inputs.models, cpus=2)[0]
    assert r["fastest"] == "fork (W=2)" and r["ranked_by"] == "speedup"
    assert r["tied"] == ["py_threads (W=2)"]
    assert r["faults"] == [("tbb (W=2)", pytest.approx(2.31))]
    summary = (tmp_path / "out" / "summary.md").read_text()
    assert "**Measurement faults**" in summary and "tbb (W=2) 2.31x" in summary
    assert "| fork (W=2) | " in summary and "| py_threads (W=2) |" in summary


def test_rows_of_different_task_counts_are_different_questions(tmp_path):
    name = "cpu_hash/{}/tasks:{}/workers:{}/bytes:64/manual_time"
    rows = []
    for model, n, w, sp in (("serial", 100, 1, 1.0), ("tbb", 100, 2, 1.5),
                            ("fork", 400, 2, 1.9)):
        rows += [row(name.format(model, n, w), 100 / sp, i, 3, speedup=sp + 0.01 * i)
                 for i in range(3)]
    f = write(tmp_path / "cpu_hash.json", rows, cvp_models=json.dumps(MODELS))
    inputs = read(f)
    got = summary_rows([], ours(inputs.files, "cpu_hash"), [], inputs.models)
    assert [(r["tasks"], r["fastest"]) for r in got] == [(100, "tbb (W=2)"), (400, "fork (W=2)")]


def _one_error_line(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("plot.py: error: "), r.stderr
    return lines[0]


def _entries(folder: Path) -> dict[str, str]:
    """Each entry of `folder`: a regular file's content hash, else its kind."""
    result = {}
    for p in sorted(folder.iterdir()):
        st = os.lstat(p)
        result[p.name] = (hashlib.sha256(p.read_bytes()).hexdigest() if stat.S_ISREG(st.st_mode)
                          else f"mode {stat.S_IFMT(st.st_mode):o}")
    return result


def test_a_device_at_an_output_name_is_refused_and_left_a_device(results, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    try:
        os.mknod(out / "report.html", 0o644 | stat.S_IFCHR, os.makedev(1, 3))
    except PermissionError:
        pytest.skip("mknod needs root")
    os.mkfifo(out / "summary.md")
    before = _entries(out)
    for force in ([], ["--force"]):
        r = run_plot(*map(str, results), "-o", str(out), *force)
        assert r.returncode == 2
        assert "not a regular file" in _one_error_line(r)
        assert _entries(out) == before


def test_planted_symlinks_are_never_followed(results, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "precious"
    victim.write_text("not yours")
    out = tmp_path / "out"
    out.mkdir()
    # At an output's own name: refused (even with --force), link and target untouched.
    for name in ("summary.md", "io_sleep_wall.png", MANIFEST_NAME):
        (out / name).symlink_to(victim)
        for force in ([], ["--force"]):
            r = run_plot(*map(str, results), "-o", str(out), *force)
            assert r.returncode == 2 and "a symbolic link" in _one_error_line(r), r.stderr
            assert (out / name).is_symlink() and victim.read_text() == "not yours"
        (out / name).unlink()
    # At every name a writer could predict for its temporary files: never followed.
    planted = [f"{p}{name}{s}" for name in ("summary.md", "report.html", "io_sleep_wall.png",
                                            MANIFEST_NAME)
               for p, s in (("", ".partial"), (".", ".partial"), ("", ".tmp"))]
    planted.append(".plot-")
    for name in planted:
        (out / name).symlink_to(victim)
    r = run_plot(*map(str, results), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "not yours"
    assert all((out / name).is_symlink() for name in planted)
    assert not [p for p in out.iterdir() if p.name.endswith(".partial") and p.name not in planted]


def _mount_small_tmpfs(folder: Path) -> None:
    folder.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.strip() or r.returncode}")


def test_a_full_disk_names_the_file_and_leaves_the_folder_as_it_was(results, tmp_path):
    disk = tmp_path / "disk"
    _mount_small_tmpfs(disk)
    try:
        (disk / "unrelated.txt").write_text("kept")
        r = run_plot(*map(str, results), "-o", str(disk))
        assert r.returncode == 1
        line = _one_error_line(r)
        assert "No space left on device" in line
        # The line names the file it could not write, not only "[Errno 28]".
        assert f"plot.py: error: {disk}/" in line and ": cannot write (" in line
        assert sorted(p.name for p in disk.iterdir()) == ["unrelated.txt"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_while_publishing_keeps_every_earlier_file_whole(results, tmp_path,
                                                                      monkeypatch, capsys):
    out = tmp_path / "out"
    assert plot.main([*map(str, results), "-o", str(out)]) == 0
    before = _entries(out)
    staged = []

    def full(self, target, data):
        staged.append(target.name)
        if len(staged) == 3:
            raise OutputError(f"{target}: cannot write (No space left on device)")
        real_stage(self, target, data)

    real_stage = Publisher.stage
    monkeypatch.setattr(Publisher, "stage", full)
    capsys.readouterr()
    assert plot.main([*map(str, results), "-o", str(out)]) == 1
    assert capsys.readouterr().err.strip() == (f"plot.py: error: {out / staged[2]}: cannot write "
                                               "(No space left on device)")
    assert _entries(out) == before


def test_a_failed_draft_names_the_output_path_not_the_staging_folder(results, tmp_path,
                                                                       monkeypatch, capsys):
    # Was: ".../.plot-4u8br51y/io_sleep_wall.png: cannot write".
    out = tmp_path / "out"
    out.mkdir()
    real = Path.write_bytes

    def full(self, data):
        if self.parent.name.startswith(".plot-"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    assert plot.main([*map(str, results), "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert re.fullmatch(rf"plot\.py: error: {re.escape(str(out))}/[a-z_]+\.(png|svg|md|html): "
                        r"cannot write \(No space left on device\)", err), err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("make, message", [
    (os.mkfifo, "is a FIFO, not a regular file"),
    (lambda p: os.symlink("/dev/zero", p), "is a character device, not a regular file"),
    (lambda p: open(p, "wb").truncate(MAX_INPUT_BYTES + 1),
     f"{MAX_INPUT_BYTES + 1} bytes; allowed: at most 64 MiB"),
], ids=["fifo", "dev-zero", "over-64-MiB"])
def test_inputs_that_are_not_bounded_regular_files_are_refused_at_once(tmp_path, make, message):
    # Was: a FIFO blocked forever; /dev/zero grew to 7 GB in 8 s.
    bad = tmp_path / "input.json"
    make(bad)
    r = run_plot(str(bad), "-o", str(tmp_path / "out"))  # run_plot's timeout ends a hang
    assert r.returncode == 2
    assert message in _one_error_line(r)
    assert not (tmp_path / "out").exists()


def test_json_nested_past_the_bound_is_refused(tmp_path):
    deep = 1
    for _ in range(MAX_DEPTH + 5):
        deep = [deep]
    path = write(tmp_path / "deep.json", series("BM_a", [1.0, 2.0]), extra=deep)
    r = run_plot(str(path), "-o", str(tmp_path / "out"))
    assert r.returncode == 2
    assert f"nested deeper than {MAX_DEPTH} levels" in _one_error_line(r)


def test_folders_nested_past_the_bound_are_refused_in_one_line(results, tmp_path):
    # Was: "RecursionError: maximum recursion depth exceeded", exit 1.
    top = tmp_path / "d"
    top.mkdir()
    deep = top
    for _ in range(1500):
        deep = deep / "d"
        deep.mkdir()
    (deep / "r.json").write_bytes(results[0].read_bytes())
    try:
        r = run_plot(str(top), "-o", str(tmp_path / "out"))
    finally:
        # pytest's own clean-up (shutil.rmtree) recurses once per level.
        (deep / "r.json").unlink()
        while deep != tmp_path:
            deep.rmdir()
            deep = deep.parent
    assert r.returncode == 2, r.stderr
    line = _one_error_line(r)
    assert line.startswith(f"plot.py: error: {top}: holds folders nested deeper than "
                           f"{MAX_FOLDER_DEPTH} levels")
    assert not (tmp_path / "out").exists()


def test_results_a_few_folders_down_are_still_found(results, tmp_path):
    below = tmp_path / "in" / "a" / "b"
    below.mkdir(parents=True)
    (below / "r.json").write_bytes(results[0].read_bytes())
    (tmp_path / "in" / "previous").mkdir()
    (tmp_path / "in" / "previous" / "old.json").write_text("not read")
    assert expand([tmp_path / "in"]) == [below / "r.json"]


def test_an_empty_output_folder_name_is_refused(results, tmp_path):
    work = tmp_path / "cwd"
    work.mkdir()
    r = subprocess.run([sys.executable, str(Path(plot.__file__)), *map(str, results), "-o", ""],
                       capture_output=True, text=True, timeout=120, cwd=work)
    assert r.returncode == 2
    assert "-o/--output: an empty path" in _one_error_line(r)
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("args", [["--no-such-option"], ["-o"], ["--output="]])
def test_option_errors_are_one_line(args):
    r = run_plot(*args)
    assert r.returncode == 2
    assert _one_error_line(r)


@pytest.mark.parametrize("args, message", [
    (["-o", "A", "-o", "B"], "-o/--output given more than once"),
    (["--force", "--force"], "--force given more than once"),
    (["-o", "a\x1b[31mb"], "argument -o/--output: 'a\\x1b[31mb' holds a control character"),
], ids=["repeated-o", "repeated-force", "escape-in-path"])
def test_odd_options_are_refused_in_one_line(results, tmp_path, args, message):
    work = tmp_path / "cwd"
    work.mkdir()
    r = subprocess.run([sys.executable, str(Path(plot.__file__)), *map(str, results), *args],
                       capture_output=True, text=True, timeout=120, cwd=work)
    assert r.returncode == 2, r.stderr
    assert message in _one_error_line(r)
    assert list(work.iterdir()) == []


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP],
                         ids=["SIGINT", "SIGTERM", "SIGHUP"])
def test_a_signal_while_drawing_is_one_line_exit_130_and_leaves_nothing_behind(
        results, tmp_path, sig):
    out = tmp_path / "out"
    out.mkdir()
    (out / "unrelated.txt").write_text("kept")
    before = _entries(out)
    p = subprocess.Popen([sys.executable, str(Path(plot.__file__)), *map(str, results),
                          str(tmp_path / "mixed.json"), "-o", str(out)],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Drawing has begun once the staging folder is there. The signal goes
        # at once: on an idle machine these small inputs are drawn in well
        # under a second (a pause of 0.3 s here once let the run finish first).
        deadline = time.monotonic() + 60
        while not any(d.name.startswith(".plot-") for d in out.iterdir()):
            assert p.poll() is None and time.monotonic() < deadline, "never started drawing"
            time.sleep(0.002)
        p.send_signal(sig)
        stdout, stderr = p.communicate(timeout=60)
    finally:
        p.kill()
    assert p.returncode == 130, stderr
    assert stderr.strip() == "plot.py: interrupted"
    assert _entries(out) == before


def test_a_lone_surrogate_in_the_context_is_written_escaped(results, tmp_path):
    # Was: exit 1 (UnicodeEncodeError) and an empty output folder.
    data = json.loads(results[0].read_text())
    data["context"]["host_name"] = "box\ud800"
    data["context"]["cvp_profile"] = "p\udcff"
    results[0].write_text(json.dumps(data))  # json.dumps writes them as \ud800 escapes
    out = tmp_path / "out"
    r = run_plot(*map(str, results), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "Machine: box?" in (out / "summary.md").read_text(encoding="utf-8")
    assert "box" in (out / "report.html").read_text(encoding="utf-8")


def test_text_from_the_input_is_escaped_on_the_console_and_in_summary_md(results, tmp_path):
    data = json.loads(results[0].read_text())
    data["context"]["host_name"] = "\x1b[31m<script>alert(1)</script>|x`y"
    noisy = "cpu_hash/tbb/tasks:100/workers:2/bytes:64"
    for row_ in data["benchmarks"]:
        if row_["name"].startswith(noisy):
            row_["noisy"] = 1
    results[0].write_text(json.dumps(data))
    out = tmp_path / "out"
    r = run_plot(*map(str, results), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout + r.stderr
    summary = (out / "summary.md").read_text()
    assert "<script>" not in summary and "&lt;script&gt;alert(1)&lt;/script&gt;" in summary
    assert "Machine: ?\\[31m&lt;script&gt;alert(1)&lt;/script&gt;\\|x\\`y," in summary
    assert "`cpu_hash/tbb/tasks:100/workers:2/bytes:64`" in summary
    assert md("a|b") == "a\\|b" and md("**x**") == "\\*\\*x\\*\\*"
    assert md_code("a`b") == "``a`b``" and md_code("`") == "`` ` ``"


def test_files_plot_did_not_write_are_left_alone_unless_forced(results, tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "summary.md").write_text("my notes")
    (out / "report.html").write_text("<p>my page</p>")
    (out / "timeline_mine.png").write_text("my picture")
    before = _entries(out)
    r = run_plot(*map(str, results), "-o", str(out))
    assert r.returncode == 2
    line = _one_error_line(r)
    assert f"{out / 'summary.md'}: exists, and plot.py did not write it" in line
    assert "--force" in line
    assert _entries(out) == before
    # --force replaces what is at plot.py's names, says so, and still leaves the
    # look-alike chart it did not write.
    r = run_plot(*map(str, results), "-o", str(out), "--force")
    assert r.returncode == 0, r.stderr
    assert f"plot.py: replaced in {out} files plot.py had not written (--force): report.html, " \
           "summary.md" in r.stderr
    assert f"plot.py: warning: left {out / 'timeline_mine.png'}: named like a chart" in r.stderr
    assert (out / "timeline_mine.png").read_text() == "my picture"
    assert (out / "summary.md").read_text() != "my notes"
    manifest = json.loads((out / MANIFEST_NAME).read_text())
    assert "summary.md" in manifest["files"] and "timeline_mine.png" not in manifest["files"]


def test_a_second_run_replaces_only_what_the_first_wrote_and_says_so(results, tmp_path):
    out = tmp_path / "out"
    assert run_plot(*map(str, results), "-o", str(out)).returncode == 0
    r = run_plot(*map(str, results), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert f"plot.py: replaced in {out} the files of an earlier plot.py run: " in r.stderr
    assert "summary.md" in r.stderr and "io_sleep_wall.png" in r.stderr
    # A file the user changed since is theirs now.
    (out / "summary.md").write_text("edited by hand")
    r = run_plot(*map(str, results), "-o", str(out))
    assert r.returncode == 2 and "summary.md: exists, and plot.py did not write it or it " \
                                  "changed since" in _one_error_line(r)
    assert (out / "summary.md").read_text() == "edited by hand"


def test_the_results_folder_without_a_manifest_is_adopted_once(results, tmp_path, monkeypatch,
                                                               capsys):
    # results/ holds charts committed by plot.py runs from before manifests.
    home = tmp_path / "results"
    home.mkdir()
    for f in results:
        (home / f.name).write_bytes(f.read_bytes())
    (home / "summary.md").write_text("summary of the committed run")
    (home / "io_sleep_wall.png").write_text("chart of the committed run")
    (home / "mixed_share.svg").write_text("a chart this run will not make")
    elsewhere = tmp_path / "copy"
    elsewhere.mkdir()
    for f in home.iterdir():
        (elsewhere / f.name).write_bytes(f.read_bytes())
    monkeypatch.setattr(plot_command, "default_inputs", lambda: [home])
    # Another folder in the same state is a user's: refused.
    assert plot.main([str(elsewhere)]) == 2
    assert "summary.md: exists, and plot.py did not write it" in capsys.readouterr().err
    # The project's own results/ folder is plot.py's.
    assert plot.main([]) == 0
    err = capsys.readouterr().err
    assert "the files of an earlier plot.py run (no manifest yet" in err
    assert "removed charts of an earlier run that this run did not make" in err
    assert not (home / "mixed_share.svg").exists()
    assert (home / "summary.md").read_text() != "summary of the committed run"
    assert "summary.md" in json.loads((home / MANIFEST_NAME).read_text())["files"]
    # From now on the manifest decides, there too.
    (home / "summary.md").write_text("edited by hand")
    assert plot.main([]) == 2
    assert (home / "summary.md").read_text() == "edited by hand"


@pytest.mark.parametrize("error, words", [
    (MemoryError(), "out of memory"),
    (ImportError("libtiff.so.6: failed to map segment from shared object"), "out of memory"),
    (ImportError("numpy ABI mismatch"), "installed, but it failed to load (ImportError: numpy"),
], ids=["MemoryError", "map-segment", "other-ImportError"])
def test_an_import_failure_that_is_not_a_missing_module_says_what_it_is(monkeypatch, error, words):
    # Was: "cannot import matplotlib; install python3-matplotlib" under ulimit -v.
    import builtins
    real = builtins.__import__

    def failing(name, *args, **kwargs):
        if name == "matplotlib":
            raise error
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", failing)
    with pytest.raises(MissingMatplotlib) as caught:
        require_matplotlib(Path(plot.__file__))
    assert words in str(caught.value) and "install python3" not in str(caught.value)


def test_net_rpc_chart_has_a_panel_per_connection_mode(tmp_path):
    out = tmp_path / "charts"
    r = run_plot(str(net_file(tmp_path / "net_rpc.json")), "-o", str(out))
    assert r.returncode == 0, r.stderr
    svg = (out / "net_rpc_wall.svg").read_text()
    assert "a connection kept across runs" in svg and "a connection per task" in svg
    # Without net_rpc rows, no net_rpc chart.
    r = run_plot(str(cvp_file(tmp_path / "io.json", [
        ("io_sleep/event_loop/tasks:10/workers:1/sleep_us:1000/manual_time", 1.1, {})])),
        "-o", str(tmp_path / "other"))
    assert r.returncode == 0, r.stderr
    assert not (tmp_path / "other" / "net_rpc_wall.png").exists()
