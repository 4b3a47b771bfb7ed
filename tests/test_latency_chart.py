"""Tests for cvpanalysis/charts/latency.py and cvpanalysis/stats/lateness.py: the p99 lateness
chart from a small fixture of C++ and Python rows, and old result files without the counters."""

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import pytest

import plot
from cvpanalysis.charts import latency
from cvpanalysis.reading.groups import Workloads
from cvpanalysis.reading.inputs import read_inputs
from cvpanalysis.stats.lateness import lateness_ms

IO = "io_sleep/{}/tasks:{}/workers:{}/sleep_us:10000"
NET = "net_rpc/{}/tasks:{}/workers:1/sleep_us:1000/bytes:1024/conn_per_task:{}"


def rows(name: str, ms: float, p99: list[float] | None) -> list[dict]:
    """One benchmark's repetitions; p99 None: a row from before the latency counters."""
    out = []
    for i, late in enumerate(p99 or [None] * 3):
        r = {"name": name, "run_name": name, "run_type": "iteration", "repetitions": 3,
             "repetition_index": i, "threads": 1, "iterations": 1, "real_time": ms,
             "cpu_time": ms, "time_unit": "ms", "efficiency": 0.9, "parallelism": 0.1}
        if late is not None:
            r.update(latency_p50_ms=late * 0.9, latency_p99_ms=late)
        out.append(r)
    return out


def write(path: Path, benchmarks: list[dict], **context) -> Path:
    path.write_text(json.dumps({"context": {"num_cpus": 2, "cpus_usable": "2", **context},
                                "benchmarks": benchmarks}))
    return path


@pytest.fixture
def files(tmp_path: Path) -> list[Path]:
    # p99 latencies of tasks that wait T = 10 ms (io_sleep) and T = 1 ms (net_rpc).
    cpp = (rows(IO.format("serial", 10, 1), 101, [10.05, 10.06, 10.07])
           + rows(IO.format("event_loop", 10, 1), 10.2, [10.1, 10.2, 10.3])
           + rows(IO.format("event_loop", 1000, 1), 14, [12.0, 13.0, 14.0])
           + rows(IO.format("tbb", 10, 2), 50, [10.5, 10.5, 10.5])
           + rows(IO.format("tbb", 10, 4), 30, [10.2, 10.2, 10.2])
           + rows(IO.format("tbb", 1000, 4), 2600, [10.4, 10.4, 10.4]))
    py = (rows(IO.format("py_asyncio", 10, 1), 10.6, [10.3, 10.4, 10.5])
          + rows(IO.format("py_asyncio", 1000, 1), 40, [35.0, 40.0, 45.0]))
    net = (rows(NET.format("event_loop", 10, 0), 1.5, [1.2, 1.3, 1.4])
           + rows(NET.format("event_loop", 100, 0), 3, [2.0, 2.5, 3.0])
           + rows(NET.format("event_loop", 10, 1), 2, [1.5, 1.6, 1.7]))
    return [write(tmp_path / "io_sleep.json", cpp), write(tmp_path / "py_io_sleep.json", py,
                                                          cvp_language="python"),
            write(tmp_path / "net_rpc.json", net)]


def workloads(paths: list[Path]) -> Workloads:
    return Workloads.of(read_inputs(paths).files)


def test_lateness_is_each_repetitions_latency_above_the_rows_wait(files):
    w = workloads(files)
    loop = next(s for s in w.io if s.name == IO.format("event_loop", 1000, 1))
    assert lateness_ms(loop) == pytest.approx([2.0, 3.0, 4.0])  # p99 12 to 14 ms, T = 10 ms
    assert lateness_ms(loop, "latency_p50_ms") == pytest.approx([0.8, 1.7, 2.6])
    net = next(s for s in w.net if s.name == NET.format("event_loop", 100, 0))
    assert lateness_ms(net) == pytest.approx([1.0, 1.5, 2.0])  # T = 1 ms
    with pytest.raises(ValueError, match="counter is 'real_time'"):
        lateness_ms(loop, "real_time")


def test_each_model_is_one_line_at_its_largest_w_with_a_panel_per_workload(files):
    w = workloads(files)
    found = latency.panels(w)
    assert [title for title, _ in found] == ["io_sleep: a timer or a sleep of T",
                                             "net_rpc: a connection kept across runs",
                                             "net_rpc: a connection per task"]
    io = found[0][1]
    tbb = latency.line(io, "tbb")
    assert [(s.key["tasks"], s.key["workers"]) for s, _ in tbb] == [(10, 4), (1000, 4)]
    py = latency.line(io, "py_asyncio")
    assert [s.key["tasks"] for s, _ in py] == [10, 1000]
    assert py[1][1] == pytest.approx([25.0, 30.0, 35.0])


def test_the_chart_is_drawn_from_cpp_and_python_rows(files, tmp_path):
    out = tmp_path / "charts"
    assert plot.main([*map(str, files), "-o", str(out)]) == 0
    assert matplotlib.image.imread(out / "latency.png").ndim == 3
    svg = out / "latency.svg"
    assert ET.parse(svg).getroot().tag.endswith("svg")
    text = svg.read_text()
    assert "p99 latency above T (ms)" in text and "a connection per task" in text
    assert "py_asyncio" in text and "tbb (W=4)" in text


def test_a_lateness_of_zero_or_less_is_left_out_of_the_log_axis(tmp_path):
    # A p99 at T exactly has nothing to draw on a log axis; the other point stays.
    path = write(tmp_path / "io_sleep.json",
                 rows(IO.format("serial", 10, 1), 100, [10.0, 10.0, 10.0])
                 + rows(IO.format("serial", 100, 1), 1000, [10.1, 10.1, 10.1]))
    points = latency.line(workloads([path]).io, "serial")
    assert [s.key["tasks"] for s, _ in points] == [100]


def test_old_result_files_without_the_counters_draw_no_latency_chart_and_no_error(files,
                                                                                  tmp_path):
    (tmp_path / "old").mkdir()
    old = write(tmp_path / "old" / "io_sleep.json",
                rows(IO.format("serial", 10, 1), 101, None)
                + rows(IO.format("event_loop", 10, 1), 10.2, None))
    out = tmp_path / "charts_old"
    assert plot.main([str(old), "-o", str(out)]) == 0
    assert (out / "io_sleep_wall.png").exists()
    assert not (out / "latency.png").exists()
    assert latency.draw(workloads([old]), None) is None  # returns before it draws
    # Beside files that have the counters, the old rows are left out of the chart.
    found = latency.panels(workloads([old, files[2]]))
    assert [title for title, _ in found] == ["net_rpc: a connection kept across runs",
                                             "net_rpc: a connection per task"]
