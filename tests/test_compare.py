"""Tests for compare.py: verdicts on synthetic pairs of known shape, the gate, bad input."""

import json
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from cvpanalysis.compare import command as compare_command
from cvpanalysis.compare import files as compare_files
from cvpanalysis.output.publish import OutputError, Publisher
from cvpanalysis.stats.change import compare_series, detectable_pct, smallest_p

import compare

NAME = "cpu_hash/{}/tasks:100/workers:2/bytes:64/manual_time"
# Nine repetitions with a realistic spread of about 2%.
BASE = [100.0, 101.5, 99.2, 100.8, 98.9, 100.3, 101.1, 99.6, 100.1]


def result(path: Path, times_by_model: dict[str, list[float]], unit: str = "ms",
           **context) -> Path:
    scale = {"ms": 1, "us": 1000, "ns": 1e6}[unit]
    rows = []
    for model, times in times_by_model.items():
        for i, t in enumerate(times):
            rows.append({"name": NAME.format(model), "run_name": NAME.format(model),
                         "run_type": "iteration", "repetitions": len(times), "repetition_index": i,
                         "iterations": 1, "real_time": t * scale, "cpu_time": t * scale,
                         "time_unit": unit})
    path.write_text(json.dumps({"context": {"num_cpus": 2, **context}, "benchmarks": rows}))
    return path


def short(model: str) -> str:
    return NAME.format(model).removesuffix("/manual_time")


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(Path(compare.__file__)), *map(str, args)],
                          capture_output=True, text=True, timeout=120)


def test_identical_inputs_give_no_change(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE, "fork": BASE})
    r = run(old, old, "--fail-on-regression", "1")
    assert r.returncode == 0, r.stderr
    assert r.stdout.count("no change") >= 2
    assert "slower" not in r.stdout.split("geometric")[0]
    assert "geometric mean change: +0.00%" in r.stdout


def test_doubled_times_with_nine_repetitions_are_slower_and_trip_the_gate(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE, "fork": BASE})
    new = result(tmp_path / "new.json", {"tbb": [2 * t for t in BASE], "fork": [2 * t for t in BASE]})
    c = compare_series("x", BASE, [2 * t for t in BASE], 5.0, 0.05)
    assert c.verdict == "slower" and c.reliable
    assert c.change_pct == pytest.approx(100.0)
    assert c.p_value < 0.001
    assert c.ci_low_pct <= 100.0 <= c.ci_high_pct
    r = run(old, new, "--fail-on-regression", "10")
    assert r.returncode == 1
    assert "FAIL: 2 benchmarks significantly slower by more than 10%" in r.stderr
    assert run(old, new).returncode == 0  # without the gate, a slowdown is reported, not fatal


def test_halved_times_are_faster(tmp_path):
    c = compare_series("x", BASE, [t / 2 for t in BASE], 5.0, 0.05)
    assert c.verdict == "faster"
    assert c.change_pct == pytest.approx(-50.0)


def test_a_three_percent_wobble_is_no_change(tmp_path):
    c = compare_series("x", BASE, [t * 1.03 for t in BASE], 5.0, 0.05)
    assert c.change_pct == pytest.approx(3.0)
    assert c.verdict == "no change"  # significant or not, under the 5% threshold
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": [t * 1.03 for t in BASE]})
    assert run(old, new, "--fail-on-regression", "2").returncode == 0


def test_benchmarks_on_one_side_only_are_listed(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE, "serial": BASE})
    new = result(tmp_path / "new.json", {"tbb": BASE, "fork": BASE})
    r = run(old, new)
    assert r.returncode == 0
    # Names are shown as readers key them: without Google Benchmark's /manual_time.
    assert f"only in old (1):\n  {short('serial')}" in r.stdout
    assert f"only in new (1):\n  {short('fork')}" in r.stdout


def test_few_repetitions_are_flagged_unreliable(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE[:5]})
    new = result(tmp_path / "new.json", {"tbb": [2 * t for t in BASE[:5]]})
    r = run(old, new)
    assert "fewer than 9" in r.stdout
    assert "slower ?" in r.stdout


def test_time_units_are_converted(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE}, unit="ms")
    new = result(tmp_path / "new.json", {"tbb": BASE}, unit="us")
    r = run(old, new)
    assert r.returncode == 0
    assert "+0.0%" in r.stdout and "no change" in r.stdout


def test_folders_and_context_differences(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    result(tmp_path / "a" / "cpu_hash.json", {"tbb": BASE}, libuv_version="1.44.2")
    result(tmp_path / "b" / "cpu_hash.json", {"tbb": BASE}, libuv_version="1.48.0")
    r = run(tmp_path / "a", tmp_path / "b")
    assert r.returncode == 0
    assert "context differences:\n  libuv_version: 1.44.2 -> 1.48.0" in r.stdout


def test_json_output_and_chart(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": [2 * t for t in BASE]})
    out = tmp_path / "cmp" / "comparison.json"
    assert run(old, new, "--json", out).returncode == 0
    data = json.loads(out.read_text())
    assert data["benchmarks"][0]["verdict"] == "slower"
    assert data["benchmarks"][0]["change_pct"] == pytest.approx(100.0)
    assert (tmp_path / "cmp" / "comparison.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (tmp_path / "cmp" / "comparison.svg").exists()


def test_rows_in_error_are_listed_and_skipped(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": BASE})
    data = json.loads(new.read_text())
    data["benchmarks"].append({"name": NAME.format("fork"), "run_type": "iteration",
                               "error_occurred": True, "error_message": "task 3: digest differs"})
    new.write_text(json.dumps(data))
    r = run(old, new)
    assert r.returncode == 0
    assert "rows in error, skipped (1):" in r.stdout and "digest differs" in r.stdout


@pytest.mark.parametrize("make, message", [
    (lambda d: d / "missing.json", "no such file"),
    (lambda d: (d / "x.json").write_text("nope") and d / "x.json", "not JSON"),
    (lambda d: (d / "y.json").write_text('{"a": 1}') and d / "y.json", "no \"benchmarks\" array"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path, make, message):
    good = result(tmp_path / "good.json", {"tbb": BASE})
    r = run(good, make(tmp_path))
    assert r.returncode == 2
    assert len(r.stderr.strip().splitlines()) == 1 and message in r.stderr
    assert r.stderr.startswith("compare.py: error: ")


def test_nothing_in_common_is_exit_2(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"fork": BASE})
    r = run(old, new)
    assert r.returncode == 2
    assert "no benchmark in common" in r.stderr


def test_metric_speedup_compares_the_counter_with_higher_better(tmp_path):
    def with_speedup(path: Path, speedups: list[float]) -> Path:
        result(path, {"tbb": BASE})
        data = json.loads(path.read_text())
        for row, sp in zip(data["benchmarks"], speedups):
            row["speedup"] = sp
        path.write_text(json.dumps(data))
        return path

    old = with_speedup(tmp_path / "old.json", [1.9 + 0.01 * i for i in range(9)])
    new = with_speedup(tmp_path / "new.json", [0.95 + 0.005 * i for i in range(9)])
    # Times are identical; the speedup halved: slower by the speedup metric,
    # which the default (auto) picks for a row that has one.
    assert "1 no change" in run(old, new, "--metric", "time").stdout
    r = run(old, new)
    assert "metric: auto (speedup)" in r.stdout and "1 slower" in r.stdout
    r = run(old, new, "--metric", "speedup", "--fail-on-regression", "10")
    assert r.returncode == 1
    assert "metric: speedup" in r.stdout and "slower" in r.stdout
    r = run(new, old, "--metric", "speedup", "--fail-on-regression", "10")
    assert r.returncode == 0 and "faster" in r.stdout


def test_metric_missing_everywhere_is_exit_2(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    r = run(old, old, "--metric", "speedup")
    assert r.returncode == 2
    assert "no benchmark in common has a speedup counter" in r.stderr


@pytest.mark.parametrize("n, m, p", [(1, 1, 1.0), (3, 3, 0.1), (4, 4, 2 / 70), (2, 5, 2 / 21)])
def test_smallest_attainable_p_of_the_u_test(n, m, p):
    assert smallest_p(n, m) == pytest.approx(p)


def test_one_run_a_side_two_times_slower_fails_the_gate_on_the_change_alone(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": [100.0]})
    new = result(tmp_path / "new.json", {"tbb": [200.0]})
    r = run(old, new, "--fail-on-regression", "10")
    assert r.returncode == 1
    assert "slower (untested)" in r.stdout
    assert ("compare.py: no significance test possible with 1 vs 1 repetitions; failing on the "
            "change alone") in r.stderr.splitlines()
    assert run(old, new, "--fail-on-regression", "150").returncode == 0  # +100% is within 150%
    assert run(new, old, "--fail-on-regression", "10").returncode == 0  # faster never fails


def test_three_against_three_is_untested_and_four_against_four_is_tested():
    c3 = compare_series("x", BASE[:3], [2 * t for t in BASE[:3]], 5.0, 0.05)
    assert c3.verdict == "slower (untested)" and not c3.tested
    c4 = compare_series("x", BASE[:4], [2 * t for t in BASE[:4]], 5.0, 0.05)
    assert c4.verdict == "slower" and c4.tested and not c4.reliable
    small = compare_series("x", BASE[:1], [BASE[0] * 1.02], 5.0, 0.05)
    assert small.verdict == "no change (untested)"


def test_nanosecond_rows_are_shown_in_nanoseconds(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": [t / 1e6 for t in BASE]})  # about 100 ns
    new = result(tmp_path / "new.json", {"tbb": [t / 1e6 for t in BASE]})
    r = run(old, new)
    assert r.returncode == 0
    assert "100.100 ns" in r.stdout and "0.000" not in r.stdout


@pytest.mark.parametrize("bad", [float("nan"), 0.0, -5.0, float("inf")])
def test_bad_times_are_errors_listed_and_not_compared(tmp_path, bad):
    old = result(tmp_path / "old.json", {"tbb": BASE, "fork": BASE})
    new = result(tmp_path / "new.json", {"tbb": BASE, "fork": BASE[:8] + [bad]})
    r = run(old, new)
    assert r.returncode == 0, r.stderr
    table = r.stdout.split("geometric")[0]
    assert short("tbb") in table and short("fork") not in table
    assert "rows in error, skipped (1):" in r.stdout
    assert f"{short('fork')}: real_time is" in r.stdout
    assert "only in old" not in r.stdout
    alone = result(tmp_path / "alone.json", {"tbb": BASE[:8] + [bad]})
    r = run(old, alone)
    assert r.returncode == 2 and r.stderr.startswith("compare.py: error: ")


def test_a_crash_is_one_line_exit_1_and_debug_shows_the_traceback(tmp_path, capsys, monkeypatch):
    old = result(tmp_path / "old.json", {"tbb": BASE})

    def broken(*args, **kwargs):
        raise ZeroDivisionError("float division by zero")

    monkeypatch.setattr(compare_command, "compare", broken)
    assert compare.main([str(old), str(old)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "compare.py: error: ZeroDivisionError: float division by zero (run with --debug for the "
        "traceback)"]
    assert compare.main([str(old), str(old), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


def test_a_loaded_side_and_noisy_rows_are_warned_about(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": BASE},
                 cvp_load=json.dumps({"loaded": True, "other_busy_cpus": 0.97, "steal_pct": 0.2}))
    data = json.loads(new.read_text())
    for row in data["benchmarks"]:
        row["noisy"] = 1
    new.write_text(json.dumps(data))
    r = run(old, new)
    assert r.returncode == 0
    warnings = [line for line in r.stderr.splitlines() if line.startswith("compare.py: warning:")]
    assert len(warnings) == 2
    assert "new side" in warnings[0] and "under load" in warnings[0] and "0.97" in warnings[0]
    assert "1 benchmarks marked noisy" in warnings[1]


@pytest.mark.parametrize("option", [["--alpha", "nan"], ["--threshold", "-1"],
                                    ["--fail-on-regression", "inf"]])
def test_bad_options_are_exit_2(tmp_path, option):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    r = run(old, old, *option)
    assert r.returncode == 2 and r.stderr.startswith(f"compare.py: error: {option[0]} is")


@pytest.mark.parametrize("args, message", [
    (["--threshold", "5", "--threshold", "6"], "--threshold given more than once"),
    (["--json", "a.json", "--json", "b.json"], "--json given more than once"),
    (["--threshold=\u0665"], "argument --threshold: '\\u0665' is not a number in ASCII digits"),
    (["--alpha=0_05"], "argument --alpha: '0_05' is not a number"),
    (["--json", "x\ny.json"], "argument --json: 'x\\ny.json' holds a control character"),
], ids=["repeated-threshold", "repeated-json", "arabic-digit", "underscore", "newline-path"])
def test_odd_options_are_refused_in_one_line(tmp_path, args, message):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    r = subprocess.run([sys.executable, str(Path(compare.__file__)), str(old), str(old), *args],
                       capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert r.returncode == 2, r.stderr
    assert r.stderr.startswith("compare.py: error: ") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.json"]


def with_counter(path: Path, counter: str, values_by_model: dict[str, list[float]]) -> Path:
    data = json.loads(path.read_text())
    for row in data["benchmarks"]:
        model = row["name"].split("/")[1]
        if model in values_by_model:
            row[counter] = values_by_model[model][row["repetition_index"]]
    path.write_text(json.dumps(data))
    return path


def test_auto_takes_the_speedup_then_vs_limit_then_time_per_benchmark(tmp_path):
    # The machine ran 10% slower in the new run: every time moved, but the
    # ratios measured within each benchmark did not.
    slow = [t * 1.1 for t in BASE]
    ratios = [1.9 + 0.01 * i for i in range(9)]
    old = result(tmp_path / "old.json", {"tbb": BASE, "fork": BASE, "serial": BASE})
    new = result(tmp_path / "new.json", {"tbb": slow, "fork": slow, "serial": slow})
    for path in (old, new):
        with_counter(path, "speedup", {"tbb": ratios})
        with_counter(path, "vs_limit", {"tbb": ratios, "fork": ratios})
    r = run(old, new)
    assert r.returncode == 0, r.stderr
    rows = {line.split()[0]: line for line in r.stdout.splitlines() if line.startswith("cpu_hash/")}
    assert rows[short("tbb")].split()[1] == "speedup"
    assert rows[short("fork")].split()[1] == "vs_limit"
    assert rows[short("serial")].split()[1] == "time"
    assert "no change" in rows[short("tbb")] and "no change" in rows[short("fork")]
    assert "slower" in rows[short("serial")]
    assert "metric: auto (speedup, time, vs_limit)" in r.stdout


def test_detectable_change_follows_the_spread_and_is_absent_without_a_test(tmp_path):
    wide = [100 + 10 * (i % 3 - 1) for i in range(9)]
    old = result(tmp_path / "old.json", {"tbb": BASE, "fork": wide})
    data = json.loads(run(old, old, "--json", tmp_path / "c.json").stdout and
                      (tmp_path / "c.json").read_text())
    by_name = {b["name"]: b for b in data["benchmarks"]}
    narrow_mdc = by_name[short("tbb")]["detectable_pct"]
    wide_mdc = by_name[short("fork")]["detectable_pct"]
    assert 0 < narrow_mdc < wide_mdc
    # Three repetitions a side cannot reach p < 0.05: nothing is detectable.
    few = result(tmp_path / "few.json", {"tbb": BASE[:3]})
    data = json.loads(run(few, few, "--json", tmp_path / "f.json").stdout and
                      (tmp_path / "f.json").read_text())
    assert data["benchmarks"][0]["detectable_pct"] is None


def test_detectable_change_is_the_power_formula():
    old, new = [1.0, 2.0, 3.0, 4.0, 5.0], [2.0, 3.0, 4.0, 5.0, 6.0]
    # se = sqrt(2.5/5 + 2.5/5) = 1; t(0.975, 8) = 2.306; (2.306 + 0.8416) / 3 = 104.9%.
    assert detectable_pct(old, new, 0.05) == pytest.approx(104.9, abs=0.1)


def _listing(folder: Path) -> dict[str, str]:
    """Each entry of `folder` with its kind, and a regular file's content."""
    result = {}
    for p in sorted(folder.iterdir()):
        st = os.lstat(p)
        if stat.S_ISREG(st.st_mode):
            result[p.name] = p.read_bytes().hex()[:64] + str(st.st_size)
        else:
            result[p.name] = f"mode {stat.S_IFMT(st.st_mode):o}"
    return result


def _one_error_line(r: subprocess.CompletedProcess) -> str:
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("compare.py: error: "), r.stderr
    return lines[0]


@pytest.mark.parametrize("make", [lambda p: os.mknod(p, 0o644 | stat.S_IFCHR, os.makedev(1, 3)),
                                  os.mkfifo],
                         ids=["device", "fifo"])
@pytest.mark.parametrize("at", ["comparison.json", "comparison.png"])
def test_an_output_that_is_a_device_or_fifo_is_refused_before_anything_is_written(
        tmp_path, make, at):
    # Was: --json /dev/null wrote /dev/null.png and, as root, replaced device files.
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": BASE})
    out = tmp_path / "out"
    out.mkdir()
    try:
        make(out / at)
    except PermissionError:
        pytest.skip("mknod needs root")
    before = _listing(out)
    r = run(old, new, "--json", out / "comparison.json")
    assert r.returncode == 2
    assert "not a regular file" in _one_error_line(r) and str(out / at) in r.stderr
    assert r.stdout == ""  # refused before the table, too
    assert _listing(out) == before


def test_planted_symlinks_at_output_and_temporary_names_are_never_followed(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": [2 * t for t in BASE]})
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    victim = elsewhere / "precious"
    victim.write_text("not yours")
    out = tmp_path / "out"
    out.mkdir()
    # At the output's own name: refused, the symlink and its target untouched.
    for name in ("comparison.json", "comparison.png", "comparison.svg"):
        (out / name).symlink_to(victim)
        r = run(old, new, "--json", out / "comparison.json")
        assert r.returncode == 2 and "a symbolic link" in _one_error_line(r)
        assert (out / name).is_symlink() and victim.read_text() == "not yours"
        (out / name).unlink()
    # At every name a writer could predict for its temporary files: never followed.
    planted = [f"{p}{name}{s}" for name in ("comparison.json", "comparison.png", "comparison.svg")
               for p, s in (("", ".partial"), (".", ".partial"), ("", ".tmp"), (".", ""))]
    for name in planted:
        (out / name).symlink_to(victim)
    r = run(old, new, "--json", out / "comparison.json")
    assert r.returncode == 0, r.stderr
    assert victim.read_text() == "not yours"
    assert all((out / name).is_symlink() for name in planted)
    assert json.loads((out / "comparison.json").read_text())["benchmarks"][0]["verdict"] == "slower"
    left = [p.name for p in out.iterdir() if p.name.endswith(".partial") and p.name not in planted]
    assert left == []


def test_a_failed_write_is_exit_1_like_the_other_tools(tmp_path, capsys, monkeypatch):
    # Was: exit 2 ("cannot write"), while plot, merge and the harnesses exit 1.
    old = result(tmp_path / "old.json", {"tbb": BASE})
    out = tmp_path / "c.json"

    def full(self, target, data):
        raise OutputError(f"{target}: cannot write (No space left on device)")

    monkeypatch.setattr(Publisher, "stage", full)
    assert compare.main([str(old), str(old), "--json", str(out)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        f"compare.py: error: {out}: cannot write (No space left on device)"]


@pytest.mark.parametrize("how", ["same path", "hard link", "another spelling"])
def test_an_output_that_is_one_of_the_inputs_is_refused(tmp_path, how):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": BASE})
    target = {"same path": new, "hard link": tmp_path / "link.json",
              "another spelling": tmp_path / "." / "sub" / ".." / "new.json"}[how]
    (tmp_path / "sub").mkdir()
    if how == "hard link":
        os.link(new, target)
    before = new.read_bytes()
    r = run(old, new, "--json", target)
    assert r.returncode == 2 and "is the input" in _one_error_line(r)
    assert new.read_bytes() == before
    assert not (tmp_path / "new.png").exists()


def _mount_small_tmpfs(folder: Path) -> None:
    folder.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(folder)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {r.stderr.strip() or r.returncode}")


def test_a_full_disk_names_the_file_and_keeps_the_earlier_output(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": [2 * t for t in BASE]})
    disk = tmp_path / "disk"
    _mount_small_tmpfs(disk)
    try:
        (disk / "comparison.json").write_text("earlier comparison")
        r = run(old, new, "--json", disk / "comparison.json")
        assert r.returncode == 1  # a failed write, not bad input (was 2)
        line = _one_error_line(r)
        assert "No space left on device" in line
        assert str(disk / "comparison.") in line  # the file, not only "[Errno 28]"
        assert (disk / "comparison.json").read_text() == "earlier comparison"
        assert sorted(p.name for p in disk.iterdir()) == ["comparison.json"]
    finally:
        subprocess.run(["umount", str(disk)], check=True)


def test_option_errors_are_one_line(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    for args in (["--no-such-option"], ["--alpha", "x"], ["--metric", "nope"], ["--json"],
                 ["--json", ""]):
        r = run(old, old, *args)
        assert r.returncode == 2, args
        assert _one_error_line(r)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_while_writing_is_one_line_exit_130_and_leaves_no_temporary_file(
        tmp_path, capsys, monkeypatch, sig):
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": [2 * t for t in BASE]})
    out = tmp_path / "out"
    out.mkdir()
    (out / "comparison.json").write_text("earlier comparison")

    class Stopped(Publisher):
        """SIGTERM arrives while the second file is being staged."""

        def stage(self, target, data):
            super().stage(target, data)
            if target.suffix == ".png":
                os.kill(os.getpid(), sig)

    monkeypatch.setattr(compare_files, "Publisher", Stopped)
    code = compare.main([str(old), str(new), "--json", str(out / "comparison.json")])
    assert code == 130
    assert capsys.readouterr().err.splitlines() == ["compare.py: interrupted"]
    assert sorted(p.name for p in out.iterdir()) == ["comparison.json"]
    assert (out / "comparison.json").read_text() == "earlier comparison"
    assert signal.getsignal(signal.SIGTERM) is not None  # the test's own handler is back


def test_ctrl_c_is_one_line_exit_130(tmp_path, capsys, monkeypatch):
    old = result(tmp_path / "old.json", {"tbb": BASE})

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(compare_command, "compare", interrupted)
    try:
        code = compare.main([str(old), str(old)])
    except KeyboardInterrupt:  # what it was: a traceback (and, here, the end of pytest's run)
        code = "KeyboardInterrupt"
    assert code == 130
    assert capsys.readouterr().err.splitlines() == ["compare.py: interrupted"]


def test_escape_sequences_from_the_input_never_reach_the_terminal(tmp_path):
    old = result(tmp_path / "old.json", {"tbb": BASE}, host_name="a")
    new = result(tmp_path / "new.json", {"tbb": BASE}, host_name="\x1b]0;owned\x07\x1b[31mred")
    data = json.loads(new.read_text())
    for row in data["benchmarks"]:
        row["name"] = row["run_name"] = "BM_\x1b[2Jx"
    data["benchmarks"] += json.loads(old.read_text())["benchmarks"]
    new.write_text(json.dumps(data))
    r = run(old, new)
    assert r.returncode == 0, r.stderr
    assert "\x1b" not in r.stdout + r.stderr and "\x07" not in r.stdout
    assert "BM_\\x1b[2Jx" in r.stdout


def test_a_chart_compare_did_not_write_is_kept_unless_forced(tmp_path):
    # Was: --json X.json replaced the user's own X.png and X.svg without a word.
    old = result(tmp_path / "old.json", {"tbb": BASE})
    new = result(tmp_path / "new.json", {"tbb": [2 * t for t in BASE]})
    out = tmp_path / "out"
    out.mkdir()
    (out / "X.png").write_bytes(b"my own picture")
    r = run(old, new, "--json", out / "X.json")
    assert r.returncode == 2
    assert _one_error_line(r).startswith(f"compare.py: error: {out / 'X.png'}: exists, and "
                                         "compare.py did not write it")
    assert sorted(p.name for p in out.iterdir()) == ["X.png"]
    assert (out / "X.png").read_bytes() == b"my own picture"
    r = run(old, new, "--json", out / "X.json", "--force")
    assert r.returncode == 0, r.stderr
    assert f"compare.py: replaced {out / 'X.png'}" in r.stderr
    # Its own pair (recorded in X.json) is replaced without --force, and said so.
    r = run(old, new, "--json", out / "X.json")
    assert r.returncode == 0, r.stderr
    assert r.stderr.strip() == (f"compare.py: replaced {out / 'X.json'}, {out / 'X.png'}, "
                                f"{out / 'X.svg'}")
    # A chart changed since is the user's again.
    (out / "X.svg").write_text("<svg/>")
    r = run(old, new, "--json", out / "X.json")
    assert r.returncode == 2 and f"{out / 'X.svg'}: exists" in _one_error_line(r)
    assert (out / "X.svg").read_text() == "<svg/>"
