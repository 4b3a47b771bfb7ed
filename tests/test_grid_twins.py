"""Both languages' grids, listed by their harnesses: every Python model runs its C++ twin's points.

The twin is a registry fact of the Python model. Points are compared on every
name part but the ones bench/grid_facts.json gives per language (for example
cpu_hash's task counts: CPython hashes slower per call, or a cap on a model's
tasks), and W where only one of the twins takes W.
"""

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FACTS = json.loads((ROOT / "bench" / "grid_facts.json").read_text())
PY = ROOT / "bench" / "python"
WORKLOADS = ("io_sleep", "cpu_hash", "mixed", "shared_counter", "net_rpc", "file_read")
PROFILES = ("quick", "default", "full")
LANGUAGES = {"c++", "python"}
# A grid axis and the name parts it shows as (a CPU share shows as its sleep and bytes).
SHOWN_AS = {"cpu_share_pct": ("sleep_us", "bytes")}


def parse(name: str) -> tuple[str, str, frozenset]:
    """(workload, model, the other name parts as (key, value) pairs)."""
    workload, model, *parts = name.strip().split("/")
    pairs = frozenset(tuple(p.split(":", 1)) for p in parts if p != "manual_time")
    return workload, model, pairs


def cpp_binary(workload: str) -> Path:
    path = ROOT / "build" / "bench" / workload
    if not path.exists():
        pytest.skip(f"{path} is not built")
    return path


def cpp_listing(workload: str, *flags: str) -> list[str]:
    out = subprocess.run([cpp_binary(workload), *flags, "--benchmark_list_tests"],
                         capture_output=True, text=True, timeout=60)
    if out.returncode == 2:  # a grid this machine cannot run (net_rpc's descriptors)
        pytest.skip(out.stderr.strip())
    out.check_returncode()
    return out.stdout.split()


def py_listing(workload: str, profile: str) -> list[str]:
    out = subprocess.run([sys.executable, PY / "cvp_py.py", workload, f"--profile={profile}",
                          "--list"], capture_output=True, text=True, check=True, timeout=120)
    return out.stdout.split()


def py_registry() -> list[dict]:
    code = ("import json; from cvppy.models import registry; "
            "print(json.dumps([m.row() for m in registry.MODELS]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=PY, capture_output=True, text=True,
                         check=True, timeout=60)
    return json.loads(out.stdout)


def cpp_takes_workers(models: set[str]) -> set[str]:
    """The C++ models that take W: those a listing asked for W=3 runs at 3."""
    names = cpp_listing("cpu_hash", f"--models={','.join(sorted(models))}", "--tasks=1",
                        "--workers=3", "--bytes=64")
    return {m for _, m, pairs in map(parse, names) if ("workers", "3") in pairs}


def selects(selector: str, row: dict) -> bool:
    """As the harnesses' selectors: all, <fact>:<value>, or several joined by +."""
    if selector == "all":
        return True
    terms = (term.partition(":") for term in selector.split("+"))
    return all(row.get(fact) == wanted for fact, _, wanted in terms)


def split_by_language(value, profile: str) -> bool:
    if isinstance(value, dict) and profile in value:
        value = value[profile]
    return isinstance(value, dict) and bool(set(value) & LANGUAGES)


def language_parts(workload: str, profile: str, model_row: dict) -> set[str]:
    """The name parts the facts give per language in the rows that select the model."""
    spec = FACTS[workload]
    out: set[str] = set()
    for row in spec["rows"]:
        if not selects(row["models"], model_row):
            continue
        for axis, value in {**spec.get("axes", {}), **row}.items():
            if split_by_language(value, profile):
                out.update(SHOWN_AS.get(axis, (axis,)))
    for cap in spec.get("caps", []):
        if selects(cap["models"], model_row) and split_by_language(cap["max_tasks"], profile):
            out.add("tasks")
    return out


def points(names: list[str], model: str, dropped: set[str]) -> set[frozenset]:
    return {frozenset(kv for kv in pairs if kv[0] not in dropped)
            for _, m, pairs in map(parse, names) if m == model}


def twin_drift(cpp: list[str], py: list[str], model_row: dict, dropped: set[str]) -> str:
    """'' when the Python model runs its twin's points, else what differs."""
    c = points(cpp, model_row["twin"], dropped)
    p = points(py, model_row["name"], dropped)
    if c == p:
        return ""
    show = lambda s: sorted("/".join(f"{k}:{v}" for k, v in sorted(pt)) for pt in s)  # noqa: E731
    return (f"{model_row['name']} vs {model_row['twin']}: only in C++ {show(c - p)}, "
            f"only in Python {show(p - c)}")


@pytest.fixture(scope="module")
def registry_rows() -> list[dict]:
    return py_registry()


@pytest.fixture(scope="module")
def cpp_take_w(registry_rows) -> set[str]:
    return cpp_takes_workers({r["twin"] for r in registry_rows})


@pytest.mark.parametrize("profile", PROFILES)
@pytest.mark.parametrize("workload", WORKLOADS)
def test_every_python_model_runs_its_twins_points(workload, profile, registry_rows, cpp_take_w):
    cpp = cpp_listing(workload, f"--profile={profile}")
    py = py_listing(workload, profile)
    assert cpp and py
    drift = []
    for row in registry_rows:
        dropped = language_parts(workload, profile, row)
        if row["takes_workers"] != (row["twin"] in cpp_take_w):
            dropped.add("workers")
        drift.append(twin_drift(cpp, py, row, dropped))
    assert not [d for d in drift if d], "\n".join(d for d in drift if d)


def test_every_twin_is_a_cpp_model(registry_rows):
    cpp = cpp_listing("shared_counter", "--profile=quick")
    models = {m for _, m, _ in map(parse, cpp)}
    assert {r["twin"] for r in registry_rows} <= models


def test_a_model_missing_from_one_language_is_drift():
    # shared_counter before its grids came from the shared facts: the C++
    # sequential loop ran, its Python twin did not.
    cpp = ["shared_counter/event_loop_sequential/tasks:50/workers:1/sleep_us:1000/lock:0/wait:1"
           "/manual_time"]
    row = {"name": "py_asyncio_sequential", "twin": "event_loop_sequential"}
    assert "only in C++ ['lock:0/sleep_us:1000/tasks:50/wait:1/workers:1']" in twin_drift(
        cpp, [], row, set())
    py = ["shared_counter/py_asyncio_sequential/tasks:20/workers:1/sleep_us:1000/lock:0/wait:1"]
    assert twin_drift(cpp, py, row, set()) != ""
    assert twin_drift(cpp, py, row, {"tasks"}) == ""


def test_per_language_values_are_read_from_the_facts():
    # cpu_hash gives task counts per language; io_sleep's gathered loops share theirs.
    assert "tasks" in language_parts("cpu_hash", "default", {"concurrency": "1"})
    assert language_parts("io_sleep", "default", {"concurrency": "N"}) == set()
    assert language_parts("mixed", "default", {}) == {"sleep_us", "bytes"}
    # A thread per task: io_sleep caps its tasks per language, net_rpc in both alike.
    task_thread = {"family": "threads", "concurrency": "N"}
    assert language_parts("io_sleep", "default", task_thread) == {"tasks"}
    assert language_parts("net_rpc", "default", task_thread) == set()
