// Interleaved repetitions: the benchmarks that answer one question run together, their
// repetitions shuffled, so that a slow stretch of the machine lands on every model alike.
#include "interleave.hpp"

#include <map>
#include <regex>
#include <stdexcept>

namespace cvp::bench {
namespace {

// Every name Google Benchmark sees ends so: the suite's benchmarks all use manual time.
constexpr std::string_view kTimeSuffix = "/manual_time";

std::string escaped(const std::string& name) {
  static const std::string special = R"(\^$.|?*+()[]{})";
  std::string out;
  for (const char c : name) {
    if (special.find(c) != std::string::npos) out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

std::string question_of(const std::string& name) {
  std::string out;
  std::size_t at = 0;
  for (int segment = 0; at <= name.size(); ++segment) {
    const std::size_t end = std::min(name.find('/', at), name.size());
    const std::string part = name.substr(at, end - at);
    if (segment != 1 && !part.starts_with("workers:")) {
      if (!out.empty()) out += '/';
      out += part;
    }
    at = end + 1;
  }
  return out;
}

std::vector<std::string> question_filters(const std::vector<std::string>& names,
                                          const std::string& filter) {
  const bool negative = filter.starts_with('-');
  const std::string pattern =
      filter.empty() || filter == "all" ? "." : (negative ? filter.substr(1) : filter);
  std::regex re;
  try {
    re = std::regex(pattern, std::regex::extended);
  } catch (const std::regex_error& e) {
    throw std::invalid_argument("--benchmark_filter is '" + filter +
                                "', which is not a regular expression (" + e.what() + ")");
  }
  std::vector<std::string> order;
  std::map<std::string, std::string> alternatives;  // question -> "a|b|c"
  for (const std::string& name : names) {
    if (std::regex_search(name + std::string(kTimeSuffix), re) == negative) continue;
    const std::string q = question_of(name);
    if (!alternatives.contains(q)) order.push_back(q);
    std::string& alt = alternatives[q];
    if (!alt.empty()) alt += '|';
    alt += escaped(name);
  }
  std::vector<std::string> filters;
  for (const std::string& q : order) {
    filters.push_back("^(" + alternatives[q] + ")(" + escaped(std::string(kTimeSuffix)) + ")?$");
  }
  return filters;
}

bool SessionReporter::ReportContext(const Context& context) {
  if (!context_reported_) {
    context_reported_ = true;
    context_ok_ = inner_.ReportContext(context);
  }
  return context_ok_;
}

}  // namespace cvp::bench
