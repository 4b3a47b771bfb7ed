// What the harnesses share: profiles, command line, registration, counters and result files.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "workloads/workload.hpp"

namespace cvp::bench {

// One benchmark: a model with W workers running a workload of N tasks.
struct Point {
  std::string model;
  int tasks = 1;
  int workers = 1;
  std::int64_t sleep_us = 0;
  std::int64_t bytes = 0;
  int rounds = 0;
};

struct Profile {
  std::string name;
  int repetitions = 1;
  double min_time_s = 0.1;
};

// Throws std::invalid_argument for a name other than quick, default, full.
Profile profile_named(std::string_view name);

// Grid axes given on the command line; each replaces the profile's values.
struct Overrides {
  std::optional<std::vector<std::string>> models;
  std::optional<std::vector<std::int64_t>> tasks, workers, sleep_us, bytes, rounds;
  bool any() const { return models || tasks || workers || sleep_us || bytes || rounds; }
};

struct Harness {
  std::string_view workload;  // "io_sleep"
  std::string_view summary;   // one line for --help
  std::vector<std::string_view>
      axes;  // workload axes accepted as flags: "sleep_us", "bytes", "rounds"
  // The points to run: the profile's grid, or the cross product of the overrides.
  std::function<std::vector<Point>(const Profile&, const Overrides&)> grid;
  std::function<std::unique_ptr<Workload>(const Point&)> make_workload;
};

// `<workload>/<model>/tasks:<N>/workers:<W>[/sleep_us:<T>][/bytes:<B>]`
std::string benchmark_name(std::string_view workload, const Point& p);

// Every (model, tasks, workers) combination, with W forced to 1 for the
// single-worker models and duplicates dropped; `fill` sets the workload axes.
std::vector<Point> cross(const std::vector<std::string>& models,
                         const std::vector<std::int64_t>& tasks,
                         const std::vector<std::int64_t>& workers,
                         const std::function<void(Point&)>& fill);

std::vector<std::string> all_models();

// The harness's main(): parses the command line, registers the grid, runs
// it with Google Benchmark and, with --out, replaces the result file only
// when every benchmark succeeded.
int run_main(int argc, char** argv, const Harness& h);

}  // namespace cvp::bench
