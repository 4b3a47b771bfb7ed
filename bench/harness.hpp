// A harness: one workload's grid, run under Google Benchmark and published as a result file.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "axes.hpp"
#include "grid.hpp"
#include "workloads/workload.hpp"

namespace cvp::bench {

// A flag of one harness's own (file_read's --data-dir): its name, what its
// value is, one line for --help, and what the harness does with the value.
struct HarnessFlag {
  std::string_view name, value, help;
  std::function<void(const std::string&)> take;
};

struct Harness {
  std::string_view workload;  // "io_sleep": the first part of every name
  std::string_view summary;   // one line for --help
  // The workload axes a user may set by flag (tasks and workers always can).
  std::vector<AxisId> flags;
  NameRules names;
  // The grid each profile runs, and what the harness adds to it.
  std::vector<GridRow> grid;
  GridRules rules;
  // The values of the axes a user did not set when overriding the grid.
  std::vector<std::pair<AxisId, std::vector<std::int64_t>>> defaults;
  std::function<std::unique_ptr<Workload>(const Point&)> make_workload;
  // Flags of the harness's own, taken before any workload is made.
  std::vector<HarnessFlag> own_flags = {};
  // The seconds of one run of the bare primitive under the workload's own
  // IO (file_read: its preads), for limit_ms; empty: the model's primitive
  // (bare.hpp) with the workload's parameters.
  std::function<double(const Workload&)> bare_run = {};
};

// The harness's main(): parses the command line, registers the grid, runs
// it with Google Benchmark and, with --out, replaces the result file only
// when every benchmark succeeded. Exit status 0, 1 (a benchmark failed) or
// 2 (bad input).
int run_main(int argc, char** argv, const Harness& h);

}  // namespace cvp::bench
