// Tests for bench/measure.cpp: one workload for each configuration of the grid's points.
#include "measure.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "harnesses.hpp"
#include "workloads/net_rpc.hpp"

namespace cvp::bench {
namespace {

TEST(PrepareWorkloads, PointsThatDifferOnlyInTheirConnectionsGetAWorkloadEach) {
  // A connection per task once ran on the kept connections of its twin: the
  // two shared one workload, so both columns measured kept connections.
  const Harness& h = harness_named("net_rpc");
  std::vector<Point> points;
  for (const std::int64_t per_task : {0, 1}) {
    points.push_back(
        {.model = "serial", .tasks = 2, .sleep_us = 0, .bytes = 64, .conn_per_task = per_task});
  }
  const auto prepared = prepare_workloads(points, h);
  ASSERT_EQ(prepared.size(), 2u);
  std::vector<bool> modes;
  for (const auto& [key, prep] : prepared) {
    modes.push_back(dynamic_cast<const NetRpc&>(*prep.workload).conn_per_task());
  }
  EXPECT_EQ(modes, (std::vector<bool>{false, true}));
}

}  // namespace
}  // namespace cvp::bench
