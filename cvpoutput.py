"""Writing the analysis tools' output files without harming anything else.

Used by plot.py, compare.py and report.py; imports only cvpresults. Every
file is first written to a temporary file made in its target folder with
O_EXCL and an unpredictable name (`.<name>.<random>.partial`, mkstemp),
flushed and fsynced, and only then renamed over the target; a temporary file
that is not renamed (a failure, a full disk, an interrupt) is removed. So a
symlink planted at a name someone could predict is never followed, a full
disk never truncates an earlier file, and a reader sees the old file or the
new one, whole. A target that exists and is not a regular file (a device, a
FIFO, a folder, a symlink) is refused before anything is written, and so is
a target that is one of the inputs.

plot.py's manifest lives here too: which files in an output folder plot.py
wrote, so that it replaces or removes only those.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from cvpresults import STOP_SIGNALS, InputError, file_kind, one_line, parse_json, read_bounded

MANIFEST_NAME = ".cvp-plot-manifest.json"
MANIFEST_FORMAT = "cvpbench plot.py manifest 1"


class OutputError(Exception):
    """An output file could not be written; the message names it."""


def check_target(path: Path, inputs: Iterable[Path] = ()) -> None:
    """InputError when `path` exists and is not a regular file (lstat: a
    symlink counts as one), or when it is one of `inputs` (the same file by
    inode or by resolved path)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    except OSError as e:
        raise InputError(f"{path}: cannot check the output ({one_line(e.strerror or e)})") from None
    if st is not None and file_kind(st.st_mode) is not None:
        raise InputError(f"{path}: the output exists and is {file_kind(st.st_mode)}, not a regular "
                         "file; refusing to replace it")
    for source in inputs:
        if _same_file(path, st, source):
            raise InputError(f"{path}: the output is the input {source}; refusing to write over "
                             "an input")


def _same_file(path: Path, st: os.stat_result | None, source: Path) -> bool:
    try:
        if path.resolve() == source.resolve():
            return True
        other = os.stat(source)
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop
        return False
    return st is not None and (st.st_dev, st.st_ino) == (other.st_dev, other.st_ino)


def _new_file_mode(target: Path) -> int:
    """The mode a file written over `target` gets: the old file's, else 0666
    less the umask (mkstemp makes its files 0600)."""
    try:
        return os.lstat(target).st_mode & 0o777
    except OSError:
        pass
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return 0o666 & ~int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    return 0o644


@contextlib.contextmanager
def signals_deferred() -> Iterator[None]:
    """SIGINT, SIGTERM and SIGHUP held back (delivered when the block ends), so an
    interrupt never stops a series of renames halfway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, set(STOP_SIGNALS))
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


class Publisher:
    """Files staged beside their targets and renamed over them together by
    commit(); whatever was staged and not committed is removed on exit.

        with Publisher(inputs) as out:
            out.stage(path, data)
            out.commit()
    """

    def __init__(self, inputs: Iterable[Path] = ()) -> None:
        self._inputs = list(inputs)
        self._staged: list[tuple[Path, Path]] = []  # (temporary file, target)

    def __enter__(self) -> "Publisher":
        return self

    def __exit__(self, *exc: object) -> None:
        self.discard()

    def check(self, target: Path) -> None:
        check_target(target, self._inputs)

    def stage(self, target: Path, data: bytes) -> None:
        """Writes `data` to a new temporary file in `target`'s folder, fsynced."""
        self.check(target)
        try:
            fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.",
                                        suffix=".partial")
        except OSError as e:
            raise OutputError(f"{target}: cannot write ({one_line(e.strerror or e)})") from None
        self._staged.append((Path(name), target))
        try:
            with open(fd, "wb", closefd=True) as f:
                f.write(data)
                f.flush()
                os.fchmod(f.fileno(), _new_file_mode(target))
                os.fsync(f.fileno())
        except OSError as e:
            raise OutputError(f"{target}: cannot write ({one_line(e.strerror or e)})") from None

    def commit(self) -> list[Path]:
        """Renames every staged file over its target (each target checked
        again first) and syncs their folders; returns the targets."""
        for _, target in self._staged:
            self.check(target)
        done = []
        with signals_deferred():
            for tmp, target in self._staged:
                try:
                    os.replace(tmp, target)
                except OSError as e:
                    raise OutputError(f"{target}: cannot replace it "
                                      f"({one_line(e.strerror or e)})") from None
                done.append(target)
            self._staged = [s for s in self._staged if s[1] not in done]
        for folder in {t.parent for t in done}:
            _sync_folder(folder)
        return done

    def discard(self) -> None:
        for tmp, _ in self._staged:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        self._staged.clear()


def _sync_folder(folder: Path) -> None:
    """Makes the renames in `folder` durable (best effort: not every file
    system lets a folder be opened for fsync)."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_file(target: Path, data: bytes, inputs: Iterable[Path] = ()) -> None:
    """One file, published as described above."""
    with Publisher(inputs) as out:
        out.stage(target, data)
        out.commit()


def text_bytes(text: str) -> bytes:
    """UTF-8 for a text file. A character UTF-8 cannot hold (a lone surrogate
    from a JSON "\\ud800") is written as its escape, not a reason to fail."""
    return text.encode("utf-8", "backslashreplace")


# --------------------------------------------------------------------------- manifest

def fingerprint(data: bytes) -> dict:
    return {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}


@dataclass(frozen=True)
class Manifest:
    """The files plot.py wrote into a folder: name -> {"size", "sha256"}."""

    folder: Path
    files: dict[str, dict]

    @classmethod
    def read(cls, folder: Path) -> "Manifest | None":
        """The folder's manifest; None when it has none; InputError when the
        file there is not a manifest plot.py wrote."""
        path = folder / MANIFEST_NAME
        try:
            os.lstat(path)
        except FileNotFoundError:
            return None
        except OSError as e:
            raise InputError(f"{path}: cannot read ({one_line(e.strerror or e)})") from None
        check_target(path)
        data = parse_json(read_bounded(path), str(path))
        files = data.get("files") if isinstance(data, dict) else None
        if (not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT
                or not isinstance(files, dict)
                or not all(isinstance(v, dict) and isinstance(v.get("size"), int)
                           and isinstance(v.get("sha256"), str) for v in files.values())):
            raise InputError(f"{path}: not a manifest plot.py wrote; remove it, or run with "
                             "--force")
        return cls(folder, files)

    def owns(self, name: str) -> bool:
        """Whether `name` is in the manifest and the file there is still what
        plot.py wrote (a regular file of the same size and hash)."""
        entry = self.files.get(name)
        return entry is not None and holds(self.folder / name, entry)

    def to_bytes(self) -> bytes:
        return (json.dumps({"format": MANIFEST_FORMAT, "files": dict(sorted(self.files.items()))},
                           indent=1) + "\n").encode()


def holds(path: Path, entry: dict) -> bool:
    """Whether `path` is a regular file with the size and hash of `entry`."""
    try:
        st = os.lstat(path)
        if file_kind(st.st_mode) is not None or st.st_size != entry["size"]:
            return False
        return fingerprint(read_bounded(path, max(st.st_size, 1)))["sha256"] == entry["sha256"]
    except (OSError, InputError):
        return False
