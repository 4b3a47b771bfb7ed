"""Tests for bench/python/cvppy/thread_limits.py: the same limits, margins and words as
src/thread_limits.cpp, fed fixed /proc text."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "python"))
from cvppy import thread_limits  # noqa: E402

SMALL = 256 * 1024

REFERENCE = {
    "/proc/sys/kernel/threads-max": "192729\n",
    "/proc/sys/kernel/pid_max": "32768\n",
    "/proc/sys/vm/max_map_count": "65530\n",
    "/proc/loadavg": "0.52 0.31 0.20 2/412 12345\n",
    "/proc/self/status": "Name:\tpython3\nThreads:\t3\n",
    "/proc/self/maps": "\n" * 200,
    "/proc/meminfo": "MemTotal:       24683620 kB\nMemAvailable:   23689156 kB\n",
}


def room(files: dict, nproc=None) -> thread_limits.ThreadRoom:
    return thread_limits.read_room(files.get, nproc)


def test_reads_each_limit_and_what_uses_it():
    r = room(REFERENCE, 4096)
    assert (r.threads_max, r.pid_max, r.max_map_count, r.nproc) == (192729, 32768, 65530, 4096)
    assert r.mem_available == 23689156 * 1024
    assert (r.machine_threads, r.own_threads, r.own_maps) == (412, 3, 200)


def test_ten_thousand_fit_and_a_hundred_thousand_do_not_in_the_cpp_words():
    r = room(REFERENCE)
    assert thread_limits.refusal(r, 10_000, SMALL) is None
    assert thread_limits.refusal(r, 100_000, SMALL) == (
        "100000 threads of 256 KiB stack do not fit: kernel.pid_max is 32768 and 412 threads "
        f"exist; allowed: up to {32768 - 300 - 412 - 256}")


def test_names_the_tightest_limit():
    r = room({**REFERENCE, "/proc/sys/vm/max_map_count": "8000\n"})
    most, limit = thread_limits.threads_that_fit(r, SMALL)
    assert most == (8000 - 200 - 1024) // 2
    assert "vm.max_map_count is 8000" in limit


def test_rlimit_nproc_binds_only_when_given():
    line = thread_limits.refusal(room(REFERENCE, 1000), 1000, SMALL)
    assert line is not None and "RLIMIT_NPROC is 1000 and this process has 3 threads" in line
    assert thread_limits.refusal(room(REFERENCE), 1000, SMALL) is None


def test_stacks_count_against_half_of_mem_available():
    r = room({**REFERENCE, "/proc/meminfo": "MemAvailable:    4194304 kB\n"})
    assert thread_limits.threads_that_fit(r, 8 << 20)[0] == 256
    line = thread_limits.refusal(r, 10_000, 8 << 20)
    assert line is not None
    assert line.startswith("10000 threads of 8 MiB stack do not fit: half of MemAvailable is "
                           "2048 MiB")


def test_an_unreadable_proc_limits_nothing_and_no_room_is_zero():
    assert thread_limits.refusal(room({}), 1_000_000, SMALL) is None
    full = room({**REFERENCE, "/proc/loadavg": "0.5 0.3 0.2 2/40000 1\n"})
    assert thread_limits.threads_that_fit(full, SMALL)[0] == 0


def test_this_machine_reports_its_own_proc():
    r = thread_limits.read_room_now()
    assert r.pid_max is not None and r.pid_max > 0
    assert r.own_threads >= 1 and r.own_maps > 0
