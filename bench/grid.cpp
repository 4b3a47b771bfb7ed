// Profiles and grids as data: which models (by registry facts) run which axis values in each
// profile.
#include "grid.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "grid_facts.hpp"

namespace cvp::bench {

Profile profile_named(std::string_view name) {
  // Repetitions and the least time of each are facts both languages share
  // (bench/grid_facts.json says why they are what they are).
  for (std::string_view known : {"quick", "default", "full"}) {
    if (name != known) continue;
    const std::string key = "profiles." + std::string(name);
    return {std::string(name), static_cast<int>(fact_int(key + ".repetitions")),
            fact_number(key + ".min_time_s")};
  }
  throw std::invalid_argument("profile is '" + std::string(name) +
                              "'; allowed: quick, default, full");
}

const std::vector<std::int64_t>& PerProfile::of(const Profile& p) const {
  if (p.name == "quick") return quick;
  if (p.name == "full") return full;
  return normal;
}

std::vector<std::int64_t> worker_ladder(int cpus, std::initializer_list<int> oversubscribe) {
  std::vector<std::int64_t> out;
  for (std::int64_t w = 1; w < cpus; w *= 2) out.push_back(w);
  out.push_back(cpus);
  for (int factor : oversubscribe) out.push_back(static_cast<std::int64_t>(cpus) * factor);
  return out;
}

namespace {

// Appends every combination of the row's axis values from axis `at` on.
void cross(const GridRow& row, const Profile& profile, std::size_t at, Point& p,
           std::vector<Point>& out) {
  if (at == row.values.size()) {
    out.push_back(p);
    return;
  }
  const Axis& a = axis(row.values[at].first);
  for (std::int64_t v : row.values[at].second.of(profile)) {
    p.*a.field = check(a, v);
    cross(row, profile, at + 1, p, out);
  }
}

}  // namespace

std::vector<Point> expand(const std::vector<GridRow>& rows, const Profile& profile,
                          const GridRules& rules, Launch launch) {
  std::vector<Point> out;
  for (const GridRow& row : rows) {
    for (const ModelInfo& m : registry()) {
      if (m.launch != launch || !row.models(m)) continue;
      Point p;
      p.model = std::string(m.name);
      std::vector<Point> points;
      cross(row, profile, 0, p, points);
      for (Point& q : points) {
        if (const auto fixed = m.fixed_workers()) q.workers = *fixed;
        rules.complete(q);
        if (rules.keep(q) && std::find(out.begin(), out.end(), q) == out.end()) out.push_back(q);
      }
    }
  }
  return out;
}

bool worth_running(const Point& p) {
  return p.sleep_us > 0 || !model_info(p.model).differs_only_in_waits;
}

bool worker_series_fits(const Point& p, double max_run_s) {
  if (model_info(p.model).concurrency_rule != CapacityRule::kWorkers) return true;
  const double rounds = std::ceil(static_cast<double>(p.tasks) / static_cast<double>(p.workers));
  return rounds * static_cast<double>(p.sleep_us) * 1e-6 <= max_run_s;
}

std::vector<std::string> all_models() {
  std::vector<std::string> names;
  for (const ModelInfo& m : registry()) {
    if (m.launch == Launch::kInProcess) names.emplace_back(m.name);
  }
  return names;
}

}  // namespace cvp::bench
