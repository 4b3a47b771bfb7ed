// Tests for bench/measure.cpp: one prepared workload per distinct configuration of the grid.
#include "measure.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "harnesses.hpp"
#include "workloads/file_read.hpp"
#include "workloads/net_rpc.hpp"

namespace cvp::bench {
namespace {

Point point(std::string model, std::int64_t tasks, std::int64_t bytes) {
  Point p;
  p.model = std::move(model);
  p.tasks = tasks;
  p.bytes = bytes;
  return p;
}

// Two points that differ only in a workload axis (cold, conn_per_task) must
// not share a workload: the second would run the first's.
TEST(PrepareWorkloads, PointsThatDifferInAWorkloadAxisGetWorkloadsOfTheirOwn) {
  Point warm = point("serial", 4, 4096), cold = warm;
  cold.cold = 1;
  const auto files = prepare_workloads({warm, cold}, harness_named("file_read"));
  ASSERT_EQ(files.size(), 2u);
  int colds = 0;
  for (const auto& [key, prep] : files)
    colds += dynamic_cast<const FileRead&>(*prep.workload).cold();
  EXPECT_EQ(colds, 1);

  Point kept = point("serial", 4, 64), own = kept;
  kept.sleep_us = own.sleep_us = 100;
  own.conn_per_task = 1;
  const auto rpcs = prepare_workloads({kept, own}, harness_named("net_rpc"));
  ASSERT_EQ(rpcs.size(), 2u);
  int per_task = 0;
  for (const auto& [key, prep] : rpcs) {
    per_task += dynamic_cast<const NetRpc&>(*prep.workload).conn_per_task();
  }
  EXPECT_EQ(per_task, 1);
}

TEST(PrepareWorkloads, PointsThatDifferOnlyInTheirModelShareOne) {
  const auto prepared = prepare_workloads({point("serial", 4, 4096), point("event_loop", 4, 4096)},
                                          harness_named("file_read"));
  EXPECT_EQ(prepared.size(), 1u);
}

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
