"""Tests for bench/python/cvppy/task_cost.py: /proc text parsed from fixed samples (the
samples of tests/task_cost_test.cpp), snapshots and their difference, and a run's peak."""

import threading
import time

import pytest

from cvppy import peak_probe, task_cost
from cvppy.models import registry
from cvppy.models.model import Deadline
from cvppy.task_cost import Levels, RunCost, Switches, TaskCost
from cvppy.workloads.io_sleep import IoSleep
from cvppy.workloads.workload import Params

ROLLUP = ("5624691a7000-7ffe5101f000 ---p 00000000 00:00 0      [rollup]\n"
          "Rss:                1724 kB\nPss:                 217 kB\n"
          "Pss_Dirty:           112 kB\nPss_Anon:            112 kB\n"
          "Private_Clean:        40 kB\nPrivate_Dirty:       100 kB\n")
MEMINFO = "MemTotal:       24683620 kB\nKernelStack:        1960 kB\nPageTables: 3000 kB\n"
SOCKSTAT = ("sockets: used 13\nTCP: inuse 1 orphan 0 tw 0 alloc 1 mem 5\nUDP: inuse 0 mem 2\n"
            "UDPLITE: inuse 0\nFRAG: inuse 0 memory 0\n")
STATUS = ("Name:\tworker\nThreads:\t1\nVmHWM:\t    9000 kB\nVmRSS:\t    4000 kB\n"
          "voluntary_ctxt_switches:\t150\nnonvoluntary_ctxt_switches:\t7\n")


def test_parses_pss_kernel_stack_socket_pages_and_switches():
    assert task_cost.pss_bytes_in(ROLLUP) == 217 * 1024
    assert task_cost.kernel_stack_bytes_in(MEMINFO) == 1960 * 1024
    assert task_cost.socket_bytes_in(SOCKSTAT, 4096) == 7 * 4096
    assert task_cost.switches_in_status(STATUS) == Switches(150, 7)
    assert task_cost.rss_levels_in(STATUS) == (4000 * 1024, 9000 * 1024)


def test_a_missing_field_is_none():
    assert task_cost.pss_bytes_in("Rss: 10 kB\n") is None
    assert task_cost.kernel_stack_bytes_in("MemTotal: 1 kB\n") is None
    assert task_cost.socket_bytes_in("sockets: used 3\n", 4096) is None


def test_a_snapshot_adds_the_named_children_and_skips_ones_that_ended():
    files = {"/proc/self/smaps_rollup": ROLLUP, "/proc/42/smaps_rollup": ROLLUP,
             "/proc/42/status": STATUS, "/proc/meminfo": MEMINFO, "/proc/net/sockstat": SOCKSTAT}
    c = task_cost.read_task_cost(files.get, Switches(1000, 20), [42, 43], 4096)
    assert c == TaskCost(Switches(1150, 27), 2 * 217 * 1024, 1960 * 1024, 7 * 4096)


def test_difference_and_peak_are_field_by_field():
    before = TaskCost(Switches(10, 1), 1000, 200, 0)
    mid = TaskCost(Switches(15, 2), 5000, 900, 4096)
    after = TaskCost(Switches(30, 4), 3000, 300, 0)
    assert after - before == TaskCost(Switches(20, 3), 2000, 100, 0)
    peak = task_cost.peak_levels(task_cost.peak_levels(before, mid), after)
    assert peak == TaskCost(Switches(30, 4), 5000, 900, 4096)


def test_sleeping_threads_add_voluntary_switches():
    before = task_cost.snapshot()
    threads = [threading.Thread(target=lambda: [time.sleep(0.001) for _ in range(10)])
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert (task_cost.snapshot() - before).switches.voluntary >= 40


def test_a_run_that_touches_memory_and_frees_it_shows_its_peak():
    start = task_cost.run_start()
    block = bytearray(32 << 20)  # 32 MiB of zeroed (touched) pages
    block[::4096] = b"\1" * len(block[::4096])
    del block  # freed before the run ends: only the high-water mark remembers it
    cost = task_cost.run_cost(start)
    if not start.peak_reset:
        assert cost.peak_rss_above_start is None
    else:
        assert cost.peak_rss_above_start is not None
        assert cost.peak_rss_above_start >= 24 << 20


def test_private_bytes_are_clean_and_dirty():
    assert task_cost.private_bytes_in(ROLLUP) == 140 * 1024
    assert task_cost.private_bytes_in("Private_Dirty: 3 kB\n") == 3 * 1024
    assert task_cost.private_bytes_in("Rss: 10 kB\n") is None


# A process (thread 7) with two children: 42, a forked worker (the same cmdline), and
# 50, an exec'd server.
LEVEL_FILES = {"/proc/meminfo": MEMINFO, "/proc/net/sockstat": SOCKSTAT,
               "/proc/self/cmdline": "harness\0--profile\0",
               "/proc/self/task/7/children": "42 50 ",
               "/proc/42/cmdline": "harness\0--profile\0", "/proc/42/smaps_rollup": ROLLUP,
               "/proc/50/cmdline": "net_rpc_server\0", "/proc/50/smaps_rollup": ROLLUP}


def test_levels_are_the_kernels_and_the_workers_private_pages_not_the_servers():
    levels = task_cost.read_levels(LEVEL_FILES.get, 7, 4096)
    assert levels == Levels(1960 * 1024, 7 * 4096, {42: 140 * 1024})
    assert task_cost.read_levels(LEVEL_FILES.get, 8, 4096).worker_private_bytes == {}


def test_kernel_bytes_per_task_are_the_rise_over_the_tasks_in_flight():
    idle = Levels(1000 << 10, 8 << 10)
    peak = Levels(idle.kernel_stack_bytes + 100 * (16 << 10), idle.socket_bytes + (400 << 10))
    assert task_cost.kernel_bytes_per_task(idle, peak, 100) == (16 << 10) + (4 << 10)
    assert task_cost.kernel_bytes_per_task(peak, idle, 100) == 0  # fell: nothing added
    assert task_cost.kernel_bytes_per_task(idle, peak, 0) == 100 * (16 << 10) + (400 << 10)


def test_workers_growth_counts_a_worker_forked_in_the_run_whole():
    idle = Levels(worker_private_bytes={10: 1000, 11: 500})
    peak = Levels(worker_private_bytes={10: 3000, 11: 400, 12: 700})  # 12 forked in the run
    assert task_cost.workers_growth_bytes(idle, peak) == 2000 - 100 + 700
    assert task_cost.workers_growth_bytes(peak, idle) == 0


def test_per_task_counters_add_the_workers_and_take_the_median_kernel_figure():
    costs = [(RunCost(3000, Switches(40, 4), 1000, 2048.0), 4),
             (RunCost(1000, Switches(20, 2), 0, 8192.0), 4),
             (RunCost(None, Switches(30, 3), 0, None), 4),  # no reset, probe not fired
             (RunCost(0, Switches(30, 3), 0, 4096.0), 2)]
    c = task_cost.per_task_counters(10, costs)
    assert c["ctx_vol_per_task"] == 3.0 and c["ctx_invol_per_task"] == 0.3
    assert c["mem_kib_per_task"] == (3000 + 1000) / 4 / 1024
    assert c["kmem_kib_per_task"] == 4.0  # the median of 2, 8 and 4 KiB
    assert task_cost.per_task_counters(10, []) == {}
    assert "kmem_kib_per_task" not in task_cost.per_task_counters(10, costs[2:3])


def kernel_kib_per_task(model_name: str, tasks: int, sleep_us: int) -> float:
    w = IoSleep(Params(tasks=tasks, sleep_us=sleep_us))
    with registry.find(model_name).make(1) as model:
        model.prepare(w)
        start = task_cost.run_start(peak_probe.next_target(tasks, tasks))
        model.run(Deadline(task_s=0, floor_s=60))
        cost = task_cost.run_cost(start)
    assert cost.kernel_bytes_per_task is not None, f"{model_name}: the peak was not caught"
    return cost.kernel_bytes_per_task / 1024


def test_a_thread_per_task_holds_far_more_kernel_memory_per_task_than_asyncio():
    if task_cost.kernel_stack_bytes_in(open("/proc/meminfo", encoding="ascii").read()) is None:
        pytest.skip("/proc/meminfo has no KernelStack")
    # 1 s waits: CPython starts a thread in about 0.4 ms, so the 100 in flight the probe
    # waits for (half of 200) come well within the first task's wait.
    per_thread = kernel_kib_per_task("py_thread_per_task", 200, 1_000_000)
    per_coroutine = kernel_kib_per_task("py_asyncio", 200, 200_000)
    # 16 KiB expected; a quarter of it leaves room for other processes freeing stacks.
    assert per_thread >= 4.0
    assert per_coroutine < per_thread / 4, (per_thread, per_coroutine)

