"""Tests for the shape of cvpanalysis/: every import goes down the layers (or
stays within its own), no module imports another in a circle, no analysis
code touches sys.path, and every module imports without matplotlib, numpy
or scipy (so plot.py can start under a Python that lacks them and re-run
itself under one that has them)."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "cvpanalysis"
# Each layer's rank; a module may import from a layer of lower rank, or from
# its own folder. Layers of the same rank (charts and summary, the two
# commands) never import each other.
RANKS = {"base": 0, "reading": 1, "stats": 2, "output": 3, "figures": 4, "charts": 5,
         "summary": 5, "report": 6, "compare": 7, "plotting": 7}
MAX_LINES = 400


def modules(package: Path) -> dict[str, Path]:
    """Every module of `package` by its dotted name (a package by its folder's)."""
    found = {}
    for path in sorted(package.rglob("*.py")):
        parts = path.relative_to(package.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> list[tuple[str, int]]:
    """The package's own modules that module `name` imports, with the line of each import."""
    top = name.split(".")[0]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            # "from . import canvas" imports the module canvas, not the package.
            targets = [f"{module}.{a.name}" if f"{module}.{a.name}" in known else module
                       for a in node.names]
        else:
            continue
        found += [(t, node.lineno) for t in targets if t.split(".")[0] == top and t != name]
    return found


def layer(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(edges):
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            v, children = work[-1]
            w = next(children, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                elif w in on_stack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                component = []
                while True:
                    w = stack.pop()
                    on_stack.discard(w)
                    component.append(w)
                    if w == v:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def problems(package: Path) -> list[str]:
    """Every import that goes up or sideways between layers, every module in
    no known layer, and every import cycle, one line each."""
    known = modules(package)
    out, edges = [], {}
    for name, path in known.items():
        edges[name] = set()
        mine = layer(name)
        if mine is not None and mine not in RANKS:
            out.append(f"{name}: in no layer (known: {', '.join(RANKS)})")
            continue
        for target, line in imports_of(name, path, known):
            edges[name].add(target)
            theirs = layer(target)
            if mine is None or theirs == mine:
                continue
            if theirs not in RANKS or RANKS[theirs] >= RANKS[mine]:
                out.append(f"{name}:{line}: imports {target}, which is not below layer {mine}")
    out += ["cycle: " + " -> ".join(c) for c in cycles(edges)]
    return out


def test_every_import_goes_down_the_layers_and_none_in_a_circle():
    assert problems(PACKAGE) == []


def test_the_check_finds_an_upward_import_a_sideways_one_and_a_cycle(tmp_path):
    files = {
        "__init__.py": "",
        "reading/__init__.py": "",
        "reading/a.py": "from ..report.page import x\n",
        "reading/b.py": "from .c import y\n",
        "reading/c.py": "from . import b\n",
        "charts/__init__.py": "",
        "charts/d.py": "import pkg.summary.e\n",
        "summary/__init__.py": "",
        "summary/e.py": "from ..stats import f\n",
        "stats/__init__.py": "",
        "stats/f.py": "",
        "report/__init__.py": "",
        "report/page.py": "",
    }
    for rel, text in files.items():
        (tmp_path / "pkg" / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "pkg" / rel).write_text(text)
    assert problems(tmp_path / "pkg") == [
        "pkg.charts.d:1: imports pkg.summary.e, which is not below layer charts",
        "pkg.reading.a:1: imports pkg.report.page, which is not below layer reading",
        "cycle: pkg.reading.b -> pkg.reading.c"]


def sys_path_uses(path: Path) -> list[int]:
    return [node.lineno for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Attribute) and node.attr == "path"
            and isinstance(node.value, ast.Name) and node.value.id == "sys"]


def test_no_analysis_code_touches_sys_path():
    # bench/mpi/merge_results.py is started by its path from the build folder
    # and says why it adds the root; nothing else needs to.
    paths = [*PACKAGE.rglob("*.py"), ROOT / "plot.py", ROOT / "compare.py",
             *(ROOT / "scripts").glob("*.py"), ROOT / "tests" / "conftest.py"]
    assert {str(p.relative_to(ROOT)): sys_path_uses(p) for p in paths
            if sys_path_uses(p)} == {}


def test_no_module_is_over_400_lines():
    long = {str(p.relative_to(ROOT)): n for p in [*PACKAGE.rglob("*.py"), ROOT / "plot.py",
                                                   ROOT / "compare.py"]
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}


def test_every_module_imports_without_matplotlib_numpy_or_scipy():
    code = textwrap.dedent("""
        import importlib, pkgutil, sys
        for name in ("matplotlib", "numpy", "scipy"):
            sys.modules[name] = None  # "import matplotlib" fails, as where it is missing
        import cvpanalysis
        names = [m.name for m in pkgutil.walk_packages(cvpanalysis.__path__, "cvpanalysis.")]
        for name in names + ["plot", "compare"]:
            importlib.import_module(name)
        print(len(names))
    """)
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                       timeout=60)
    assert r.returncode == 0, r.stderr
    assert int(r.stdout) == len(modules(PACKAGE)) - 1  # all but cvpanalysis itself
