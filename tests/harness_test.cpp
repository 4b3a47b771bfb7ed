// Tests for bench/harness.cpp: benchmark names follow the grammar; grids and profiles are checked.
#include "harness.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cvp::bench {
namespace {

TEST(BenchmarkName, FollowsTheGrammarPerWorkload) {
  Point io{"event_loop", 1000, 1, 10'000, 0, 0};
  EXPECT_EQ(benchmark_name("io_sleep", io),
            "io_sleep/event_loop/tasks:1000/workers:1/sleep_us:10000");
  Point cpu{"fork", 256, 2, 0, 65536, 1};
  EXPECT_EQ(benchmark_name("cpu_hash", cpu), "cpu_hash/fork/tasks:256/workers:2/bytes:65536");
}

TEST(Cross, ForcesOneWorkerOnSingleWorkerModelsAndDropsDuplicates) {
  const auto points = cross({"serial", "tbb"}, {10}, {1, 2, 4}, [](Point& p) { p.sleep_us = 5; });
  ASSERT_EQ(points.size(), 4u);  // serial once, tbb three times
  EXPECT_EQ(points[0].model, "serial");
  EXPECT_EQ(points[0].workers, 1);
  EXPECT_EQ(points[3].workers, 4);
  for (const Point& p : points) EXPECT_EQ(p.sleep_us, 5);
}

TEST(Cross, RejectsUnknownModelsAndBadCounts) {
  EXPECT_THROW(cross({"threads"}, {10}, {1}, [](Point&) {}), std::invalid_argument);
  EXPECT_THROW(cross({"tbb"}, {0}, {1}, [](Point&) {}), std::invalid_argument);
  EXPECT_THROW(cross({"tbb"}, {10}, {999}, [](Point&) {}), std::invalid_argument);
}

TEST(Profile, KnowsQuickDefaultAndFull) {
  EXPECT_EQ(profile_named("quick").repetitions, 1);
  EXPECT_GE(profile_named("full").repetitions, 9);  // the significance test needs 9
  try {
    profile_named("fast");
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "profile is 'fast'; allowed: quick, default, full");
  }
}

}  // namespace
}  // namespace cvp::bench
