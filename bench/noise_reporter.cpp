// A file reporter that writes Google Benchmark JSON into memory and marks noisy benchmarks.
#include "noise_reporter.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include "timing.hpp"

namespace cvp::bench {

NoiseReporter::NoiseReporter() {
  inner_.SetOutputStream(&out_);
  inner_.SetErrorStream(&out_);
}

bool NoiseReporter::ReportContext(const Context& context) { return inner_.ReportContext(context); }

std::optional<NoiseReporter::Noise> NoiseReporter::noise_of(const std::vector<Run>& runs) {
  std::vector<double> times, speedups;
  for (const Run& r : runs) {
    if (r.run_type != Run::RT_Iteration || r.error_occurred) continue;
    times.push_back(r.GetAdjustedRealTime());
    if (const auto s = r.counters.find("speedup"); s != r.counters.end()) {
      speedups.push_back(s->second.value);
    }
  }
  if (times.size() < 2) return std::nullopt;
  double mean = 0, var = 0;
  for (double t : times) mean += t;
  mean /= static_cast<double>(times.size());
  for (double t : times) var += (t - mean) * (t - mean);
  var /= static_cast<double>(times.size() - 1);
  Noise n;
  n.cv_pct = mean > 0 ? 100 * std::sqrt(var) / mean : 0;
  n.noisy = n.cv_pct > kNoisyCvPct;
  if (speedups.size() >= 2) {
    const auto [lo, hi] = std::minmax_element(speedups.begin(), speedups.end());
    const double mid = median(speedups);
    n.noisy = n.noisy || (mid > 0 && 100 * (*hi - *lo) / mid > kNoisySpreadPct);
  }
  return n;
}

void NoiseReporter::ReportRuns(const std::vector<Run>& runs) {
  std::vector<Run> marked = runs;
  const std::string name = runs.empty() ? "" : runs.front().run_name.str();
  if (const std::optional<Noise> found = noise_of(runs)) {
    noise_[name] = *found;
    noisy_ += found->noisy ? 1 : 0;
  }
  const Noise n = noise_.contains(name) ? noise_[name] : Noise{};
  for (Run& r : marked) {
    if (r.error_occurred) continue;
    r.counters["cv_pct"] = n.cv_pct;
    r.counters["noisy"] = n.noisy ? 1 : 0;
  }
  inner_.ReportRuns(marked);
}

void NoiseReporter::Finalize() { inner_.Finalize(); }

}  // namespace cvp::bench
