// What a result file says about the run: versions, CPUs, the models' registry rows, the machine's
// load.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "sysinfo.hpp"

namespace cvp::bench {

// Adds the context keys every harness writes (docs/result-format.md):
// versions, CPUs, timer slack, the profile, and the registry rows of
// `models`. Throws std::invalid_argument for a UV_THREADPOOL_SIZE that is
// not a whole number from 1 to 256.
void add_context(std::string_view harness, std::string_view profile,
                 std::span<const std::string> models);

// The machine's other load over a run: the CPU time of the whole machine
// that was not this process's or its children's, steal, load averages.
class LoadMeter {
 public:
  LoadMeter();  // starts the interval
  // The interval so far as the `cvp_load` JSON object; `loaded` when other
  // work used more than a quarter of a CPU or steal exceeded 5%.
  std::string json() const;
  bool loaded() const;

 private:
  struct Reading {
    double wall_s, own_cpu_s, loadavg;
    MachineCpu machine;
  };
  struct Interval {
    double wall_s, other_busy_cpus, steal_pct, loadavg_end;
  };
  static Reading read();
  Interval interval() const;
  Reading start_;
};

// Inserts "key": "value" (value a JSON text, escaped as a string) at the
// start of `json`'s context object. Throws std::runtime_error if there is none.
std::string with_context_entry(std::string json, std::string_view key, std::string_view value);

}  // namespace cvp::bench
