"""Shared pytest fixtures: where the built harnesses and the scripts are."""

import os
import shutil
import tempfile
from pathlib import Path

import pytest

# The root is importable through pytest.ini's pythonpath.
ROOT = Path(__file__).resolve().parent.parent


def _binary(var: str, name: str) -> Path:
    path = Path(os.environ.get(var, ROOT / "build" / "bench" / name))
    if not path.exists():
        pytest.skip(f"{name} is not built (set {var})")
    return path


@pytest.fixture
def io_sleep() -> Path:
    return _binary("CVP_IO_SLEEP", "io_sleep")


@pytest.fixture
def cpu_hash() -> Path:
    return _binary("CVP_CPU_HASH", "cpu_hash")


@pytest.fixture
def file_read() -> Path:
    return _binary("CVP_FILE_READ", "file_read")


@pytest.fixture
def net_rpc() -> Path:
    return _binary("CVP_NET_RPC", "net_rpc")


@pytest.fixture
def as_nobody():
    """A command prefix that runs as nobody (RLIMIT_NPROC does not bind root), and a
    folder nobody may write in."""
    if os.geteuid() != 0 or shutil.which("setpriv") is None:
        pytest.skip("needs root and setpriv to run as nobody")
    folder = Path(tempfile.mkdtemp(prefix="cvp-nobody-"))
    folder.chmod(0o777)
    yield ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"], folder
    shutil.rmtree(folder)


@pytest.fixture
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def rpc_server() -> Path:
    """The net_rpc server binary, as cvppy.net_server finds it."""
    path = Path(os.environ.get("CVP_RPC_SERVER") or ROOT / "build" / "net_rpc_server")
    if not path.exists():
        pytest.skip("net_rpc_server is not built (set CVP_RPC_SERVER)")
    return path
