// Nearest-rank percentiles of task latencies: the arithmetic behind latency_p50_ms and
// latency_p99_ms.
#include "models/task_latency.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace cvp {

std::int64_t nearest_rank(std::span<std::int64_t> ns, int percent) {
  if (percent < 1 || percent > 100) {
    throw std::invalid_argument("percentile " + std::to_string(percent) + "; allowed: 1 to 100");
  }
  if (ns.empty()) return 0;
  // In integers: 0.99 * n in doubles can land a rank too high or too low.
  const auto n = static_cast<std::int64_t>(ns.size());
  const std::int64_t rank = (static_cast<std::int64_t>(percent) * n + 99) / 100;  // 1 to n
  const auto at = ns.begin() + (rank - 1);
  std::nth_element(ns.begin(), at, ns.end());
  return *at;
}

LatencyPercentiles latency_percentiles(std::span<std::int64_t> ns) {
  return {static_cast<double>(nearest_rank(ns, 50)) * 1e-6,
          static_cast<double>(nearest_rank(ns, 99)) * 1e-6};
}

}  // namespace cvp
