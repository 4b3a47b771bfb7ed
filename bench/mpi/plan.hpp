// The mpi harness's plan: its command line, its grid, and the benchmarks rank 0 sizes and
// calibrates before every rank takes them.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "cli.hpp"
#include "grid.hpp"
#include "harness.hpp"
#include "measure.hpp"
#include "models/registry.hpp"

namespace cvp::mpi {

// The mpi model's registry row: the one model mpiexec starts.
const ModelInfo& mpi_model();

// The workloads the mpi model runs, by their harnesses' names: those whose
// tasks share nothing (shared_counter's counter lives in one machine's memory).
std::span<const std::string_view> mpi_workloads();

struct Options {
  bench::Options common;               // the flags every harness takes
  std::vector<std::size_t> workloads;  // indices into mpi_workloads(), in the order given
};

// Parses argv[1..] with the shared command line (bench/cli.hpp). Throws
// std::invalid_argument with one line for a flag that is unknown,
// repeated, empty, out of range or for no chosen workload. W is not a
// flag: it is the number of ranks mpiexec started.
Options parse_options(int argc, char** argv);

void print_help(const char* argv0);

// The points of workload harness `h` for a run on `ranks` ranks: those its
// grid gives the mpi model by the model's registry facts (or, with grid
// flags, the flags given crossed with the harness's defaults), at W = ranks.
std::vector<bench::Point> grid(const Options& o, const bench::Harness& h,
                               const bench::Profile& profile, int ranks);

// One benchmark as every rank runs it. Rank 0 alone sizes the grid (its
// CPUs) and calibrates (iterations, mixed's rounds, a task's CPU time).
struct PlanItem {
  std::size_t workload = 0;  // index into mpi_workloads()
  bench::Point point;
  std::int64_t iterations = 1;
  std::int64_t task_cpu_ns = 0;  // rank 0's calibration: every rank paces its runs by it
  const bench::Harness& harness() const;
};

// Rank 0: the grid of every chosen workload, its reference digests and
// calibrated task times (into `prepared`, one per item), and each
// benchmark's iterations: enough runs to fill the profile's minimum time,
// fixed per benchmark so that every rank runs the same number.
std::vector<PlanItem> make_plan(const Options& o, const bench::Profile& profile, int ranks,
                                int cpus_all_hosts, std::vector<bench::Prepared>& prepared);

}  // namespace cvp::mpi
