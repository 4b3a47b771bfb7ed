"""Tests for bench/python/cvppy/task_cost.py: /proc text parsed from fixed samples (the
samples of tests/task_cost_test.cpp), snapshots and their difference, and a run's peak."""

import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "python"))
from cvppy import task_cost  # noqa: E402
from cvppy.task_cost import Switches, TaskCost  # noqa: E402

ROLLUP = ("5624691a7000-7ffe5101f000 ---p 00000000 00:00 0      [rollup]\n"
          "Rss:                1724 kB\nPss:                 217 kB\n"
          "Pss_Dirty:           112 kB\nPss_Anon:            112 kB\n")
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
