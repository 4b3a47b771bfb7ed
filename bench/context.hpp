// What a result file says about the run: versions, CPUs, the models' registry rows, the machine's
// load.
#pragma once

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "sysinfo.hpp"
#include "timing.hpp"

namespace cvp::bench {

// Adds the context keys every harness writes (docs/result-format.md):
// versions, CPUs, timer slack, the profile, and the registry rows of
// `models`. Throws std::invalid_argument for a UV_THREADPOOL_SIZE that is
// not a whole number from 1 to 256.
void add_context(std::string_view harness, std::string_view profile,
                 std::span<const std::string> models);

// The machine's other load over a run: the CPU time of the whole machine
// that was not the run's own, steal, load averages.
class LoadMeter {
 public:
  // Starts the interval. `own_cpu_s` reads the CPU seconds of the run's own
  // processes: by default this process and its reaped children (the mpi
  // harness adds the other ranks on its host).
  explicit LoadMeter(std::function<double()> own_cpu_s = cpu_seconds_with_children);

  struct Summary {
    bool loaded = false;  // other work used over a quarter of a CPU, or steal over 5%
    std::string json;     // the `cvp_load` JSON object
  };
  // Ends the interval: one reading, one verdict.
  Summary finish() const;

 private:
  struct Reading {
    double wall_s, own_cpu_s, loadavg;
    MachineCpu machine;
  };
  Reading read() const;
  std::function<double()> own_cpu_s_;
  Reading start_;
};

// Inserts "key": "value" (value a JSON text, escaped as a string) at the
// start of `json`'s context object. Throws std::runtime_error if there is none.
std::string with_context_entry(std::string json, std::string_view key, std::string_view value);

}  // namespace cvp::bench
