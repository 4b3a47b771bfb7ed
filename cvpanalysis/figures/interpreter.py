"""An interpreter that can import matplotlib: this one, or one found here that
the script re-runs itself under (the python3 first on PATH may be a separate
one without Debian's packages)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from ..base.text import one_line


class MissingMatplotlib(Exception):
    """This interpreter cannot import matplotlib and none here can."""


PYTHON_CANDIDATES = ("/usr/bin/python3", "/usr/local/bin/python3")
REEXEC_MARK = "CVP_PYTHON_REEXEC"


def import_failure(e: BaseException) -> str:
    """Why an installed matplotlib did not import, in one line."""
    why = f"{type(e).__name__}: {one_line(e, 200)}" if str(e) else type(e).__name__
    memory = isinstance(e, MemoryError) or any(
        w in str(e).lower() for w in ("cannot allocate memory", "failed to map segment"))
    hint = ("out of memory (is the address space limited, ulimit -v?)" if memory
            else "installed, but it failed to load")
    return f"{sys.executable} cannot import matplotlib: {hint} ({why})"


def require_matplotlib(script: Path) -> None:
    """Returns when matplotlib imports. Otherwise re-runs `script` under the first
    interpreter here that has it (the python3 first on PATH may be a separate one
    without Debian's packages), or raises MissingMatplotlib naming the interpreter."""
    try:
        import matplotlib  # noqa: F401
        return
    except ModuleNotFoundError:
        pass
    except (ImportError, MemoryError) as e:
        # Installed, but it would not load: say why, not "install it".
        raise MissingMatplotlib(import_failure(e)) from None
    if not os.environ.get(REEXEC_MARK):
        for candidate in PYTHON_CANDIDATES:
            if Path(candidate).exists():
                probe = subprocess.run([candidate, "-c", "import matplotlib, scipy"],
                                       capture_output=True)
                if probe.returncode == 0:
                    os.environ[REEXEC_MARK] = "1"
                    os.execv(candidate, [candidate, str(script), *sys.argv[1:]])
    raise MissingMatplotlib(f"{sys.executable} cannot import matplotlib; install "
                            "python3-matplotlib (.ci/install-deps, as root) or run: "
                            f"/usr/bin/python3 {script.name} ...")
