"""The registry of Python models: one row per model, the one place that knows a model's facts.

Each row is what the JSON context's `cvp_models` carries (docs/result-format.md)
plus the class that makes the model. Harness grids pick models by name from
here; nothing else lists them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from cvppy.models.asyncio_blocking import AsyncioBlockingModel
from cvppy.models.asyncio_gather import AsyncioGatherModel
from cvppy.models.asyncio_offload import AsyncioOffloadModel
from cvppy.models.asyncio_sequential import AsyncioSequentialModel
from cvppy.models.model import Model
from cvppy.models.processes import ProcessesModel
from cvppy.models.serial import SerialModel
from cvppy.models.threads import ThreadsModel
from cvppy.models.uvloop_gather import UvloopGatherModel
from cvppy.params import BadInput, check_workers


@dataclass(frozen=True)
class ModelFacts:
    """One model's facts; rows are written with keyword arguments so every value names its fact.

    `concurrency_rule` and `parallelism_rule` are capacities (tasks in flight, tasks
    running at one instant) as rules over N, W and the cores: "1", "N", "W",
    "min(W, cores)". The JSON row calls them `concurrency` and `parallelism`.
    """

    name: str
    order: int
    family: str
    fixed_workers: int | None  # None: the model takes W
    fixed_why: str
    concurrency_rule: str
    parallelism_rule: str
    # True for a variant that differs from another model only in how its tasks
    # wait: with no waits it runs that model's code, so CPU-only grids leave it out.
    differs_only_in_waits: bool
    twin: str  # the C++ model (src/models/registry.cpp) this one mirrors
    summary: str
    make: Callable[[int], Model]
    language: str = "python"

    @property
    def takes_workers(self) -> bool:
        return self.fixed_workers is None

    def row(self) -> dict[str, Any]:
        """The registry row as the JSON context carries it."""
        return {"name": self.name, "order": self.order, "family": self.family,
                "language": self.language, "takes_workers": self.takes_workers,
                "fixed_workers": self.fixed_workers, "fixed_why": self.fixed_why,
                "concurrency": self.concurrency_rule, "parallelism": self.parallelism_rule,
                "twin": self.twin, "summary": self.summary}

    def workers_for(self, asked: int) -> int:
        """The W this model runs with when `asked` is requested (fixed models ignore it)."""
        return self.fixed_workers if self.fixed_workers is not None else check_workers(asked)


_GIL = "min(W, cores) where the GIL is released, else 1"

# Adding a model: one module under models/ and one row here, in display order.
MODELS: tuple[ModelFacts, ...] = (
    ModelFacts(name="py_serial", order=100, family="one_thread",
               fixed_workers=1, fixed_why="one thread",
               concurrency_rule="1", parallelism_rule="1", differs_only_in_waits=False,
               twin="serial", summary="one task after another on the calling thread",
               make=SerialModel),
    ModelFacts(name="py_asyncio_sequential", order=101, family="one_thread",
               fixed_workers=1, fixed_why="one thread",
               concurrency_rule="1", parallelism_rule="1", differs_only_in_waits=True,
               twin="event_loop_sequential",
               summary="asyncio: each task awaited before the next starts",
               make=AsyncioSequentialModel),
    ModelFacts(name="py_asyncio", order=102, family="one_thread",
               fixed_workers=1, fixed_why="one thread",
               concurrency_rule="N", parallelism_rule="1", differs_only_in_waits=False,
               twin="event_loop",
               summary="asyncio.gather of every task on the default asyncio loop",
               make=AsyncioGatherModel),
    ModelFacts(name="py_uvloop", order=103, family="one_thread",
               fixed_workers=1, fixed_why="one thread",
               concurrency_rule="N", parallelism_rule="1", differs_only_in_waits=False,
               twin="event_loop",
               summary="asyncio.gather of every task on uvloop's loop (libuv)",
               make=UvloopGatherModel),
    ModelFacts(name="py_asyncio_blocking", order=104, family="one_thread",
               fixed_workers=1, fixed_why="one thread",
               concurrency_rule="1", parallelism_rule="1", differs_only_in_waits=True,
               twin="event_loop_blocking",
               summary="gathered coroutines that wait with time.sleep",
               make=AsyncioBlockingModel),
    ModelFacts(name="py_asyncio_offload", order=105, family="threads",
               fixed_workers=None, fixed_why="",
               concurrency_rule="W", parallelism_rule=_GIL, differs_only_in_waits=False,
               twin="event_loop_offload",
               summary="asyncio loop.run_in_executor on a ThreadPoolExecutor of W threads",
               make=AsyncioOffloadModel),
    ModelFacts(name="py_threads", order=106, family="threads",
               fixed_workers=None, fixed_why="",
               concurrency_rule="W", parallelism_rule=_GIL, differs_only_in_waits=False,
               twin="tbb", summary="concurrent.futures.ThreadPoolExecutor of W threads",
               make=ThreadsModel),
    ModelFacts(name="py_processes", order=107, family="processes",
               fixed_workers=None, fixed_why="",
               concurrency_rule="W", parallelism_rule="min(W, cores)",
               differs_only_in_waits=False, twin="process_pool",
               summary="ProcessPoolExecutor of W workers forked before timing, Pool.map's chunks",
               make=ProcessesModel),
)


def names() -> list[str]:
    return [m.name for m in MODELS]


def find(name: str) -> ModelFacts:
    for m in MODELS:
        if m.name == name:
            return m
    raise BadInput(f"model is '{name}'; allowed: {', '.join(names())}")
