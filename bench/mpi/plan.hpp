// The mpi harness's command line and grid: which workloads, which axis values, how many iterations.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "axes.hpp"
#include "grid.hpp"
#include "harness.hpp"
#include "workloads/workload.hpp"

namespace cvp::mpi {

// The workloads the harness runs, each as its C++ harness names and builds it.
enum class Kind { kIoSleep, kCpuHash, kMixed };

// The workload's harness (bench/harnesses/): its grid, names and workload.
const bench::Harness& harness_of(Kind k);
std::string_view workload_name(Kind k);

struct Options {
  bool help = false;
  bool table = false;  // Google Benchmark's console table instead of one line per benchmark
  std::string profile = "default";
  std::optional<std::filesystem::path> out;
  std::vector<Kind> workloads{Kind::kIoSleep, Kind::kCpuHash, Kind::kMixed};
  std::map<bench::AxisId, std::vector<std::int64_t>> axes;  // grid flags given
  std::vector<std::string> passthrough;                     // --benchmark_* flags
};

// Parses argv[1..]. Throws std::invalid_argument with one line for a flag
// that is unknown, repeated, empty, out of range or for no chosen workload.
// W is not a flag: it is the number of ranks mpiexec started.
Options parse_options(int argc, char** argv);

void print_help(const char* argv0);

// The points of workload `k` for a run on `ranks` ranks: those its harness
// runs process_pool on in the profile (or, with grid flags, the flags given
// crossed with the harness's defaults), at W = ranks, as model "mpi".
std::vector<bench::Point> grid(const Options& o, Kind k, const bench::Profile& profile, int ranks);

}  // namespace cvp::mpi
