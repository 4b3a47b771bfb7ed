"""The claims the page judges, in the README's order, with the charts that show them."""

from __future__ import annotations

from .claims_loop import (claim_blocking_call_stalls, claim_concurrency_not_parallelism,
                          claim_in_turn_vs_gather)
from .claims_workers import (claim_asyncio_faster, claim_io_loop_cpu_processes,
                             claim_one_thread_avoids_races, claim_parallelism_needs_workers)
from .verdicts import Claim


CLAIMS = (
    Claim(1, "An event loop gives concurrency, not parallelism: its tasks take turns on one "
             "thread", claim_concurrency_not_parallelism, ("parallelism", "timeline_cpu_hash")),
    Claim(2, "Awaiting coroutines one after another runs them one after another; only "
             "gathering overlaps their waits", claim_in_turn_vs_gather,
          ("timeline_two_sleepers", "io_sleep_wall")),
    Claim(3, "An event loop shines for IO-bound work; for CPU-bound work use processes",
          claim_io_loop_cpu_processes, ("io_sleep_wall", "cpu_hash_speedup", "mixed_share")),
    Claim(4, "A blocking call inside the loop stalls every other task",
          claim_blocking_call_stalls, ("timeline_io_sleep", "io_sleep_wall")),
    Claim(5, "True parallelism needs multiple processes or threads",
          claim_parallelism_needs_workers, ("parallelism", "cpu_hash_speedup")),
    Claim(6, "Concurrency on one thread avoids race conditions", claim_one_thread_avoids_races,
          ()),
    Claim(7, "asyncio makes Python code more performant", claim_asyncio_faster,
          ("io_sleep_wall", "cpu_hash_speedup")),
)
