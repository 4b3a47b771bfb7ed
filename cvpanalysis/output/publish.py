"""Writing the analysis tools' output files without harming anything else.

Every file is first written to a temporary file made in its target folder with
O_EXCL and an unpredictable name (`.<name>.<random>.partial`, mkstemp),
flushed and fsynced, and only then renamed over the target; a temporary file
that is not renamed (a failure, a full disk, an interrupt) is removed. So a
symlink planted at a name someone could predict is never followed, a full
disk never truncates an earlier file, and a reader sees the old file or the
new one, whole. A target that exists and is not a regular file (a device, a
FIFO, a folder, a symlink) is refused before anything is written, and so is
a target that is one of the inputs.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Iterable

from ..base.errors import InputError, OutputError
from ..base.stop_signals import signals_deferred
from ..base.text import one_line
from ..reading.bounded import file_kind


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
