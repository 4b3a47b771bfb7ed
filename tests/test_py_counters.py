"""Tests for bench/python/cvppy/counters.py: the latency percentiles of a repetition, as C++'s
Tally computes them (tests/task_latency_test.cpp and tally_test.cpp hold the same figures)."""

import random

import pytest

from cvppy.aggregates import aggregates
from cvppy.counters import Sample, latency_counters, nearest_rank


def shuffled_one_to(n: int) -> list[int]:
    values = list(range(1, n + 1))
    random.Random(42).shuffle(values)
    return values


def sample(task_ns) -> Sample:
    return Sample(wall_s=0.01, cpu_s=0.0, serial_s=None, peak_inflight=1, counter=0,
                  task_ns=task_ns)


@pytest.mark.parametrize("percent", [1, 50, 99, 100])
def test_nearest_rank_of_one_to_a_hundred_is_the_percent_itself(percent):
    assert nearest_rank(sorted(shuffled_one_to(100)), percent) == percent


def test_the_rank_is_rounded_up_so_the_tail_is_never_understated():
    ten = sorted(shuffled_one_to(10))
    assert [nearest_rank(ten, p) for p in (50, 95, 99)] == [5, 10, 10]
    assert nearest_rank(sorted(shuffled_one_to(1000)), 99) == 990


def test_no_values_give_zero_and_a_bad_percent_is_refused():
    assert nearest_rank([], 50) == 0
    for bad in (0, 101):
        with pytest.raises(ValueError, match=f"percentile {bad}; allowed: 1 to 100"):
            nearest_rank([1, 2, 3], bad)


def test_latency_counters_are_over_every_task_of_every_run_in_ms():
    # Two runs of 4 tasks, 1 to 8 ms: of the 8, p50 is the 4th and p99 the 8th.
    ms = 1_000_000
    c = latency_counters([sample([3 * ms, 1 * ms, 4 * ms, 2 * ms]),
                          sample([8 * ms, 6 * ms, 5 * ms, 7 * ms])])
    assert c == {"latency_p50_ms": 4.0, "latency_p99_ms": 8.0}


def test_runs_that_measured_no_latency_give_no_latency_counter():
    assert latency_counters([sample(())]) == {}


def test_a_counter_missing_from_some_repetitions_is_aggregated_over_those_that_have_it():
    base = {"name": "b", "family_index": 0, "per_family_instance_index": 0, "run_name": "b",
            "run_type": "iteration", "repetitions": 3, "threads": 1, "iterations": 1,
            "time_unit": "ms"}
    rows = [{**base, "repetition_index": 0, "real_time": 1.0},
            {**base, "repetition_index": 1, "real_time": 2.0, "kmem_kib_per_task": 16.0},
            {**base, "repetition_index": 2, "real_time": 3.0, "kmem_kib_per_task": 20.0}]
    by = {r["aggregate_name"]: r for r in aggregates(rows)}
    assert by["median"]["real_time"] == 2.0
    assert by["median"]["kmem_kib_per_task"] == 18.0
    assert by["mean"]["kmem_kib_per_task"] == 18.0
