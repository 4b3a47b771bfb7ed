// The grid facts both languages share (bench/grid_facts.json), looked up by dotted key.
#include "grid_facts.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>

#include "generated/grid_facts_data.hpp"  // made by cmake/GridFacts.cmake

namespace cvp::bench {
namespace {

constexpr std::string_view kLanguage = "c++";
constexpr std::string_view kProfiles[] = {"quick", "default", "full"};

// Appends the parts into one string (operator+ chains trip GCC 12's
// -Wrestrict false positive).
std::string cat(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view p : parts) out.append(p);
  return out;
}

std::optional<std::string_view> raw(const std::string& key) {
  for (const generated::GridFact& f : generated::kGridFacts) {
    if (f.key == key) return f.values;
  }
  return std::nullopt;
}

// The value for this language and profile: the file may split a value by
// profile, by language, or by both in either order.
std::optional<std::string_view> resolve(std::string_view key, std::string_view profile) {
  const std::string_view l = kLanguage;
  std::vector<std::string> tries{std::string(key), cat({key, ".", l})};
  if (!profile.empty()) {
    tries.insert(tries.end(), {cat({key, ".", profile}), cat({key, ".", profile, ".", l}),
                               cat({key, ".", l, ".", profile})});
  }
  for (const std::string& t : tries) {
    if (auto v = raw(t)) return v;
  }
  return std::nullopt;
}

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    const std::size_t space = text.find(' ');
    out.push_back(text.substr(0, space));
    text = space == std::string_view::npos ? "" : text.substr(space + 1);
  }
  return out;
}

std::int64_t to_int(std::string_view key, std::string_view word) {
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(word.data(), word.data() + word.size(), v);
  if (ec != std::errc() || end != word.data() + word.size()) {
    throw std::logic_error(
        cat({"grid_facts.json: ", key, " holds '", word, "', not a whole number"}));
  }
  return v;
}

std::vector<std::int64_t> to_ints(std::string_view key, const std::vector<std::string_view>& w) {
  std::vector<std::int64_t> out;
  for (std::string_view word : w) out.push_back(to_int(key, word));
  return out;
}

// The row's (or, failing that, the workload's) fact for `axis`.
std::string axis_key(const std::string& row, std::string_view workload, std::string_view axis) {
  const std::string own = cat({row, ".", axis});
  for (std::string_view p : kProfiles) {
    if (resolve(own, p)) return own;
  }
  return cat({workload, ".axes.", axis});
}

// One axis of a row, per profile; workers resolved against the row's tasks.
PerProfile row_values(const std::string& key, const Axis& a, int cpus, const PerProfile& tasks) {
  std::vector<std::int64_t> per[3];
  for (int i = 0; i < 3; ++i) {
    const auto words = fact_words(key, kProfiles[i]);
    const auto& n = i == 0 ? tasks.quick : i == 1 ? tasks.normal : tasks.full;
    const std::int64_t most = n.empty() ? 1 : *std::max_element(n.begin(), n.end());
    per[i] = a.id == AxisId::kWorkers ? worker_counts(words, cpus, most) : to_ints(key, words);
  }
  return {per[0], per[1], per[2]};
}

// Tasks raised so that every worker of the row gets at least `least` of them.
void give_each_worker(PerProfile& tasks, const PerProfile& workers, std::int64_t least) {
  for (auto [t, w] : {std::pair{&tasks.quick, &workers.quick},
                      {&tasks.normal, &workers.normal},
                      {&tasks.full, &workers.full}}) {
    if (w->empty()) continue;
    const std::int64_t floor = least * *std::max_element(w->begin(), w->end());
    for (std::int64_t& n : *t) n = std::max(n, floor);
  }
}

}  // namespace

std::vector<std::string_view> fact_words(std::string_view key, std::string_view profile) {
  const auto v = resolve(key, profile);
  if (!v) {
    throw std::logic_error(
        cat({"grid_facts.json has no ", key, profile.empty() ? "" : " for the profile ", profile}));
  }
  return split(*v);
}

bool has_fact(std::string_view key, std::string_view profile) {
  return resolve(key, profile).has_value();
}

std::int64_t fact_int(std::string_view key, std::string_view profile) {
  const auto words = fact_words(key, profile);
  if (words.size() != 1) throw std::logic_error(cat({"grid_facts.json: ", key, " is a list"}));
  return to_int(key, words[0]);
}

double fact_number(std::string_view key, std::string_view profile) {
  const auto words = fact_words(key, profile);
  double v = 0;
  const auto [end, ec] =
      words.size() == 1 ? std::from_chars(words[0].data(), words[0].data() + words[0].size(), v)
                        : std::from_chars_result{nullptr, std::errc::invalid_argument};
  if (ec != std::errc() || end != words[0].data() + words[0].size()) {
    throw std::logic_error(cat({"grid_facts.json: ", key, " is not a number"}));
  }
  return v;
}

bool selects(std::string_view selector, const ModelInfo& m) {
  if (selector == "all") return true;
  if (selector.starts_with("concurrency:")) {
    return to_string(m.concurrency_rule) == selector.substr(selector.find(':') + 1);
  }
  if (selector.starts_with("family:")) {
    return to_string(m.family) == selector.substr(selector.find(':') + 1);
  }
  throw std::logic_error(cat({"grid_facts.json: no model selector '", selector,
                              "'; allowed: all, concurrency:<rule>, family:<family>"}));
}

std::vector<std::int64_t> worker_counts(const std::vector<std::string_view>& words, int cpus,
                                        std::int64_t tasks) {
  std::vector<std::int64_t> out;
  const auto add = [&out](std::int64_t w) {
    if (std::find(out.begin(), out.end(), w) == out.end()) out.push_back(w);
  };
  for (std::string_view w : words) {
    if (w == "ladder") {
      for (std::int64_t v : worker_ladder(cpus, {})) add(v);
    } else if (w == "cpus") {
      add(cpus);
    } else if (w == "tasks") {
      add(tasks);
    } else if (w.ends_with("*cpus")) {
      add(to_int("workers", w.substr(0, w.size() - 5)) * cpus);
    } else {
      add(to_int("workers", w));
    }
  }
  return out;
}

std::vector<GridRow> grid_rows(std::string_view workload, int cpus) {
  std::vector<GridRow> rows;
  const std::int64_t count = fact_int(cat({workload, ".rows.#"}));
  for (std::int64_t r = 0; r < count; ++r) {
    const std::string row = cat({workload, ".rows.", std::to_string(r)});
    const std::string selector(fact_words(cat({row, ".models"})).at(0));
    GridRow out{[selector](const ModelInfo& m) { return selects(selector, m); }, {}};
    const PerProfile none(std::vector<std::int64_t>{}, {}, {});
    const PerProfile tasks =
        row_values(axis_key(row, workload, "tasks"), axis(AxisId::kTasks), cpus, none);
    for (const Axis& a : axes()) {
      const std::string key = axis_key(row, workload, a.name);
      if (!has_fact(key, "quick")) continue;
      out.values.emplace_back(a.id,
                              a.id == AxisId::kTasks ? tasks : row_values(key, a, cpus, tasks));
    }
    const std::string least = cat({workload, ".min_tasks_per_worker"});
    if (has_fact(least)) {
      auto& t = out.values.front().second;  // tasks: the first axis
      for (const auto& [id, v] : out.values) {
        if (id == AxisId::kWorkers) give_each_worker(t, v, fact_int(least));
      }
    }
    rows.push_back(std::move(out));
  }
  return rows;
}

std::int64_t default_rounds(std::int64_t bytes) {
  const std::int64_t count = fact_int("cpu_hash.rounds.#");
  for (std::int64_t i = 0; i < count; ++i) {
    const std::string at = cat({"cpu_hash.rounds.", std::to_string(i)});
    if (fact_int(cat({at, ".bytes"})) == bytes) return fact_int(cat({at, ".rounds"}));
  }
  return 1;
}

std::vector<std::int64_t> hash_sizes() {
  std::vector<std::int64_t> out;
  const std::int64_t count = fact_int("cpu_hash.rounds.#");
  for (std::int64_t i = 0; i < count; ++i) {
    out.push_back(fact_int(cat({"cpu_hash.rounds.", std::to_string(i), ".bytes"})));
  }
  return out;
}

}  // namespace cvp::bench
