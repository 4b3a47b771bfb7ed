// serial: one task after another on the calling thread, the baseline.
#include "models/serial.hpp"

#include "models/blocking_task.hpp"

namespace cvp {

RunReport SerialModel::run(const Workload& w, std::span<Digest> out) {
  InflightGauge gauge(w.tasks(), tracing());
  for (int i = 0; i < w.tasks(); ++i)
    out[static_cast<std::size_t>(i)] = run_task_blocking(w, i, gauge);
  return gauge.report();
}

}  // namespace cvp
