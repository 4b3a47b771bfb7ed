// The paired serial run: the baseline model's run right before each timed run of pure hashing.
#include "paired_run.hpp"

#include "models/registry.hpp"
#include "timing.hpp"

namespace cvp::bench {

bool is_paired(const Workload& w) { return w.params().bytes > 0 && w.cpu_only(); }

std::unique_ptr<Model> make_baseline() { return make_model(baseline_model().name, 1); }

double time_baseline_run(Model& baseline, const Workload& w, std::span<Digest> out) {
  const auto t0 = Clock::now();
  baseline.run(w, out);
  return seconds_since(t0);
}

}  // namespace cvp::bench
