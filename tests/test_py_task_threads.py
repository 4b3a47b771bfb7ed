"""Tests for bench/python/cvppy/models/{thread_per_task,threads_n,task_threads}.py: a thread
per task, every task in flight, the pool kept across runs, and a thread that cannot start as
a RunFailed, never a crash."""

import os
import resource
import sys
import threading
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench" / "python"))
from cvppy.models import registry  # noqa: E402
from cvppy.models.model import Deadline, RunFailed  # noqa: E402
from cvppy.models.task_threads import TASK_THREAD_STACK_BYTES, small_stacks  # noqa: E402
from cvppy.workloads.io_sleep import IoSleep  # noqa: E402
from cvppy.workloads.workload import Params  # noqa: E402

MODELS = ["py_thread_per_task", "py_threads_n"]
DEADLINE = Deadline(task_s=0, floor_s=60)


@pytest.mark.parametrize("name", MODELS)
def test_every_task_is_in_flight_at_once(name):
    # 300 ms waits: CPython starts 20 threads well within one wait, even on a busy machine.
    w = IoSleep(Params(tasks=20, sleep_us=300_000))
    with registry.find(name).make(1) as m:
        m.prepare(w)
        report = m.run(DEADLINE)
    assert report.digests == w.reference()
    assert report.peak_inflight == 20
    assert m.limits(20, 2).concurrency == 20 and m.limits(20, 2).parallelism == 2


def test_threads_n_makes_its_pool_in_prepare_and_ends_it_in_close():
    before = threading.active_count()
    w = IoSleep(Params(tasks=30, sleep_us=1000))
    with registry.find("py_threads_n").make(1) as m:
        m.prepare(w)
        assert threading.active_count() == before + 30
        for _ in range(2):
            assert m.run(DEADLINE).digests == w.reference()
        assert threading.active_count() == before + 30
    assert threading.active_count() == before


@pytest.mark.parametrize("name", MODELS)
def test_a_task_that_raises_fails_the_run_and_no_thread_is_left(name):
    class Bad(IoSleep):
        def compute(self, index: int) -> bytes:
            if index == 5:
                raise ValueError("task 5 failed")
            return super().compute(index)

    before = threading.active_count()
    with registry.find(name).make(1) as m:
        m.prepare(Bad(Params(tasks=10, sleep_us=1000)))
        with pytest.raises(ValueError, match="task 5 failed"):
            m.run(DEADLINE)
    assert threading.active_count() == before


def test_small_stacks_sets_the_size_and_restores_it():
    before = threading.stack_size()
    with small_stacks():
        assert threading.stack_size() == TASK_THREAD_STACK_BYTES
    assert threading.stack_size() == before


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to become another user")
@pytest.mark.parametrize("name", MODELS)
def test_a_thread_that_cannot_start_is_run_failed_naming_the_limit(name):
    # RLIMIT_NPROC binds only a user other than root: a forked child becomes nobody.
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        said = "no exception"
        try:
            os.setgid(65534)
            os.setuid(65534)
            resource.setrlimit(resource.RLIMIT_NPROC, (1, 1))
            with registry.find(name).make(1) as m:
                m.prepare(IoSleep(Params(tasks=4, sleep_us=1000)))
                m.run(DEADLINE)
        except RunFailed as e:
            said = str(e)
        except BaseException as e:  # noqa: BLE001 - reported to the parent
            said = f"{type(e).__name__}: {e}"
        os.write(write_end, said.encode())
        os._exit(0)
    os.close(write_end)
    said = os.read(read_end, 1000).decode()
    os.close(read_end)
    assert os.waitpid(pid, 0)[1] == 0
    assert said.startswith(f"{name}: cannot start thread 1 of 4: can't start new thread")
    assert "RLIMIT_NPROC" in said
