// Profiles and grids as data: which models (by registry facts) run which axis values in each
// profile.
#include "grid.hpp"

#include <algorithm>
#include <stdexcept>

namespace cvp::bench {

Profile profile_named(std::string_view name) {
  if (name == "quick") return {"quick", 1, 0.05};
  // Five repetitions, the fewest with which a Mann-Whitney U test of one run
  // against another can reach p < 0.05 (2 / C(10, 5) = 0.008), of at least
  // 30 ms (one run of most benchmarks; a cpu_hash run on two workers takes
  // 40-70 ms): the whole default run, every language and model, fits the
  // five minutes DESIGN.md gives it.
  if (name == "default") return {"default", 5, 0.03};
  if (name == "full") return {"full", 10, 0.2};
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

std::vector<std::string> all_models() {
  std::vector<std::string> names;
  for (const ModelInfo& m : registry()) {
    if (m.launch == Launch::kInProcess) names.emplace_back(m.name);
  }
  return names;
}

}  // namespace cvp::bench
