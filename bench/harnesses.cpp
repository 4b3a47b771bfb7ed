// The workload harnesses, by name.
#include "harnesses.hpp"

#include <stdexcept>
#include <string>

namespace cvp::bench {
namespace {

const std::vector<Harness>& all() {
  static const std::vector<Harness> harnesses{io_sleep_harness(), cpu_hash_harness(),
                                              mixed_harness(), shared_counter_harness(),
                                              net_rpc_harness(), file_read_harness()};
  return harnesses;
}

}  // namespace

const Harness& harness_named(std::string_view workload) {
  for (const Harness& h : all()) {
    if (h.workload == workload) return h;
  }
  std::string allowed;
  for (std::string_view name : harness_names()) {
    if (!allowed.empty()) allowed += ", ";
    allowed += name;
  }
  throw std::invalid_argument("'" + std::string(workload) +
                              "' is not a workload; allowed: " + allowed);
}

std::vector<std::string_view> harness_names() {
  std::vector<std::string_view> names;
  for (const Harness& h : all()) names.push_back(h.workload);
  return names;
}

}  // namespace cvp::bench
