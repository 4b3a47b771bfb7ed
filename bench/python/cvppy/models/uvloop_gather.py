"""py_uvloop: the same gather as py_asyncio, on uvloop's loop: libuv under asyncio."""

from __future__ import annotations

import uvloop

from cvppy.models.asyncio_gather import AsyncioGatherModel


class UvloopGatherModel(AsyncioGatherModel):
    name = "py_uvloop"

    def __init__(self, workers: int) -> None:
        super().__init__(workers, uvloop.new_event_loop)
