// Running the registered benchmarks and publishing their result file, the same way for every
// harness.
#pragma once

#include <atomic>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "grid.hpp"

namespace cvp::bench {

struct RunSetup {
  std::string prog;  // for messages: "io_sleep"
  Profile profile;
  std::optional<std::filesystem::path> out;
  std::vector<std::string> passthrough;  // --benchmark_* flags from the command line
  std::size_t benchmarks = 0;            // how many were registered, for the progress line
  bool table = false;                    // Google Benchmark's console table instead of our lines
  std::vector<std::string> names;        // the registered benchmarks, in order
};

// Initializes Google Benchmark: `defaults` first, then the command line's
// --benchmark_* flags (later flags win). With `to_file`, the file Google
// Benchmark insists on opening for a file reporter is /dev/null: the suite's
// own reporter keeps the JSON. Returns the flags it did not recognise.
std::vector<std::string> initialize_benchmark(const std::string& prog,
                                              std::vector<std::string> defaults, bool to_file,
                                              const std::vector<std::string>& passthrough);

// Runs every registered benchmark with the profile's repetitions and
// minimum time (flags given on the command line win), one question at a time
// with the repetitions of its benchmarks interleaved at random (see
// interleave.hpp; --benchmark_enable_random_interleaving=false keeps each
// benchmark's repetitions together), prints one line per finished benchmark
// (or the table), marks noisy ones, and
// with `out` publishes the JSON (with the machine's load in its context)
// when no benchmark failed, or keeps it as `out`.failed. Returns the exit
// status: 0, 1 (a benchmark failed or none ran), 2 (an unknown flag).
int run_registered(const RunSetup& s, const std::atomic<int>& failures);

}  // namespace cvp::bench
