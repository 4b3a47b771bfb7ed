"""Tests for bench/python/cvppy/peak_probe.py: the probe fires once, at its target, from this
process's gauges or a forked worker's, reads on its own thread, and stays quiet unarmed."""

import multiprocessing
import os

from cvppy import peak_probe
from cvppy.models.gauge import LocalGauge, SharedGauge, ThreadGauge


def test_the_target_is_half_the_earlier_peak_or_the_first_guess():
    assert peak_probe.next_target(0, 200) == 200
    assert peak_probe.next_target(0, 0) == 1
    assert peak_probe.next_target(1, 200) == 1  # ceil(0.5)
    assert peak_probe.next_target(3, 200) == 2  # ceil(1.5)
    assert peak_probe.next_target(400, 10) == 200
    assert peak_probe.next_target(401, 10) == 201


def test_a_gauge_fires_once_on_reaching_the_target():
    reads = []
    probe = peak_probe.probe()
    probe.arm(3, lambda: reads.append(1) or "levels")
    g = LocalGauge(8)
    for i in range(4):
        g.enter(i)  # fires at 3
    g.leave(3)
    g.leave(2)
    g.enter(4)  # 3 again, not a new peak
    g.enter(5)
    reading = probe.disarm()
    assert reading is not None and reading.inflight == 3 and reading.levels == "levels"
    assert reads == [1]


def test_no_reading_below_the_target_or_when_disarmed():
    probe = peak_probe.probe()
    probe.arm(5, lambda: "levels")
    g = ThreadGauge(4)
    for i in range(4):
        g.enter(i)
    assert probe.disarm() is None
    assert ThreadGauge(1).fire_at == 0  # a gauge made disarmed never fires
    assert probe.disarm() is None


def test_a_gauge_made_before_arming_does_not_fire():
    g = LocalGauge(1)
    probe = peak_probe.probe()
    probe.arm(1, lambda: "levels")
    g.enter(0)
    assert probe.disarm() is None


def test_a_forked_worker_fires_the_parents_probe_through_a_shared_gauge():
    ctx = multiprocessing.get_context("fork")
    gauge = SharedGauge(ctx, 2)  # made before the workers, as a pool's is
    probe = peak_probe.probe()
    probe.arm(2, lambda: "levels")
    gauge.reset()  # the run's start takes the target
    gauge.enter(0)
    pid = os.fork()
    if pid == 0:
        gauge.enter(1)  # the second in flight: fires, from the worker
        os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    reading = probe.disarm()
    assert reading is not None and reading.inflight == 2


def test_every_run_can_fire_again():
    probe = peak_probe.probe()
    for run in range(1, 4):
        probe.arm(1, lambda run=run: run)
        LocalGauge(1).enter(0)
        reading = probe.disarm()
        assert reading is not None and reading.levels == run


def test_a_read_that_fails_is_no_reading():
    def fail() -> str:
        raise OSError("no /proc")

    probe = peak_probe.probe()
    probe.arm(1, fail)
    LocalGauge(1).enter(0)
    assert probe.disarm() is None
