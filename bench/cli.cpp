// The harnesses' command line: strict flags, one-line errors, and the help text.
#include "cli.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdio>
#include <regex>
#include <set>
#include <stdexcept>

#include "models/registry.hpp"

namespace cvp::bench {
namespace {

std::string allowed_models() {
  std::string names;
  for (const std::string& m : all_models()) names += (names.empty() ? "" : ", ") + m;
  return names;
}

std::vector<std::string> split_names(std::string_view flag, std::string_view value) {
  std::vector<std::string> out;
  std::size_t at = 0;
  for (;;) {
    const std::size_t comma = value.find(',', at);
    const std::string item(
        value.substr(at, comma == std::string_view::npos ? std::string_view::npos : comma - at));
    if (item.empty()) throw std::invalid_argument(std::string(flag) + ": empty item in the list");
    const std::vector<std::string> allowed = all_models();
    if (std::find(allowed.begin(), allowed.end(), item) == allowed.end()) {
      const bool known = std::any_of(registry().begin(), registry().end(),
                                     [&item](const ModelInfo& m) { return m.name == item; });
      throw std::invalid_argument(
          known ? std::string(flag) + ": model '" + item +
                      "' runs only under mpiexec, in its own harness; allowed here: " +
                      allowed_models()
                : "unknown model '" + item + "'; allowed: " + allowed_models());
    }
    out.push_back(item);
    if (comma == std::string_view::npos) return out;
    at = comma + 1;
  }
}

bool takes_flag(const Harness& h, AxisId id) {
  return id == AxisId::kTasks || id == AxisId::kWorkers ||
         std::find(h.flags.begin(), h.flags.end(), id) != h.flags.end();
}

// Compiled as Google Benchmark 1.7.1 compiles it (std::regex, POSIX
// extended, a leading '-' negates), so that a bad pattern is bad input
// (exit 2) instead of a run that matched nothing.
void check_filter(std::string_view value) {
  // Google Benchmark reads an empty pattern as "run everything": a typo
  // away from a full run.
  if (value.empty()) {
    throw std::invalid_argument(
        "--benchmark_filter is empty; allowed: a regular expression (POSIX extended) naming "
        "benchmarks; see --benchmark_list_tests");
  }
  std::string spec(value);
  if (spec.starts_with("-")) spec.erase(0, 1);
  try {
    const std::regex re(spec, std::regex::extended);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument(
        "--benchmark_filter is '" + std::string(value) +
        "', which is not a valid regular expression (POSIX extended): " + e.what());
  }
}

}  // namespace

void check_benchmark_flag(std::string_view flag, std::string_view value) {
  if (flag == "--benchmark_out" || flag == "--benchmark_out_format") {
    throw std::invalid_argument(std::string(flag) + " is set by the harness; use --out=FILE.json");
  }
  if (flag == "--benchmark_filter") check_filter(value);
  if (flag == "--benchmark_repetitions") {
    int v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || v < 1 ||
        v > 1000) {
      throw std::invalid_argument(std::string(flag) + " is '" + std::string(value) +
                                  "'; allowed: a whole number from 1 to 1000");
    }
  }
  if (flag == "--benchmark_min_time") {
    double v = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), v);
    if (value.empty() || ec != std::errc() || end != value.data() + value.size() || !(v > 0) ||
        v > 1e6) {
      throw std::invalid_argument(std::string(flag) + " is '" + std::string(value) +
                                  "'; allowed: a number above 0");
    }
  }
}

std::optional<std::string> benchmark_flag_value(const std::vector<std::string>& flags,
                                                std::string_view name) {
  std::optional<std::string> value;
  for (std::string_view f : flags) {
    if (!f.starts_with(name)) continue;
    if (f.size() == name.size()) {
      value = "";
    } else if (f[name.size()] == '=') {
      value = std::string(f.substr(name.size() + 1));
    }
  }
  return value;
}

bool benchmark_flag_on(const std::vector<std::string>& flags, std::string_view name) {
  const std::optional<std::string> value = benchmark_flag_value(flags, name);
  if (!value) return false;
  if (value->size() == 1) {
    const char c = (*value)[0];
    return std::isalnum(static_cast<unsigned char>(c)) != 0 &&
           !(c == '0' || c == 'f' || c == 'F' || c == 'n' || c == 'N');
  }
  std::string lower = *value;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return !(lower == "false" || lower == "no" || lower == "off");
}

int repetitions(const std::vector<std::string>& flags, const Profile& profile) {
  const std::optional<std::string> value = benchmark_flag_value(flags, "--benchmark_repetitions");
  return value ? std::stoi(*value) : profile.repetitions;
}

namespace {

const FlagSpec::Own* own_flag(const FlagSpec& spec, std::string_view flag) {
  for (const FlagSpec::Own& f : spec.own) {
    if (flag.starts_with("--") && flag.substr(2) == f.name) return &f;
  }
  return nullptr;
}

// One flag with a value: the profile, the output, the models, an axis or
// one of the spec's own. Throws for any other.
void take_valued_flag(Options& o, const Harness& h, const FlagSpec& spec, const std::string& flag,
                      std::string_view arg, std::optional<std::string_view> value) {
  const Axis* a = flag.starts_with("--") ? find_axis(std::string_view(flag).substr(2)) : nullptr;
  if (a != nullptr && a->id == AxisId::kWorkers && !spec.no_workers.empty()) {
    throw std::invalid_argument(flag + " is not a flag of the " + std::string(h.workload) +
                                " harness; " + std::string(spec.no_workers));
  }
  const bool models = spec.models && flag == "--models";
  const bool known = flag == "--profile" || flag == "--out" || models || a != nullptr ||
                     own_flag(spec, flag) != nullptr;
  if (!known) {
    throw std::invalid_argument("unknown argument '" + std::string(arg) + "'; see " +
                                std::string(h.workload) + " --help");
  }
  if (a != nullptr && !takes_flag(h, a->id)) {
    throw std::invalid_argument(flag + " does not apply to " + std::string(h.workload));
  }
  if (!value || value->empty())
    throw std::invalid_argument(flag + " needs a value: " + flag + "=...");
  if (flag == "--profile") {
    profile_named(*value);  // throws for an unknown profile
    o.profile = *value;
  } else if (flag == "--out") {
    o.out = std::filesystem::path(*value);
  } else if (models) {
    o.models = split_names(flag, *value);
  } else if (a != nullptr) {
    auto values = parse_list(a->name, *value);
    for (std::int64_t v : values) check(*a, v);
    o.axes[a->id] = std::move(values);
  } else {
    o.own[flag.substr(2)] = std::string(*value);
  }
}

}  // namespace

Options parse_options(int argc, char** argv, const Harness& h, const FlagSpec& spec) {
  Options o;
  std::set<std::string> seen;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    const auto eq = arg.find('=');
    const std::string flag(arg.substr(0, eq));
    const auto value =
        eq == std::string_view::npos ? std::nullopt : std::optional(arg.substr(eq + 1));
    if (flag == "--help" || flag == "-h") {
      o.help = true;
      continue;
    }
    if (!seen.insert(flag).second) {
      throw std::invalid_argument(flag + " is given twice; give it once (lists take commas)");
    }
    if (arg == "--table") {
      o.table = true;
    } else if (flag.starts_with("--benchmark_")) {
      check_benchmark_flag(flag, value.value_or(""));
      o.passthrough.emplace_back(arg);
    } else {
      take_valued_flag(o, h, spec, flag, arg, value);
    }
  }
  return o;
}

std::vector<Point> grid_points(const Options& o, const Profile& profile, const Harness& h,
                               Launch launch) {
  if (!o.overrides_grid()) return expand(h.grid, profile, h.rules, launch);
  const std::vector<std::string> models = o.models.value_or(all_models());
  GridRow row{[models](const ModelInfo& m) {
                return std::find(models.begin(), models.end(), m.name) != models.end();
              },
              {}};
  for (const Axis& a : axes()) {
    std::vector<std::int64_t> values;
    if (const auto given = o.axes.find(a.id); given != o.axes.end()) {
      values = given->second;
    } else {
      for (const auto& [id, fallback] : h.defaults) {
        if (id == a.id) values = fallback;
      }
    }
    if (!values.empty()) row.values.emplace_back(a.id, PerProfile(values, values, values));
  }
  // Points asked for by name are kept, even those the profile would drop.
  GridRules rules = h.rules;
  rules.keep = [](const Point&) { return true; };
  return expand({row}, profile, rules, launch);
}

void print_help(const Harness& h, const char* argv0, const FlagSpec& spec) {
  const std::string launcher = spec.launcher.empty() ? "" : std::string(spec.launcher) + " ";
  std::printf(
      "%s — %.*s\n\n"
      "usage: %s%s [--profile=quick|default|full] [--out=FILE.json] [grid flags] "
      "[--benchmark_* flags]\n\n"
      "  --profile=NAME   the grid and repetitions to run (default: default)\n"
      "  --out=FILE       write Google Benchmark JSON to FILE, replacing it only when\n"
      "                   every benchmark succeeded; the replaced file moves to\n"
      "                   previous/ beside it; one run per FILE at a time\n"
      "  --table          print Google Benchmark's console table on stdout instead of\n"
      "                   one line per finished benchmark on stderr\n",
      std::string(h.workload).c_str(), static_cast<int>(h.summary.size()), h.summary.data(),
      launcher.c_str(), argv0);
  for (const FlagSpec::Own& f : spec.own) {
    const std::string flag = "--" + std::string(f.name) + "=" + std::string(f.value);
    std::printf("  %-16s %.*s\n", flag.c_str(), static_cast<int>(f.help.size()), f.help.data());
  }
  std::printf("grid flags (comma-separated lists; each replaces the profile's values):\n");
  if (spec.models)
    std::printf("  --models=LIST    models to run; allowed: %s\n", allowed_models().c_str());
  for (const Axis& a : axes()) {
    if (!takes_flag(h, a.id) || (a.id == AxisId::kWorkers && !spec.no_workers.empty())) continue;
    const std::string flag = "--" + std::string(a.name) + "=LIST";
    std::printf("  %-16s %.*s, %lld to %lld\n", flag.c_str(), static_cast<int>(a.help.size()),
                a.help.data(), static_cast<long long>(a.lo), static_cast<long long>(a.hi));
  }
  if (!spec.no_workers.empty()) {
    std::printf("W: %.*s\n", static_cast<int>(spec.no_workers.size()), spec.no_workers.data());
  }
  std::printf(
      "\nGoogle Benchmark's own flags pass through: --benchmark_filter=REGEX runs a subset,\n"
      "--benchmark_list_tests lists the grid, --benchmark_repetitions=N overrides the\n"
      "profile's repetitions. Exit status: 0 success, 1 a benchmark failed, 2 bad input.\n"
      "Example: %s%s --profile=quick --benchmark_list_tests\n",
      launcher.c_str(), argv0);
}

}  // namespace cvp::bench
