// The end of every harness's run: its last lines, and its result file published or kept as failed.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "context.hpp"

namespace cvp::bench {

// How a run of benchmarks ended.
struct RunOutcome {
  std::size_t ran = 0;  // benchmarks run (0: the filter matched none)
  int failed = 0;       // benchmarks in error
  int not_run = 0;      // benchmarks skipped because the run could not go on
  int noisy = 0;        // benchmarks whose repetitions spread too widely
  bool broken = false;  // the run as a whole went wrong (the mpi ranks fell out of step)
  LoadMeter::Summary machine{};
};

// Prints the run's warning and error lines and, with `out`, publishes
// `json` (Google Benchmark's, given the machine's load as cvp_load) when
// every benchmark succeeded, or keeps it as `out`.failed. A run that
// `stopping` says is being ended, checked right before publishing and again
// if publishing fails, is kept as failed too: its processes are being
// killed, and a result they could not finish must not stand. Returns the
// exit status, 0 or 1.
int conclude_run(
    const std::string& prog, const std::optional<std::filesystem::path>& out,
    const std::string& json, const RunOutcome& outcome,
    const std::function<bool()>& stopping = [] { return false; });

}  // namespace cvp::bench
