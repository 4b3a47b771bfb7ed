// Nearest-rank percentiles of task latencies: the arithmetic behind latency_p50_ms and
// latency_p99_ms.
#pragma once

#include <cstdint>
#include <span>

namespace cvp {

// The nearest-rank `percent`th percentile (1 to 100) of `ns`: the value at
// rank ceil(percent * n / 100) in ascending order, so it is always one of the
// values (no interpolation between a fast and a slow task). Reorders `ns`.
// 0 when `ns` is empty. Throws std::invalid_argument for a percent outside 1
// to 100.
std::int64_t nearest_rank(std::span<std::int64_t> ns, int percent);

// The 50th and the 99th percentile in milliseconds. Reorders `ns`.
struct LatencyPercentiles {
  double p50_ms = 0;
  double p99_ms = 0;
};
LatencyPercentiles latency_percentiles(std::span<std::int64_t> ns);

}  // namespace cvp
