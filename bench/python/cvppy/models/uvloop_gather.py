"""py_uvloop: the same gather as py_asyncio, on uvloop's loop: libuv under asyncio."""

from __future__ import annotations

import asyncio
import contextlib
import os

import uvloop

from cvppy.models.asyncio_gather import AsyncioGatherModel

# The descriptors a new uvloop loop needs to be made and run once, measured with
# uvloop 0.17 in a fresh process: 6 when made (libuv's epoll and eventfd, uvloop's
# signal socketpair, libuv's signal lock pipe), 2 more at its first run. With
# fewer, libuv aborts the process (1 or 2 free), uvloop raises and leaves an open
# loop behind (0, 3 to 5), or its first run fails and leaves the loop marked
# running for ever (6, 7), so they are checked before the loop is made.
UVLOOP_DESCRIPTORS = 8


def check_free_descriptors(count: int) -> None:
    """Raises OSError (EMFILE) unless `count` descriptors can be opened now."""
    with contextlib.ExitStack() as opened:
        for _ in range(count):
            fd = os.open(os.devnull, os.O_RDONLY | os.O_CLOEXEC)
            opened.callback(os.close, fd)


def new_uvloop() -> asyncio.AbstractEventLoop:
    """uvloop's loop, or OSError when there are not the descriptors for it to run."""
    check_free_descriptors(UVLOOP_DESCRIPTORS)
    return uvloop.new_event_loop()


class UvloopGatherModel(AsyncioGatherModel):
    name = "py_uvloop"

    def __init__(self, workers: int) -> None:
        super().__init__(workers, new_uvloop)
