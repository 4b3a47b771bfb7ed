// Tests for bench/harnesses.cpp: every workload's harness found by its name, the same definition
// each time, and a one-line refusal naming the allowed ones.
#include "harnesses.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <string>

namespace cvp::bench {
namespace {

TEST(Harnesses, EachIsFoundByItsWorkloadName) {
  const std::vector<std::string_view> names = harness_names();
  EXPECT_EQ(names,
            (std::vector<std::string_view>{"io_sleep", "cpu_hash", "mixed", "shared_counter",
                                             "net_rpc", "file_read"}));
  for (std::string_view name : names) {
    const Harness& h = harness_named(name);
    EXPECT_EQ(h.workload, name);
    EXPECT_EQ(&h, &harness_named(name));  // one definition, not a copy per call
    EXPECT_FALSE(expand(h.grid, profile_named("quick"), h.rules).empty()) << name;
  }
}

TEST(Harnesses, EachMakesItsOwnWorkload) {
  for (std::string_view name : harness_names()) {
    const Harness& h = harness_named(name);
    const std::vector<Point> points = expand(h.grid, profile_named("quick"), h.rules);
    ASSERT_FALSE(points.empty()) << name;
    const auto w = h.make_workload(points.front());
    ASSERT_NE(w, nullptr) << name;
    EXPECT_EQ(w->tasks(), points.front().tasks) << name;
  }
}

TEST(Harnesses, AnUnknownNameIsRefusedWithTheAllowedOnes) {
  try {
    harness_named("io_slep");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(),
                 "'io_slep' is not a workload; allowed: io_sleep, cpu_hash, mixed, shared_counter, "
                 "net_rpc, file_read");
  }
}

}  // namespace
}  // namespace cvp::bench
