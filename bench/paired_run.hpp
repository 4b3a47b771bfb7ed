// The paired serial run: the baseline model's run right before each timed run of pure hashing.
#pragma once

#include <memory>
#include <span>

#include "models/model.hpp"
#include "workloads/workload.hpp"

namespace cvp::bench {

// A workload of CPU work alone is paired: every timed run is preceded by an
// untimed run of the baseline model, and the pair gives that run's speedup
// and its ideal. The reference machine (a virtual machine) switches for
// seconds at a time between two speeds 35% apart; comparing runs minutes
// apart would put that switch into the speedup, comparing neighbours does
// not. Sleeping tasks cost no CPU and need no pairing, nor do tasks of
// real IO (Workload::cpu_only).
bool is_paired(const Workload& w);

// The baseline model (serial), made for a paired workload.
std::unique_ptr<Model> make_baseline();

// Runs `w` once on `baseline` into `out`; its wall seconds.
double time_baseline_run(Model& baseline, const Workload& w, std::span<Digest> out);

}  // namespace cvp::bench
