// Tests for bench/grid.cpp: profiles, worker ladders that fit the machine, grids expanded from the
// registry.
#include "grid.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace cvp::bench {
namespace {

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

TEST(WorkerLadder, DoublesUpToTheCpusThenOversubscribes) {
  EXPECT_EQ(worker_ladder(1, {2}), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(worker_ladder(2, {2}), (std::vector<std::int64_t>{1, 2, 4}));
  EXPECT_EQ(worker_ladder(6, {2, 4}), (std::vector<std::int64_t>{1, 2, 4, 6, 12, 24}));
  EXPECT_EQ(worker_ladder(32, {2}), (std::vector<std::int64_t>{1, 2, 4, 8, 16, 32, 64}));
}

TEST(Expand, SelectsModelsByTheirFactsAndForcesFixedWorkers) {
  const GridRow row{[](const ModelInfo& m) { return m.baseline || !m.fixed_workers(); },
                    {{AxisId::kTasks, {10}}, {AxisId::kWorkers, {1, 2, 4}}}};
  const auto points = expand({row}, profile_named("default"), {});
  std::size_t takes_w = 0;
  for (const ModelInfo& m : registry()) {
    takes_w += m.fixed_workers() || m.launch != Launch::kInProcess ? 0 : 1;
  }
  ASSERT_EQ(points.size(), 1 + 3 * takes_w);  // the baseline once, the others three times
  EXPECT_EQ(points[0].model, baseline_model().name);
  EXPECT_EQ(points[0].workers, 1);
  for (const Point& p : points) EXPECT_EQ(p.tasks, 10);
}

TEST(Expand, SelectsOnlyTheModelsStartedTheWayItIsAsked) {
  const GridRow row{[](const ModelInfo&) { return true; }, {{AxisId::kTasks, {10}}}};
  for (const Launch launch : {Launch::kInProcess, Launch::kMpiexec}) {
    std::size_t started_so = 0;
    for (const ModelInfo& m : registry()) started_so += m.launch == launch ? 1 : 0;
    GridRules every;
    every.keep = [](const Point&) { return true; };
    const auto points = expand({row}, profile_named("quick"), every, launch);
    EXPECT_EQ(points.size(), started_so);
    for (const Point& p : points) EXPECT_EQ(model_info(p.model).launch, launch) << p.model;
  }
  const auto names = all_models();
  EXPECT_TRUE(std::none_of(names.begin(), names.end(), [](const std::string& n) {
    return model_info(n).launch != Launch::kInProcess;
  }));
}

TEST(Expand, AppliesCompleteAndKeep) {
  const GridRow row{[](const ModelInfo& m) { return m.baseline; }, {{AxisId::kTasks, {1, 2, 3}}}};
  GridRules rules;
  rules.complete = [](Point& p) { p.sleep_us = p.tasks * 10; };
  rules.keep = [](const Point& p) { return p.tasks != 2; };
  const auto points = expand({row}, profile_named("quick"), rules);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[1].sleep_us, 30);
}

TEST(Expand, ChecksEveryValueAgainstItsAxis) {
  const GridRow row{[](const ModelInfo&) { return true; }, {{AxisId::kTasks, {0}}}};
  EXPECT_THROW(expand({row}, profile_named("default"), {}), std::invalid_argument);
}

}  // namespace
}  // namespace cvp::bench
