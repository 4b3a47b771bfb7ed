"""Tests for cvpanalysis/reading (and base/cli): names, loading and checking result and
trace files, model facts."""

import errno
import json
import os
import threading
import time
from pathlib import Path

import pytest

from cvpanalysis.base.cli import OneLineParser, failure_text, nonempty_path
from cvpanalysis.base.errors import InputError
from cvpanalysis.base.text import console_text
from cvpanalysis.reading.bounded import (MAX_INPUT_BYTES, parse_json, read_bounded, read_json,
                                         too_deep)
from cvpanalysis.reading.inputs import cores_of, expand, read_inputs
from cvpanalysis.reading.load import load, load_trace
from cvpanalysis.reading.names import parse_name

ROOT = Path(__file__).resolve().parent.parent


def row(name, ms=1.0, **fields) -> dict:
    return {"name": name, "run_name": name, "run_type": "iteration", "real_time": ms,
            "time_unit": "ms", **fields}


def write(path: Path, rows: list, **context) -> Path:
    path.write_text(json.dumps({"context": context, "benchmarks": rows}))
    return path


def test_name_grammar_with_optional_axes_and_manual_time_stripped():
    assert parse_name("io_sleep/tbb/tasks:10/workers:8/sleep_us:10000/manual_time") == {
        "workload": "io_sleep", "model": "tbb", "tasks": 10, "workers": 8, "sleep_us": 10000,
        "bytes": 0, "rounds": 0}
    key = parse_name("cpu_hash/py_threads/tasks:4096/workers:2/bytes:64/rounds:8")
    assert (key["model"], key["bytes"], key["rounds"]) == ("py_threads", 64, 8)
    key = parse_name(
        "shared_counter/event_loop/tasks:100/workers:1/sleep_us:10/lock:0/wait:1")
    assert (key["lock"], key["wait"]) == (0, 1)
    limit = parse_name("limits/uv_timers/tasks:1000/workers:1/sleep_us:10000")
    assert (limit["workload"], limit["model"]) == ("limits", "uv_timers")


@pytest.mark.parametrize("name", [
    "BM_Foo/8", "io_sleep/tbb/tasks:x/workers:8", "io_sleep/tbb/workers:8/tasks:1",
    "io_sleep/tbb/tasks:0/workers:1", "io_sleep/tbb/tasks:1/workers:1/bytes:1/bytes:2",
    "io_sleep/tbb/tasks:99999999999999/workers:1", "Io_sleep/tbb/tasks:1/workers:1", 7, None,
])
def test_names_outside_the_grammar_are_foreign(name):
    assert parse_name(name) is None


def test_a_benchmark_with_a_repetition_in_error_is_dropped_and_listed(tmp_path):
    name = "cpu_hash/tbb/tasks:10/workers:2/bytes:64/manual_time"
    f = load(write(tmp_path / "r.json", [
        row(name, 5.0), dict(row(name), error_occurred=True, error_message="child killed"),
        row("cpu_hash/serial/tasks:10/workers:1/bytes:64", 9.0)]))
    assert list(f.series) == ["cpu_hash/serial/tasks:10/workers:1/bytes:64"]
    assert f.errors == ["cpu_hash/tbb/tasks:10/workers:2/bytes:64: child killed"]
    assert f.failed == {"cpu_hash/tbb/tasks:10/workers:2/bytes:64"}


@pytest.mark.parametrize("fields, message", [
    ({"real_time": float("nan")}, "real_time is nan"),
    ({"real_time": 0}, "real_time is 0"),
    ({"real_time": -3.0}, "real_time is -3.0"),
    ({"real_time": float("inf")}, "real_time is inf"),
    ({"real_time": 1e308, "time_unit": "s"}, "real_time is 1e+308"),
    ({"real_time": 10**400}, "real_time is 1000"),
    ({"real_time": "5"}, "not a number"),
    ({"time_unit": 5}, "time_unit is 5"),
    ({"time_unit": "hours"}, "time_unit is 'hours'"),
    ({"speedup": float("nan")}, "counter speedup is nan"),
])
def test_times_and_counters_that_are_not_measurements_are_errors_for_their_row(tmp_path, fields,
                                                                                message):
    f = load(write(tmp_path / "r.json", [row("BM_a", 2.0), dict(row("BM_b"), **fields)]))
    assert list(f.series) == ["BM_a"]
    assert len(f.errors) == 1 and f.errors[0].startswith("BM_b: ") and message in f.errors[0]


def test_rows_without_a_string_name_are_errors(tmp_path):
    f = load(write(tmp_path / "r.json", [row("BM_a"), {"name": 5}, None]))
    assert list(f.series) == ["BM_a"]
    assert f.errors == ["row 1: name is 5, not a string", "row 2: not an object"]


@pytest.mark.parametrize("content, message", [
    ("[" * 5000 + "]" * 5000, "nested too deeply"),
    (b"\xff\xfe{}", "not UTF-8"),
    ('{"benchmarks": [1], "context": {"cvp_models": "[{\\"order\\": 1}]"}}',
     'without a string "name"'),
    ('{"benchmarks": [1], "context": {"cvp_models": "{"}}', "cvp_models is not JSON"),
    ('{"benchmarks": [1], "context": {"cvp_models": "{}"}}', "cvp_models is not a JSON array"),
    ('{"benchmarks": [1], "context": {"cvp_models": [{"name": "a", "takes_workers": 1}]}}',
     "takes_workers is 1"),
    ('{"benchmarks": [1], "context": {"cvp_load": "[]"}}', "cvp_load is not a JSON object"),
])
def test_unreadable_files_and_malformed_context_are_one_line_input_errors(tmp_path, content,
                                                                         message):
    path = tmp_path / "bad.json"
    path.write_bytes(content if isinstance(content, bytes) else content.encode())
    with pytest.raises(InputError) as e:
        load(path)
    assert message in str(e.value) and "\n" not in str(e.value) and str(path) in str(e.value)


def test_folders_skip_kept_failed_and_unfinished_results(tmp_path):
    for rel in ("io_sleep.json", "traces/t/a.json", "previous/io_sleep.json", "baseline/x.json",
                "run.partial/x.json", "run.failed/x.json", ".plot-abc/x.json",
                "sub/previous/y.json"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("{}")
    found = [p.relative_to(tmp_path).as_posix() for p in expand([tmp_path])]
    assert found == ["io_sleep.json", "traces/t/a.json"]
    assert [p.name for p in expand([tmp_path], recursive=False)] == ["io_sleep.json"]
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="empty: folder holds no"):
        expand([tmp_path / "empty"])


def test_models_without_facts_keep_first_appearance_and_w1_means_fixed(tmp_path):
    a = write(tmp_path / "a.json", [row("io_sleep/zeta/tasks:1/workers:1/sleep_us:1"),
                                    row("io_sleep/alpha/tasks:1/workers:1/sleep_us:1"),
                                    row("io_sleep/alpha/tasks:1/workers:4/sleep_us:1")])
    b = write(tmp_path / "b.json", [row("io_sleep/py_beta/tasks:1/workers:1/sleep_us:1")],
              cvp_language="python")
    inputs = read_inputs([a, b])
    reg = inputs.models
    assert reg.ordered() == ["zeta", "alpha", "py_beta"]
    assert reg["zeta"].fixed_workers == 1 and not reg["zeta"].takes_workers
    assert reg["alpha"].takes_workers and reg["alpha"].parallel
    assert reg["py_beta"].is_python and reg["py_beta"].family == "unknown"
    assert reg.label({"model": "alpha", "workers": 4}) == "alpha (W=4)"
    assert reg.label({"model": "zeta", "workers": 1}) == "zeta"
    assert reg.baseline() == "zeta"
    assert reg.gathering_loop() is None  # no one-worker model had two tasks in flight


def test_model_facts_from_the_context_set_order_family_and_references(tmp_path):
    models = [{"name": "loop", "order": 2, "family": "one_thread", "language": "c++",
               "takes_workers": False, "fixed_workers": 1, "concurrency": "N", "parallelism": "1"},
              {"name": "one", "order": 0, "family": "one_thread", "language": "c++",
               "takes_workers": False, "fixed_workers": 1, "concurrency": "1", "parallelism": "1"},
              {"name": "py_loop", "order": 102, "family": "one_thread", "language": "python",
               "takes_workers": False, "fixed_workers": 1, "concurrency": "N", "twin": "loop"}]
    f = write(tmp_path / "a.json", [row("io_sleep/py_loop/tasks:1/workers:1/sleep_us:1"),
                                    row("io_sleep/other/tasks:1/workers:2/sleep_us:1"),
                                    row("io_sleep/loop/tasks:1/workers:1/sleep_us:1")],
              cvp_models=json.dumps(models))
    reg = read_inputs([f]).models
    assert reg.ordered() == ["one", "loop", "py_loop", "other"]
    assert reg.baseline() == "one" and reg.gathering_loop() == "loop"
    assert reg["py_loop"].twin == "loop" and reg["other"].family == "unknown"


def test_load_sample_and_noisy_rows_are_read(tmp_path):
    f = load(write(tmp_path / "a.json", [row("BM_a", noisy=1), row("BM_b", noisy=0)],
                   cvp_load=json.dumps({"loaded": True, "other_busy_cpus": 0.9,
                                        "steal_pct": 0.4})))
    assert f.loaded and "0.90 other busy CPUs" in f.load_note()
    assert f.series["BM_a"].noisy and not f.series["BM_b"].noisy


def _trace(**change) -> dict:
    data = {"otherData": {"scenario": "s", "model": "m", "workers": 2, "wall_ms": 5.0},
            "traceEvents": [{"name": "task 0", "ph": "X", "ts": 1.0, "dur": 2.0, "pid": 1, "tid": 1,
                             "args": {"index": 0}}]}
    for path, value in change.items():
        *parents, last = path.split("__")
        target = data
        for p in parents:
            target = target[int(p)] if isinstance(target, list) else target[p]
        target[int(last) if isinstance(target, list) else last] = value
    return data


@pytest.mark.parametrize("change, message", [
    ({"traceEvents": [None]}, "traceEvents[0] is None"),
    ({"traceEvents__0__ts": None}, "ts is None"),
    ({"traceEvents__0__dur": 1e308}, "dur is 1e+308"),
    ({"traceEvents__0__ts": -1}, "ts is -1"),
    ({"traceEvents__0__args": {}}, "args.index is None"),
    ({"traceEvents__0__pid": [1]}, "pid and tid"),
    ({"otherData__model": 3}, "otherData.model is 3"),
    ({"otherData__scenario": "../../etc"}, "otherData.scenario"),
    ({"otherData__wall_ms": float("inf")}, "wall_ms is inf"),
    ({"traceEvents": {}}, "traceEvents is not an array"),
])
def test_malformed_traces_are_input_errors(tmp_path, change, message):
    with pytest.raises(InputError) as e:
        load_trace(tmp_path / "t.json", _trace(**change))
    assert message in str(e.value)


def test_a_trace_that_is_not_ours_is_skipped_with_a_warning(tmp_path):
    (tmp_path / "t.json").write_text(json.dumps({"traceEvents": []}))
    write(tmp_path / "r.json", [row("BM_a")])
    inputs = read_inputs([tmp_path])
    assert inputs.traces == [] and "not one of cvpbench's" in inputs.warnings[0]
    ours = _trace()
    trace = load_trace(tmp_path / "t.json", ours)
    assert (trace.model, trace.workers, trace.events[0].index) == ("m", 2, 0)


def test_cores_come_from_cpus_usable_and_ignore_nonsense(tmp_path):
    files = [load(write(tmp_path / "a.json", [row("BM_a")], cpus_usable="abc")),
             load(write(tmp_path / "b.json", [row("BM_a")], cpus_usable="32"))]
    assert cores_of(files, default=3) == 32
    assert cores_of(files[:1], default=3) == 3


def test_a_trace_with_null_model_facts_is_read_and_facts_are_taken_when_present(tmp_path):
    assert load_trace(tmp_path / "t.json", _trace(otherData__model_facts=None)).facts is None
    facts = {"name": "m", "order": 3, "family": "threads", "language": "c++", "takes_workers": True}
    trace = load_trace(tmp_path / "t.json", _trace(otherData__model_facts=facts))
    assert (trace.facts.family, trace.facts.order) == ("threads", 3.0)


def test_a_fifo_is_refused_without_being_opened(tmp_path):
    fifo = tmp_path / "r.json"
    os.mkfifo(fifo)
    # Opening a FIFO for reading blocks until a writer comes: a hang here is
    # the bug. A writer is kept ready on a timer so the test itself cannot hang.
    opener = threading.Timer(10, lambda: os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)))
    opener.start()
    try:
        started = time.monotonic()
        with pytest.raises(InputError, match="is a FIFO, not a regular file"):
            read_json(fifo)
        assert time.monotonic() - started < 5
    finally:
        opener.cancel()


def test_reading_is_bounded_and_refuses_a_file_over_the_cap(tmp_path):
    path = tmp_path / "r.json"
    path.write_bytes(b"[1, 2, 3]")
    assert read_bounded(path, limit=9) == b"[1, 2, 3]"
    with pytest.raises(InputError, match="10 bytes; allowed: at most"):
        path.write_bytes(b"[1, 2, 30]")
        read_bounded(path, limit=9)
    with pytest.raises(InputError, match="is a character device"):
        read_bounded(Path("/dev/zero"))
    with pytest.raises(InputError, match="is a folder"):
        read_bounded(tmp_path)
    # The cap sits far above the largest committed result file.
    biggest = max((p.stat().st_size for p in (ROOT / "results").rglob("*.json")), default=0)
    assert biggest * 20 < MAX_INPUT_BYTES


def test_nesting_is_bounded_in_files_and_in_json_held_by_context_strings(tmp_path):
    assert not too_deep([[[1]]], limit=3) and too_deep([[[[1]]]], limit=3)
    deep = "[" * 70 + "]" * 70
    with pytest.raises(InputError, match="nested deeper than 64 levels"):
        parse_json(deep, "x.json")
    with pytest.raises(InputError, match="nested too deeply"):
        parse_json("[" * 100000 + "]" * 100000, "x.json")
    path = write(tmp_path / "r.json", [row("BM_a")], cvp_models=json.dumps(json.loads(deep)))
    with pytest.raises(InputError, match="cvp_models is nested deeper than 64 levels"):
        load(path)


def test_console_text_escapes_what_a_terminal_would_act_on():
    assert console_text("plain µs — ok\n\tnext") == "plain µs — ok\n\tnext"
    assert console_text("a\x1b[31mb\x07\u202ec\ud800") == "a\\x1b[31mb\\x07\\u202ec\\ud800"


def test_option_errors_are_one_line(capsys):
    parser = OneLineParser(prog="tool.py")
    parser.add_argument("-o", type=nonempty_path)
    for argv in (["--nope"], ["-o", ""], ["-o"]):
        with pytest.raises(SystemExit) as e:
            parser.parse_args(argv)
        assert e.value.code == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith("tool.py: error: "), err


def test_failures_without_a_file_name_say_what_they_are():
    # Was: "[Errno 24] Too many open files" with nothing else; a MemoryError as its bare name.
    line = failure_text(OSError(errno.EMFILE, "Too many open files"), (OSError,))
    assert line.startswith("too many open files (Too many open files; this process may open ")
    assert "ulimit -n" in line
    assert "out of memory" in failure_text(MemoryError(), (OSError,))
    named = OSError(errno.EMFILE, "Too many open files", "/x/r.json")
    assert "/x/r.json" in failure_text(named, (OSError,))
