"""Lateness: how much later than its wait a task ended, from a row's latency counters.

A row's latency_p50_ms and latency_p99_ms are each task's time from its start
to its end. A task that waits T (io_sleep's sleep, net_rpc's reply delay: the
row's sleep_us) can end no sooner than T, so what the model adds is the
latency minus T: its lateness. Rows without a wait have a lateness equal to
their latency. Result files written before the counters existed have none.
"""

from __future__ import annotations

from ..reading.series import Series

LATENCY_COUNTERS = ("latency_p50_ms", "latency_p99_ms")


def wait_ms(s: Series) -> float:
    """The row's wait T in ms (its sleep_us; 0 for a row without one or a foreign row)."""
    return (s.key or {}).get("sleep_us", 0) / 1000


def lateness_ms(s: Series, counter: str = "latency_p99_ms") -> list[float] | None:
    """Per repetition, the latency `counter` minus the row's wait T; None when the
    row has no such counter (an old result file)."""
    if counter not in LATENCY_COUNTERS:
        raise ValueError(f"counter is {counter!r}; allowed: {', '.join(LATENCY_COUNTERS)}")
    values = s.counters.get(counter)
    if not values:
        return None
    t = wait_ms(s)
    return [v - t for v in values]
