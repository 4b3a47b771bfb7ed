// Measuring one benchmark: set-up outside the clock, timed runs, digests checked, counters
// computed.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "harness.hpp"

namespace cvp::bench {

// What one workload configuration shares across the benchmarks that run it:
// the workload, the baseline model's digests, and the CPU time of one task.
struct Prepared {
  std::shared_ptr<const Workload> workload;
  std::vector<Digest> reference;
  double task_cpu_s = 0;
};

// One Prepared per distinct workload configuration of `points`, calibrated.
std::map<std::string, Prepared> prepare_workloads(const std::vector<Point>& points,
                                                  const Harness& h);

// Registers one Google Benchmark per point, named by the grammar. Throws
// std::invalid_argument when two points would share a name. `failures`
// counts the benchmarks that failed.
void register_benchmarks(const std::vector<Point>& points,
                         const std::map<std::string, Prepared>& prepared, const Harness& h,
                         std::atomic<int>& failures);

// Releases the models (threads, worker processes) of the benchmark that ran last.
void release_benchmark_models();

// The context entries of the calibrations ("task_cpu_us/<config>").
void add_calibration_context(const std::map<std::string, Prepared>& prepared);

}  // namespace cvp::bench
