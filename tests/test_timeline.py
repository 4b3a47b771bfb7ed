"""Tests for bench/timeline.cpp and bench/trace.cpp: valid Chrome traces, one event per task."""

import json
import os
import re
import subprocess
import time
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def traces(tmp_path_factory) -> Path:
    binary = Path(os.environ.get("CVP_TIMELINE", Path(__file__).parent.parent / "build/bench/timeline"))
    if not binary.exists():
        pytest.skip("timeline is not built (set CVP_TIMELINE)")
    out = tmp_path_factory.mktemp("run") / "traces"
    r = subprocess.run([str(binary), f"--out={out}"], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return out


def events(path: Path) -> list[dict]:
    data = json.loads(path.read_text())
    return [e for e in data["traceEvents"] if e["ph"] == "X"]


def test_every_trace_is_valid_json_with_one_complete_event_per_task(traces):
    files = sorted(traces.glob("*/*.json"))
    assert len(files) >= 2 * 7 + 2
    for f in files:
        data = json.loads(f.read_text())
        tasks = {"io_sleep": 8, "cpu_hash": 8, "two_sleepers": 2}[f.parent.name]
        xs = events(f)
        assert sorted(e["args"]["index"] for e in xs) == list(range(tasks)), f
        for e in xs:
            assert e["name"] == f"task {e['args']['index']}"
            assert e["ts"] >= 0 and e["dur"] > 0
            assert isinstance(e["pid"], int) and isinstance(e["tid"], int)
        assert data["otherData"]["model"] == f.stem
        names = [e for e in data["traceEvents"] if e["ph"] == "M"]
        assert {(e["pid"], e.get("tid")) for e in names if e["name"] == "thread_name"} == \
            {(e["pid"], e["tid"]) for e in xs}


def test_two_sleepers_in_sequence_and_gathered(traces):
    seq = sorted(events(traces / "two_sleepers" / "event_loop_sequential.json"),
                 key=lambda e: e["args"]["index"])
    assert seq[1]["ts"] >= seq[0]["ts"] + seq[0]["dur"]  # 1 starts, 1 ends, 2 starts, 2 ends
    gathered = events(traces / "two_sleepers" / "event_loop.json")
    assert max(e["ts"] for e in gathered) < min(e["ts"] + e["dur"] for e in gathered)


def test_lanes_show_one_thread_for_the_loop_and_several_for_threads_and_processes(traces):
    def lanes(model: str) -> set:
        return {(e["pid"], e["tid"]) for e in events(traces / "io_sleep" / f"{model}.json")}

    assert len(lanes("event_loop")) == 1
    assert len(lanes("tbb")) == 2
    fork = lanes("fork")
    assert len(fork) == 2 and len({pid for pid, _ in fork}) == 2


def test_bad_argument_is_one_line_and_exit_2():
    binary = Path(os.environ.get("CVP_TIMELINE", Path(__file__).parent.parent / "build/bench/timeline"))
    if not binary.exists():
        pytest.skip("timeline is not built")
    r = subprocess.run([str(binary), "--frobnicate"], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip() == "timeline: error: unknown argument '--frobnicate'; see timeline --help"


def _timeline() -> Path:
    binary = Path(os.environ.get("CVP_TIMELINE", Path(__file__).parent.parent / "build/bench/timeline"))
    if not binary.exists():
        pytest.skip("timeline is not built")
    return binary


def test_out_on_a_results_folder_deletes_nothing_it_did_not_write(tmp_path):
    results = tmp_path / "results"
    results.mkdir()
    (results / "io_sleep.json").write_text("earlier results")
    (results / "io_sleep").mkdir()
    (results / "io_sleep" / "notes.txt").write_text("mine")
    r = subprocess.run([str(_timeline()), f"--out={results}/"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert (results / "io_sleep.json").read_text() == "earlier results"
    assert (results / "io_sleep" / "notes.txt").read_text() == "mine"
    assert (results / "io_sleep" / "serial.json").exists()


def test_a_second_run_keeps_the_replaced_traces_in_previous(traces):
    r = subprocess.run([str(_timeline()), f"--out={traces}"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 0, r.stderr
    assert (traces / "two_sleepers" / "previous" / "event_loop.json").exists()


def test_out_that_is_a_file_is_refused(tmp_path):
    f = tmp_path / "file"
    f.write_text("x")
    r = subprocess.run([str(_timeline()), f"--out={f}"], capture_output=True, text=True)
    assert r.returncode == 2
    assert r.stderr.strip() == f"timeline: error: --out is '{f}'; allowed: a directory path"
    assert f.read_text() == "x"


def test_empty_out_says_it_is_empty_and_what_is_allowed():
    r = subprocess.run([str(_timeline()), "--out="], capture_output=True, text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip() == "timeline: error: --out is empty; allowed: --out=DIR, a directory path"


def test_a_folder_where_nothing_can_be_written_is_refused_before_running(tmp_path):
    # /proc takes no new file, even from root; a read-only folder would not stop root.
    t0 = time.monotonic()
    r = subprocess.run([str(_timeline()), "--out=/proc/cvp-traces"], capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 2, r.stderr
    assert time.monotonic() - t0 < 10, "refused only after tracing"
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith(
        "timeline: error: --out is '/proc/cvp-traces', but no file can be made in '/proc': ")


def test_out_with_a_control_character_is_refused(tmp_path):
    r = subprocess.run([str(_timeline()), f"--out={tmp_path}/a\nb"], capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "timeline: error: --out contains a control character (0x0a); allowed: a directory path "
        "without control characters"]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("planted", ["io_sleep", "io_sleep/previous"])
def test_a_scenario_folder_that_is_a_symbolic_link_is_refused_before_running(tmp_path, planted):
    """A planted io_sleep -> /victim had traces written and the victim's file moved."""
    out, victim = tmp_path / "t", tmp_path / "victim"
    victim.mkdir()
    (victim / "serial.json").write_text("precious")
    (out / planted).parent.mkdir(parents=True)
    (out / planted).symlink_to(victim)
    r = subprocess.run([str(_timeline()), f"--out={out}"], capture_output=True, text=True,
                       timeout=300)
    assert r.returncode == 2, r.stderr
    assert r.stderr.strip().splitlines() == [
        f"timeline: error: --out is '{out}', but '{out / planted}' is not a folder (a symbolic "
        "link?); it is never followed: remove it"]
    assert sorted(p.name for p in victim.iterdir()) == ["serial.json"]
    assert (victim / "serial.json").read_text() == "precious"


def test_a_second_run_on_the_same_folder_is_refused_naming_the_holder(tmp_path):
    """Three concurrent runs all said "wrote 18 traces" while one's traces were lost."""
    out = tmp_path / "t"
    first = subprocess.Popen([str(_timeline()), f"--out={out}"], stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE, text=True)
    try:
        lock = tmp_path / "t.lock"
        deadline = time.monotonic() + 60
        while not (lock.exists() and lock.read_text().strip() == str(first.pid)):
            assert time.monotonic() < deadline and first.poll() is None, "no lock taken"
            time.sleep(0.01)
        r = subprocess.run([str(_timeline()), f"--out={out}/"], capture_output=True, text=True,
                           timeout=60)
        assert r.returncode == 2, r.stderr
        assert r.stderr.strip().splitlines() == [
            f"timeline: error: {out} is being written by another run (pid {first.pid}); "
            "nothing was run"]
    finally:
        _, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    assert not (tmp_path / "t.lock").exists()
    # The harnesses' console line, one per traced model.
    steps = [l for l in err.splitlines() if l.startswith("[")]
    assert steps and all(re.fullmatch(
        r"\[\d+/\d+\] \w+/\w+: traced, wall \d+ ms  \(elapsed \d+:\d\d, ~\d+:\d\d left\)", l)
        for l in steps), err
    assert steps[-1].startswith(f"[{len(steps)}/{len(steps)}] ")
