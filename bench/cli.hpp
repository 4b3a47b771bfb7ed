// The harnesses' command line: strict flags, one-line errors, and the help text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "harness.hpp"

namespace cvp::bench {

struct Options {
  bool help = false;
  std::string profile = "default";
  std::optional<std::filesystem::path> out;
  std::optional<std::vector<std::string>> models;
  std::map<AxisId, std::vector<std::int64_t>> axes;  // grid flags given
  std::vector<std::string> passthrough;              // --benchmark_* flags
  bool overrides_grid() const { return models.has_value() || !axes.empty(); }
};

// Parses argv[1..]. Throws std::invalid_argument with one line for a flag
// that is unknown, repeated, empty, out of range or not for this harness.
Options parse_options(int argc, char** argv, const Harness& h);

void print_help(const Harness& h, const char* argv0);

// The grid a run uses: the profile's, or the cross product of the flags
// given and the harness's defaults.
std::vector<Point> grid_points(const Options& o, const Profile& profile, const Harness& h);

}  // namespace cvp::bench
