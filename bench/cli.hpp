// The harnesses' command line: strict flags, one-line errors, and the help text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "harness.hpp"

namespace cvp::bench {

// What a harness's command line takes beyond the axes its harness sets:
// every C++ harness takes --models and --workers; the mpi harness takes
// neither (its model is fixed, its W is the number of ranks) and one flag
// of its own.
struct FlagSpec {
  bool models = true;
  std::string_view no_workers;  // not empty: --workers is refused, and this says why
  struct Own {
    std::string_view name, help;      // "workloads", one line for --help
    std::string_view value = "LIST";  // what --help shows after '='
  };
  std::vector<Own> own;
  std::string_view launcher;  // what the usage line puts before the program ("mpiexec -n W")
};

struct Options {
  bool help = false;
  bool table = false;  // Google Benchmark's console table instead of one line per benchmark
  std::string profile = "default";
  std::optional<std::filesystem::path> out;
  std::optional<std::vector<std::string>> models;
  std::map<AxisId, std::vector<std::int64_t>> axes;  // grid flags given
  std::vector<std::string> passthrough;              // --benchmark_* flags
  std::map<std::string, std::string> own;            // the FlagSpec's own flags given, by name
  bool overrides_grid() const { return models.has_value() || !axes.empty(); }
};

// Google Benchmark accepts a negative or zero minimum time and repetitions
// silently, takes an invalid --benchmark_filter for one that matched nothing, and lets
// --benchmark_out bypass the checked, atomic --out; a benchmark suite should not. Throws
// std::invalid_argument with one line.
void check_benchmark_flag(std::string_view flag, std::string_view value);

// The value the command line's --benchmark_* `flags` give Google Benchmark's
// flag `name` ("--benchmark_repetitions"): the text after '=', "" for the
// bare flag, nothing when it is not given (the last one, if repeated).
std::optional<std::string> benchmark_flag_value(const std::vector<std::string>& flags,
                                                std::string_view name);

// Whether `flags` turn Google Benchmark's boolean flag `name` on, read as
// Google Benchmark 1.7.1 reads it (IsTruthyFlagValue): the bare flag is on;
// "0", "f", "n" and "false", "no", "off" (any case) are off.
bool benchmark_flag_on(const std::vector<std::string>& flags, std::string_view name);

// The repetitions a run makes: --benchmark_repetitions when given (checked
// by check_benchmark_flag), else the profile's.
int repetitions(const std::vector<std::string>& flags, const Profile& profile);

// Parses argv[1..]. Throws std::invalid_argument with one line for a flag
// that is unknown, repeated, empty, out of range or not for this harness.
Options parse_options(int argc, char** argv, const Harness& h, const FlagSpec& spec = {});

void print_help(const Harness& h, const char* argv0, const FlagSpec& spec = {});

// The grid a run uses: the profile's, or the cross product of the flags
// given and the harness's defaults.
std::vector<Point> grid_points(const Options& o, const Profile& profile, const Harness& h,
                               Launch launch = Launch::kInProcess);

}  // namespace cvp::bench
