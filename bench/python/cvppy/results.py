"""Result files: Google Benchmark JSON, written so that no reader ever sees half of one,
and one writer per output path at a time.

The protocol (the C++ harnesses and compare.py keep the same one):

- `--out` is a regular file or absent, its name has no control characters, and
  its folder (or the nearest existing one above it) takes a new file; all
  checked before anything runs (`check_out_path`).
- `OutLock`: `<out>.lock`, opened without following a symlink, flock()ed
  without waiting, holds the writer's pid. A second run on the same `--out`
  is refused, naming that pid. The lock is held until the result is published
  or kept as `.failed`, then unlinked while still held. A run that dies leaves
  the file, but not the flock, so the next run takes it over.
- `publish` and `keep_failed` write a temporary file made with O_EXCL and an
  unpredictable name in the out's folder, flush, fsync and size-check it,
  then rename it over the target; on any failure the temporary file is
  removed and the target is untouched. `publish` first hard-links the file it
  replaces into `previous/` (a directory, never a symlink followed), so at
  every instant `<out>` is either the old or the new file.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import secrets
import stat
import tempfile
import time
import unicodedata
from pathlib import Path
from types import TracebackType

from cvppy.params import BadInput

LOCK_ATTEMPTS = 10  # a lock file unlinked under us is retried; only a race loops
HOLDER_PID_WAIT_S = 1.0  # a holder writes its pid right after its flock succeeds


class WriteFailed(OSError):
    """A result file that could not be written: the message names the file and the error."""


def _kind(mode: int) -> str:
    kinds = {stat.S_ISDIR: "a directory", stat.S_ISLNK: "a symbolic link",
             stat.S_ISCHR: "a character device", stat.S_ISBLK: "a block device",
             stat.S_ISFIFO: "a FIFO", stat.S_ISSOCK: "a socket"}
    return next((name for test, name in kinds.items() if test(mode)), "not a regular file")


def _lstat(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None


def nearest_folder(path: Path) -> Path:
    """The out's folder, or the nearest existing folder above it (made later)."""
    ancestor = path.absolute().parent
    while _lstat(ancestor) is None:
        ancestor = ancestor.parent
    return ancestor


def check_writable(folder: Path, text: str) -> None:
    """Makes and removes a probe file in `folder`, so a read-only folder costs no run."""
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=".cvp-probe.")
    except OSError as e:
        raise BadInput(f"--out is '{text}'; '{folder}' does not take a new file "
                       f"({e.strerror})") from None
    os.close(fd)
    os.unlink(probe)


def check_out_path(text: str) -> Path:
    """_checked_out_path, with any other failure to look at the path said in one line."""
    try:
        return _checked_out_path(text)
    except OSError as e:
        raise BadInput(f"--out is '{text}'; cannot look at it ([Errno {e.errno}] "
                       f"{e.strerror})") from None


def _checked_out_path(text: str) -> Path:
    """Refuses, before anything runs, an --out that is not a plain file path we can write:
    a device, FIFO, directory or symlink (never replaced), a name with control
    characters, a folder that does not exist as one or does not take a new file."""
    if not text:  # Path('') is '.', the current folder: it would be called a directory
        raise BadInput("--out is empty; allowed: a file path (FILE.json)")
    if any(unicodedata.category(c) == "Cc" for c in text):
        raise BadInput(f"--out is {text!r}; allowed: a file path without control characters")
    path = Path(text)
    if text.endswith("/"):
        raise BadInput(f"--out is '{text}'; allowed: a file path, not a directory")
    st = _lstat(path)
    if st is not None and not stat.S_ISREG(st.st_mode):
        raise BadInput(f"--out is '{text}', {_kind(st.st_mode)}; allowed: a regular file "
                       "or a path not yet made")
    folder = nearest_folder(path)
    if not folder.is_dir():
        raise BadInput(f"--out is '{text}'; allowed: a path whose parent is a directory "
                       f"('{folder}' is not)")
    previous = _lstat(path.absolute().parent / "previous")
    if previous is not None and not stat.S_ISDIR(previous.st_mode):
        raise BadInput(f"--out is '{text}', but '{path.parent / 'previous'}' (where the "
                       f"replaced file is kept) is {_kind(previous.st_mode)}; allowed: a "
                       "directory or nothing")
    check_writable(folder, text)
    return path


# The lock -------------------------------------------------------------------


def lock_path(out: Path) -> Path:
    return out.with_name(out.name + ".lock")


def _holder_pid(fd: int) -> str:
    """The pid the holder wrote; it writes it right after its flock, so an empty file
    is read again for a moment."""
    deadline = time.monotonic() + HOLDER_PID_WAIT_S
    while True:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
        if text or time.monotonic() > deadline:
            return text if text.isdigit() else "unknown"
        time.sleep(0.01)


def _open_lock_file(path: Path) -> int:
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    except OSError as e:
        why = ("it is a symbolic link" if e.errno == errno.ELOOP
               else f"[Errno {e.errno}] {e.strerror}")
        raise BadInput(f"cannot lock '{path}': {why}; nothing was run") from None
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1:
        os.close(fd)
        what = _kind(st.st_mode) if not stat.S_ISREG(st.st_mode) else \
            f"a file with {st.st_nlink} links"
        raise BadInput(f"cannot lock '{path}': it is {what}; allowed: a regular file of one "
                       "link; nothing was run")
    return fd


def _same_file(path: Path, fd: int) -> bool:
    """Whether `path` still names the file `fd` holds (a releasing run unlinks it)."""
    try:
        a, b = os.stat(path, follow_symlinks=False), os.fstat(fd)
    except FileNotFoundError:
        return False
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


class OutLock:
    """The one-writer lock of an output path, held from before the run until its
    result is published or kept (`with OutLock.take(out): ...`)."""

    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def take(cls, out: Path) -> OutLock:
        """Takes the lock or raises BadInput naming the run that holds it."""
        path = lock_path(out)
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(LOCK_ATTEMPTS):
            fd = _open_lock_file(path)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = _holder_pid(fd)
                os.close(fd)
                raise BadInput(f"{out} is being written by another run (pid {pid}); "
                               "nothing was run") from None
            if not _same_file(path, fd):
                os.close(fd)  # released and unlinked meanwhile: lock the new file
                continue
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
            return cls(path, fd)
        raise BadInput(f"cannot lock '{path}': it keeps being replaced")

    def release(self) -> None:
        """Unlinks the lock file while still holding it, then lets it go."""
        if self._fd is None:
            return
        if _same_file(self.path, self._fd):
            self.path.unlink(missing_ok=True)
        os.close(self._fd)
        self._fd = None

    def __enter__(self) -> OutLock:
        return self

    def __exit__(self, kind: type[BaseException] | None, value: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


# Writing --------------------------------------------------------------------


def _umask() -> int:
    """The process umask, read without setting it (os.umask can only swap it)."""
    try:
        with open("/proc/self/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    return 0o022


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _encode(document: dict) -> bytes:
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def write_temp(data: bytes, folder: Path, name: str) -> Path:
    """`data` in a new file of `folder` (O_EXCL, unpredictable name), on disk and checked;
    the file is removed on any failure."""
    fd, temp = tempfile.mkstemp(dir=folder, prefix=f".{name}.", suffix=".partial")
    try:
        os.fchmod(fd, 0o666 & ~_umask())  # as an ordinary new file, not mkstemp's 0600
        _write_all(fd, data)
        os.fsync(fd)
        if os.fstat(fd).st_size != len(data) or os.pread(fd, len(data) + 1, 0) != data:
            raise OSError(errno.EIO, "what landed on disk is not what was written")
    except BaseException:
        os.close(fd)
        os.unlink(temp)
        raise
    os.close(fd)
    return Path(temp)


def _keep_previous(out: Path) -> None:
    """Hard-links the file about to be replaced into previous/, under a staged name
    nobody can predict, then renames it to previous/<name>; never follows a symlink."""
    folder_fd = os.open(out.parent, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        try:
            os.mkdir("previous", dir_fd=folder_fd)
        except FileExistsError:
            pass
        try:
            prev_fd = os.open("previous", os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
                              | os.O_CLOEXEC, dir_fd=folder_fd)
        except OSError as e:
            raise OSError(e.errno, f"{out.parent / 'previous'} is not a directory "
                          f"({e.strerror})") from None
        try:
            staged = f".{out.name}.{secrets.token_hex(8)}.staged"
            os.link(out.name, staged, src_dir_fd=folder_fd, dst_dir_fd=prev_fd,
                    follow_symlinks=False)
            os.replace(staged, out.name, src_dir_fd=prev_fd, dst_dir_fd=prev_fd)
        finally:
            os.close(prev_fd)
    finally:
        os.close(folder_fd)


def _replace_with(document: dict, target: Path, keep_previous: bool) -> None:
    folder = target.parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temp = write_temp(_encode(document), folder, target.name)
        try:
            if keep_previous:
                # The out was checked before the run; what is there now is kept in
                # previous/ only if it is still a regular file. (A .failed is simply
                # replaced: a rename never writes through a symlink.)
                old = _lstat(target)
                if old is not None and not stat.S_ISREG(old.st_mode):
                    raise OSError(errno.EEXIST, f"it became {_kind(old.st_mode)}")
                if old is not None:
                    _keep_previous(target)
            os.replace(temp, target)
        except BaseException:
            temp.unlink(missing_ok=True)
            raise
        _fsync_dir(folder)
    except OSError as e:
        why = f"[Errno {e.errno}] {e.strerror}" if e.errno else str(e)
        raise WriteFailed(f"cannot write {target}: {why}; {target} left unchanged") from None


def publish(document: dict, out: Path) -> None:
    """Replaces `out` by `document`, keeping the replaced file as previous/<name>;
    WriteFailed (an OSError) names the file and the error."""
    _replace_with(document, out, keep_previous=True)


def keep_failed(document: dict, out: Path) -> Path:
    """Keeps a failed run's JSON beside `out` as `<out>.failed`; `out` is not touched."""
    failed = out.with_name(out.name + ".failed")
    _replace_with(document, failed, keep_previous=False)
    return failed
