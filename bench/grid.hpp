// Profiles and grids as data: which models (by registry facts) run which axis values in each
// profile.
#pragma once

#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "axes.hpp"
#include "models/registry.hpp"

namespace cvp::bench {

struct Profile {
  std::string name;
  int repetitions = 1;
  double min_time_s = 0.1;
};

// The profile's repetitions and least time from the grid facts. Throws
// std::invalid_argument for a name other than quick, default, full.
Profile profile_named(std::string_view name);

// Axis values per profile. Careful: {{a}, {b}, {c}} is the list {a, b, c}
// for every profile; per profile, write {List{a}, List{b}, List{c}}.
struct PerProfile {
  std::vector<std::int64_t> quick, normal, full;
  PerProfile(std::initializer_list<std::int64_t> all) : quick(all), normal(all), full(all) {}
  PerProfile(std::vector<std::int64_t> q, std::vector<std::int64_t> n, std::vector<std::int64_t> f)
      : quick(std::move(q)), normal(std::move(n)), full(std::move(f)) {}
  const std::vector<std::int64_t>& of(const Profile& p) const;
};

// Worker counts that fit the machine: 1, 2, 4, ... up to `cpus` (and `cpus`
// itself), then `cpus` times each of `oversubscribe` (for example {2}).
std::vector<std::int64_t> worker_ladder(int cpus, std::initializer_list<int> oversubscribe);

// One row of a grid: the registry models it selects and the values of each axis.
struct GridRow {
  std::function<bool(const ModelInfo&)> models;
  std::vector<std::pair<AxisId, PerProfile>> values;
};

// False for a model that differs from another only in how its tasks wait, at
// a point without waits: there it runs the other model's code.
bool worth_running(const Point& p);
// False for a point of a worker series (a model that runs W tasks at a
// time) whose N / W rounds of sleep_us would take longer than max_run_s:
// the cap that keeps a waiting harness's repetitions within its budget.
bool worker_series_fits(const Point& p, double max_run_s);

// What a harness adds to the rows: the models it may run, derived axes, and
// which points to keep.
struct GridRules {
  // Fills axes derived from others (rounds from bytes, a CPU share's sleep).
  std::function<void(Point&)> complete = [](Point&) {};
  // False drops a point (for example a run that would take too long).
  std::function<bool(const Point&)> keep = worth_running;
};

// Every (model, axis values) combination of the rows, with W forced to the
// fixed count of the models that do not take W and exact duplicates
// dropped; each value checked against its axis. Only the models started the
// way `launch` says are selected: a harness runs its models in its own
// process, the mpi harness runs the mpi model under mpiexec.
std::vector<Point> expand(const std::vector<GridRow>& rows, const Profile& profile,
                          const GridRules& rules, Launch launch = Launch::kInProcess);

// The models a grid may select from: every registered model a harness runs
// in its own process.
std::vector<std::string> all_models();

}  // namespace cvp::bench
