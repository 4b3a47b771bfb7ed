"""The registry of Python models: one row per model, the one place that knows a model's facts.

Each row is what the JSON context's `cvp_models` carries (docs/result-format.md)
plus the class that makes the model. Harness grids pick models by name from
here; nothing else lists them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Callable

from cvppy.models.asyncio_blocking import AsyncioBlockingModel
from cvppy.models.asyncio_gather import AsyncioGatherModel
from cvppy.models.asyncio_offload import AsyncioOffloadModel
from cvppy.models.asyncio_sequential import AsyncioSequentialModel
from cvppy.models.model import Model
from cvppy.models.processes import ProcessesModel
from cvppy.models.serial import SerialModel
from cvppy.models.thread_per_task import ThreadPerTaskModel
from cvppy.models.threads import ThreadsModel
from cvppy.models.threads_n import ThreadsNModel
from cvppy.models.uvloop_gather import UvloopGatherModel
from cvppy.params import BadInput, check_workers


@dataclass(frozen=True)
class ModelFacts:
    name: str
    order: int
    family: str
    takes_workers: bool
    fixed_workers: int | None
    fixed_why: str
    concurrency: str
    parallelism: str
    twin: str
    summary: str
    make: Callable[[int], Model]
    language: str = "python"

    def row(self) -> dict[str, Any]:
        """The registry row as the JSON context carries it."""
        row = asdict(self)
        del row["make"]
        return {key: row[key] for key in ("name", "order", "family", "language", "takes_workers",
                                          "fixed_workers", "fixed_why", "concurrency",
                                          "parallelism", "twin", "summary")}

    def workers_for(self, asked: int) -> int:
        """The W this model runs with when `asked` is requested (fixed models ignore it)."""
        return self.fixed_workers if self.fixed_workers is not None else check_workers(asked)


_GIL = "min(W, cores) where the GIL is released, else 1"
_GIL_N = "min(N, cores) where the GIL is released, else 1"

# Adding a model: one module under models/ and one row here.
MODELS: tuple[ModelFacts, ...] = (
    ModelFacts("py_serial", 100, "one_thread", False, 1, "one thread", "1", "1", "serial",
               "one task after another on the calling thread", SerialModel),
    ModelFacts("py_asyncio_sequential", 101, "one_thread", False, 1, "one thread", "1", "1",
               "event_loop_sequential", "asyncio: each task awaited before the next starts",
               AsyncioSequentialModel),
    ModelFacts("py_asyncio", 102, "one_thread", False, 1, "one thread", "N", "1", "event_loop",
               "asyncio.gather of every task on the default asyncio loop", AsyncioGatherModel),
    ModelFacts("py_uvloop", 103, "one_thread", False, 1, "one thread", "N", "1", "event_loop",
               "asyncio.gather of every task on uvloop's loop (libuv)", UvloopGatherModel),
    ModelFacts("py_asyncio_blocking", 104, "one_thread", False, 1, "one thread", "1", "1",
               "event_loop_blocking", "gathered coroutines that wait with time.sleep",
               AsyncioBlockingModel),
    ModelFacts("py_asyncio_offload", 105, "threads", True, None, "", "W", _GIL,
               "event_loop_offload",
               "asyncio loop.run_in_executor on a ThreadPoolExecutor of W threads",
               AsyncioOffloadModel),
    ModelFacts("py_threads", 106, "threads", True, None, "", "W", _GIL, "tbb",
               "concurrent.futures.ThreadPoolExecutor of W threads", ThreadsModel),
    ModelFacts("py_processes", 107, "processes", True, None, "", "W", "min(W, cores)",
               "process_pool",
               "ProcessPoolExecutor of W workers forked before timing, Pool.map's chunks",
               ProcessesModel),
    ModelFacts("py_thread_per_task", 108, "threads", False, 1, "W unused: a thread per task",
               "N", _GIL_N, "thread_per_task",
               "threading.Thread (256 KiB stack) started per task in the run, all joined at its "
               "end", ThreadPerTaskModel),
    ModelFacts("py_threads_n", 109, "threads", False, 1, "W unused: a thread per task", "N",
               _GIL_N, "threads_n",
               "N threading.Threads (256 KiB stack) made before timing, each runs one task per "
               "run", ThreadsNModel),
)


def names() -> list[str]:
    return [m.name for m in MODELS]


def find(name: str) -> ModelFacts:
    for m in MODELS:
        if m.name == name:
            return m
    raise BadInput(f"model is '{name}'; allowed: {', '.join(names())}")
