"""Fuzz test for plot.py and compare.py: mutated result and trace files never
end in a traceback, an unexpected exit status, or a damaged earlier result.

Seeds are slices of the committed results/ (result files and traces) and a
synthetic file in the current format (model facts, load sample, vs_limit,
limits and shared_counter rows, Python models). Each input gets 1-3 seeded
mutations: keys dropped, values of the wrong type, NaN, infinite, huge,
zero or negative numbers, nulls, text that matplotlib would read as maths,
truncation, nesting 1000 deep. CVP_FUZZ_COUNT sets how many inputs (default
200), CVP_FUZZ_SEED the seed (default 2026).

Most inputs run in this process (plot.main and compare.main, charts rendered
at a low resolution instead of written) so a few hundred fit in the unit
suite's time; a handful run as real subprocesses to check the exit status and
stderr end to end.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import random
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from cvpanalysis.figures import canvas

import compare
import plot

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "results"
COUNT = int(os.environ.get("CVP_FUZZ_COUNT", "200"))
SEED = int(os.environ.get("CVP_FUZZ_SEED", "2026"))
SUBPROCESS_RUNS = 4
DEEP = "\u0000DEEP\u0000"
ODD_VALUES = [None, "", "x", "$\\frac{1}{0", "ms", [], {}, [None], True, False, 0, -1, -1e-300,
              1e-300, 1e308, -1e308, 10**30, float("nan"), float("inf"), float("-inf"), 2**63,
              "NaN", "1e309", {"a": None}, 0.5, 3.0, 250.0, DEEP]


def _slice(path: Path, rows: int) -> dict:
    data = json.loads(path.read_text())
    data["benchmarks"] = data["benchmarks"][:rows]
    return data


def synthetic_seed() -> dict:
    """A small file in the current format, so the new keys get mutated too."""
    models = [
        {"name": "serial", "order": 0, "family": "one_thread", "language": "c++",
         "takes_workers": False, "fixed_workers": 1, "fixed_why": "one thread", "concurrency": "1",
         "parallelism": "1", "twin": "serial", "summary": "one after another"},
        {"name": "event_loop", "order": 2, "family": "one_thread", "language": "c++",
         "takes_workers": False, "fixed_workers": 1, "fixed_why": "one thread", "concurrency": "N",
         "parallelism": "1", "twin": "event_loop", "summary": "gather"},
        {"name": "tbb", "order": 5, "family": "threads", "language": "c++", "takes_workers": True,
         "fixed_workers": None, "fixed_why": "", "concurrency": "W",
         "parallelism": "min(W, cores)", "twin": "tbb", "summary": "parallel_for"},
        {"name": "py_asyncio", "order": 102, "family": "one_thread", "language": "python",
         "takes_workers": False, "fixed_workers": 1, "fixed_why": "one thread", "concurrency": "N",
         "parallelism": "1", "twin": "event_loop", "summary": "asyncio.gather"},
    ]
    rows = []
    for name, ms, counters in (
            ("io_sleep/serial/tasks:10/workers:1/sleep_us:10000", 101.0, {"peak_inflight": 1}),
            ("io_sleep/event_loop/tasks:10/workers:1/sleep_us:10000", 10.3, {"peak_inflight": 10}),
            ("io_sleep/py_asyncio/tasks:10/workers:1/sleep_us:10000", 10.9, {"peak_inflight": 10}),
            ("io_sleep/tbb/tasks:10/workers:4/sleep_us:10000", 30.2, {"peak_inflight": 4}),
            ("cpu_hash/serial/tasks:64/workers:1/bytes:64", 2.0, {"speedup": 1.0}),
            ("cpu_hash/tbb/tasks:64/workers:2/bytes:64/rounds:8", 1.1, {"speedup": 1.9}),
            ("mixed/event_loop/tasks:16/workers:1/sleep_us:5000/bytes:4096", 85.0,
             {"cpu_share": 0.5}),
            ("mixed/tbb/tasks:16/workers:2/sleep_us:5000/bytes:4096", 81.0, {"cpu_share": 0.5}),
            ("shared_counter/event_loop/tasks:100/workers:1/sleep_us:10/lock:0/wait:1", 5.0,
             {"lost_updates": 99}),
            ("limits/uv_timers/tasks:10/workers:1/sleep_us:10000", 10.1, {})):
        for i in range(3):
            rows.append({"name": name + "/manual_time", "run_name": name + "/manual_time",
                         "run_type": "iteration", "repetitions": 3, "repetition_index": i,
                         "iterations": 1, "real_time": ms * (1 + 0.01 * i), "time_unit": "ms",
                         "ideal_ms": ms * 0.9, "efficiency": 0.9, "parallelism": 1.0,
                         "vs_limit": 0.95, "limit_ms": ms * 0.95, "noisy": i % 2,
                         "cv_pct": 1.0, **counters})
    return {"context": {"cvp_harness": "io_sleep", "cvp_language": "c++", "cpus_usable": "2",
                        "cvp_models": json.dumps(models),
                        "cvp_load": json.dumps({"loaded": True, "other_busy_cpus": 0.5,
                                                "steal_pct": 0.1})},
            "benchmarks": rows}


def seeds() -> list[tuple[str, dict]]:
    """(file name, parsed JSON) of every seed."""
    result = [("synthetic.json", synthetic_seed())]
    for name in ("io_sleep.json", "cpu_hash.json", "mixed.json"):
        if (RESULTS / name).exists():
            result.append((name, _slice(RESULTS / name, 24)))
    for trace in sorted((RESULTS / "traces").glob("*/*.json"))[:6]:
        result.append((f"trace_{trace.parent.name}_{trace.name}", json.loads(trace.read_text())))
    return result


def _paths(node, prefix=()) -> list[tuple]:
    """Every path (tuple of keys and indexes) into a JSON tree."""
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, prefix + (i,))
    return out


def _parent(tree, path):
    for p in path[:-1]:
        tree = tree[p]
    return tree


def mutate(data: dict, rng: random.Random) -> str:
    """One mutated file's text."""
    tree = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        # Context entries that hold JSON as a string are mutated inside, too.
        if rng.random() < 0.15 and isinstance(tree.get("context"), dict):
            ctx = tree["context"]
            key = rng.choice([k for k in ("cvp_models", "cvp_load") if k in ctx] or ["cvp_models"])
            try:
                inner = json.loads(ctx.get(key, "[]"))
            except (TypeError, ValueError):
                inner = []
            paths = _paths(inner)[1:]
            if paths:
                path = rng.choice(paths)
                _parent(inner, path)[path[-1]] = rng.choice(ODD_VALUES[:-1])
            ctx[key] = json.dumps(inner)
            continue
        paths = _paths(tree)[1:]
        if not paths:
            break
        path = rng.choice(paths)
        parent = _parent(tree, path)
        action = rng.random()
        if action < 0.3 and isinstance(parent, dict):
            del parent[path[-1]]
        elif action < 0.4 and isinstance(parent, list):
            parent.insert(path[-1], rng.choice(ODD_VALUES))
        else:
            parent[path[-1]] = rng.choice(ODD_VALUES)
    text = json.dumps(tree)
    text = text.replace(json.dumps(DEEP), "[" * 1000 + "1" + "]" * 1000, 1)
    text = text.replace(json.dumps(DEEP), "null")
    if rng.random() < 0.08:
        text = text[: rng.randrange(len(text) + 1)]
    return text


def inputs(count: int, seed: int) -> list[tuple[str, str, str]]:
    """(file name, the seed's file name, mutated text) of `count` inputs."""
    rng = random.Random(seed)
    pool = seeds()
    return [(f"{i:05d}_{name}", name, mutate(data, rng))
            for i, (name, data) in ((i, rng.choice(pool)) for i in range(count))]


def _render_small(fig, stem, written):
    """Instead of writing a chart: render it at a low resolution (drawing is
    where bad values fail) and record the path it would have had."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=12)
    written.append(stem.with_name(stem.name + ".png"))
    stem.with_name(stem.name + ".png").write_bytes(b"png")


def _run(main, argv: list[str]) -> tuple[int, str]:
    err = io.StringIO()
    with redirect_stdout(io.StringIO()), redirect_stderr(err):
        try:
            code = main(argv)
        except SystemExit as e:
            code = e.code
    return code, err.getvalue()


def digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir()) if p.is_file()}


def check(code: int, err: str, allowed: set[int], tool: str, name: str) -> list[str]:
    """Problems with one run: a traceback, an exit status outside `allowed`,
    or an exception the tool did not recognise as bad input."""
    problems = []
    if "Traceback" in err:
        problems.append(f"{tool} {name}: traceback")
    if code not in allowed:
        problems.append(f"{tool} {name}: exit {code}: {err.strip()[-300:]}")
    if "--debug" in err:
        problems.append(f"{tool} {name}: unexpected exception: {err.strip()[-300:]}")
    bad = [line for line in err.splitlines() if line.startswith(f"{tool}: error")]
    if code not in (0, 1) or bad:
        if len(bad) != 1:
            problems.append(f"{tool} {name}: {len(bad)} error lines")
    return problems


@pytest.fixture(scope="module")
def fuzz_inputs(tmp_path_factory) -> list[tuple[Path, Path]]:
    """(mutated file, the unmutated seed it came from)."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "seeds").mkdir()
    for name, data in seeds():
        (folder / "seeds" / name).write_text(json.dumps(data))
    result = []
    for name, seed_name, text in inputs(COUNT, SEED):
        path = folder / name
        path.write_text(text)
        result.append((path, folder / "seeds" / seed_name))
    return result


def test_mutated_inputs_never_crash_plot_or_compare_in_process(fuzz_inputs, tmp_path, monkeypatch):
    monkeypatch.setattr(canvas, "save_figure", _render_small)
    out = tmp_path / "out"
    out.mkdir()
    problems: list[str] = []
    outcomes = {"plot": {}, "compare": {}}
    before_inputs = {p: p.read_bytes() for pair in fuzz_inputs for p in pair}
    for path, seed in fuzz_inputs:
        (out / "summary.md").write_text("earlier summary")
        (out / "parallelism.png").write_text("earlier chart")
        before = digest(out)
        # --force: the earlier files stand for an earlier run's output, which
        # plot.py replaces only when it succeeds (without it, they would be
        # files plot.py did not write, and every run would be refused).
        code, err = _run(plot.main, [str(path), "-o", str(out), "--force"])
        problems += check(code, err, {0, 2}, "plot.py", path.name)
        outcomes["plot"][code] = outcomes["plot"].get(code, 0) + 1
        if code != 0 and digest(out) != before:
            problems.append(f"plot.py {path.name}: exit {code} but the output folder changed")
        for argv in ([str(seed), str(path), "--fail-on-regression", "5"], [str(path), str(seed)]):
            code, err = _run(compare.main, argv)
            problems += check(code, err, {0, 1, 2}, "compare.py", path.name)
            outcomes["compare"][code] = outcomes["compare"].get(code, 0) + 1
    assert all(p.read_bytes() == b for p, b in before_inputs.items()), "an input was modified"
    print(f"\nfuzz: {len(fuzz_inputs)} inputs, seed {SEED}; exit codes {outcomes}; "
          f"{len(problems)} problems")
    assert not problems, "\n".join(problems[:20])
    # The mutations must reach both outcomes, or the test proves nothing.
    assert outcomes["plot"].get(0) and outcomes["plot"].get(2) and outcomes["compare"].get(0)


def test_mutated_inputs_as_subprocesses_exit_cleanly_without_traceback(fuzz_inputs, tmp_path):
    rng = random.Random(SEED)
    for path, seed in rng.sample(fuzz_inputs, min(SUBPROCESS_RUNS, len(fuzz_inputs))):
        out = tmp_path / path.stem
        out.mkdir()
        (out / "summary.md").write_text("earlier summary")
        r = subprocess.run([sys.executable, str(ROOT / "plot.py"), str(path), "-o", str(out),
                            "--force"],
                           capture_output=True, text=True, timeout=120)
        assert not check(r.returncode, r.stderr, {0, 2}, "plot.py", path.name)
        if r.returncode != 0:
            assert (out / "summary.md").read_text() == "earlier summary"
            assert sorted(p.name for p in out.iterdir()) == ["summary.md"]
        r = subprocess.run([sys.executable, str(ROOT / "compare.py"), str(seed), str(path),
                            "--fail-on-regression", "5"], capture_output=True, text=True, timeout=120)
        assert not check(r.returncode, r.stderr, {0, 1, 2}, "compare.py", path.name)


def test_the_generator_is_seeded_and_mutates_every_kind_of_seed():
    a, b = inputs(30, 7), inputs(30, 7)
    assert a == b
    assert len({text for *_, text in a}) == 30
    kinds = {seed.split("_")[0] for _, seed, _ in inputs(200, 1)}
    assert {"synthetic.json", "trace"} <= kinds
    assert any(not _parses(text) for *_, text in inputs(200, 1))  # some are not even JSON


def _parses(text: str) -> bool:
    try:
        json.loads(text)
        return True
    except (ValueError, RecursionError):
        return False

