"""What the thread-per-task models share (src/models/task_threads.hpp): their threads' small
stack, and a thread that cannot start as a RunFailed that names the limit it met."""

from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from typing import Iterator

from cvppy.models.model import RunFailed
from cvppy.models.threads import thread_limit_cause

# As C++'s kTaskThreadStackBytes: the default (8 MiB) reserves 80 GB of address
# space for 10 000 threads; a task is a few frames deep (a hash, a sleep), and
# 256 KiB is well above CPython's 32 KiB minimum.
TASK_THREAD_STACK_BYTES = 256 * 1024


@contextmanager
def small_stacks() -> Iterator[None]:
    """Threads started inside get TASK_THREAD_STACK_BYTES of stack (threading.stack_size
    is process-wide: the size before is restored after)."""
    before = threading.stack_size(TASK_THREAD_STACK_BYTES)
    try:
        yield
    finally:
        threading.stack_size(before)


def start(thread: threading.Thread, number: int, of: int, model: str) -> None:
    """Starts `thread`, the `number`th of `of`; RunFailed if it cannot start. CPython
    says only "can't start new thread" (no errno): the limits say why."""
    try:
        thread.start()
    except RuntimeError as e:
        cause = thread_limit_cause(len(os.listdir("/proc/self/task")))
        raise RunFailed(f"{model}: cannot start thread {number} of {of}: {e}{cause}") from None
