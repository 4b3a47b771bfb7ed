"""Tests for cvpanalysis/charts/task_memory.py: memory per task in flight against N, from a
small fixture; rows written before the memory counters leave the chart out, never crash it."""

import json
from pathlib import Path

import matplotlib.image

from cvpanalysis.charts import task_memory
from cvpanalysis.figures.chart import Chart
from cvpanalysis.figures.styles import styles
from cvpanalysis.reading.groups import Workloads
from cvpanalysis.reading.inputs import read_inputs

IO = "io_sleep/{}/tasks:{}/workers:{}/sleep_us:10000/manual_time"
NET = "net_rpc/{}/tasks:{}/workers:1/sleep_us:1000/bytes:1024/conn_per_task:{}/manual_time"


def write(path: Path, rows: list[tuple[str, dict]], reps: int = 3) -> Path:
    """A result file: each name with `reps` repetitions and its counters."""
    bench = [{"name": name, "run_name": name, "run_type": "iteration", "repetitions": reps,
              "repetition_index": i, "threads": 1, "iterations": 1, "real_time": 10.0 + i,
              "cpu_time": 1.0, "time_unit": "ms", **counters}
             for name, counters in rows for i in range(reps)]
    path.write_text(json.dumps({"context": {"num_cpus": 2, "cpus_usable": "2"},
                                "benchmarks": bench}))
    return path


def memory(user: float, kernel: float | None) -> dict:
    return {"mem_kib_per_task": user, **({} if kernel is None else {"kmem_kib_per_task": kernel})}


def draw(tmp_path: Path, *files: Path) -> tuple[str | None, list[Path]]:
    inputs = read_inputs(list(files), traces=False)
    written: list[Path] = []
    out = tmp_path / "charts"
    out.mkdir(exist_ok=True)
    c = Chart(models=inputs.models, style=styles(inputs.models), cores=2, out=out,
              written=written)
    return task_memory.draw(Workloads.of(inputs.files), c), written


def new_files(tmp_path: Path) -> tuple[Path, Path]:
    io = write(tmp_path / "io_sleep.json",
               [(IO.format("thread_per_task", n, 1), memory(24.0, 16.0)) for n in (10, 1000)]
               + [(IO.format("event_loop", n, 1), memory(0.5, 0.0)) for n in (10, 1000)]
               + [(IO.format("tbb", 10, w), memory(w * 1.0, 2.0 * w)) for w in (2, 4)])
    net = write(tmp_path / "net_rpc.json",
                [(NET.format("event_loop", n, c), memory(1.0, 4.0)) for n in (10, 100)
                 for c in (0, 1)])
    return io, net


def test_the_points_are_medians_at_the_largest_w_without_zeros(tmp_path):
    io, net = new_files(tmp_path)
    rows = Workloads.of(read_inputs([io, net], traces=False).files).io
    assert task_memory.points(rows, "thread_per_task", "kmem_kib_per_task") == ([10, 1000],
                                                                                [16.0, 16.0])
    assert task_memory.points(rows, "tbb", "mem_kib_per_task") == ([10], [4.0])  # W = 4
    assert task_memory.points(rows, "event_loop", "kmem_kib_per_task") == ([], [])  # zeros


def test_one_row_of_panels_per_workload_net_rpc_with_a_connection_per_task(tmp_path):
    io, net = new_files(tmp_path)
    shown = task_memory.panels(Workloads.of(read_inputs([io, net], traces=False).files))
    assert [t for t, _ in shown] == ["io_sleep", "net_rpc, a connection per task"]
    assert {s.key["conn_per_task"] for s in shown[1][1]} == {1}
    stem, written = draw(tmp_path, io, net)
    assert stem == "task_memory"
    png = tmp_path / "charts" / "task_memory.png"
    assert png in written and (tmp_path / "charts" / "task_memory.svg") in written
    image = matplotlib.image.imread(png)
    assert image.ndim == 3 and image.shape[0] > 2 * 200  # two rows of panels


def test_files_without_the_memory_counters_draw_nothing_and_do_not_crash(tmp_path):
    old = write(tmp_path / "io_sleep.json", [(IO.format("event_loop", n, 1), {"parallelism": 0.1})
                                             for n in (10, 100)])
    assert draw(tmp_path, old) == (None, [])
    # Without the kernel counter (rows before it existed), the user column is drawn alone.
    user_only = write(tmp_path / "net_rpc.json",
                      [(NET.format("event_loop", n, 0), memory(1.0, None)) for n in (10, 100)])
    stem, _ = draw(tmp_path, old, user_only)
    assert stem == "task_memory"
    rows = Workloads.of(read_inputs([old, user_only], traces=False).files)
    assert [t for t, _ in task_memory.panels(rows)] == ["net_rpc, kept connections"]
