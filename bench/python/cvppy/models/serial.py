"""py_serial: one task after another on the calling thread (src/models/serial.cpp)."""

from __future__ import annotations

import threading

from cvppy.models.gauge import LocalGauge
from cvppy.models.model import Deadline, Limits, Model, RunReport
from cvppy.workloads.workload import BlockingEnv, Cell


class SerialModel(Model):
    name = "py_serial"

    def limits(self, tasks: int, cpus: int) -> Limits:
        return Limits(1, 1)

    def run(self, deadline: Deadline) -> RunReport:
        w = self.workload
        env = BlockingEnv(LocalGauge(w.tasks), Cell(), threading.Lock())
        digests = [w.task(i, env) for i in range(w.tasks)]
        return RunReport(digests, env.gauge.peak, env.counter.value, env.gauge.task_ns())
