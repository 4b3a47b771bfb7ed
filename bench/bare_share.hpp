// Bare-primitive runs shared by the benchmarks that stand on the same primitive doing the same
// work.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>

#include "models/registry.hpp"
#include "workloads/workload.hpp"

namespace cvp::bench {

// What makes two bare runs the same run: the primitive, the work and how
// many threads or processes carry it (tbb and the offload pool at W = 4 stand
// on the same 4 threads; fork and the process pool at W = 2 on the same 2
// processes; serial and the blocking loop on one thread).
std::string bare_key(Primitive primitive, CapacityRule concurrency, const WorkloadParams& params,
                     int workers);

// A bare run serves the next benchmark that asks for the same key, once per
// benchmark: a benchmark that has used the latest run measures a new one.
// Every repetition of every model still gets a bare run measured at most a
// few runs away from its own (the pairing that keeps vs_limit's median
// steady when the machine drifts), and each run is paid for once instead of
// once per model: about 40% of the C++ harnesses' time was bare runs.
class BareShare {
 public:
  double take(const std::string& key, const void* user, const std::function<double()>& measure);

 private:
  struct Latest {
    double seconds = 0;
    std::set<const void*> users;
  };
  std::map<std::string, Latest> latest_;
};

}  // namespace cvp::bench
