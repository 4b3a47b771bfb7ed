// Tests for bench/conclude.cpp: a run's result file published only when every benchmark
// succeeded and the run is not being stopped, else kept as failed.
#include "conclude.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "test_support.hpp"

namespace cvp::bench {
namespace {

using ConcludeRun = cvp::testing::ScratchDirTest;
using cvp::testing::read_file;

constexpr const char* kJson = "{\"context\": {\"k\": \"v\"}, \"benchmarks\": []}";

RunOutcome ran(int benchmarks) {
  RunOutcome o;
  o.ran = static_cast<std::size_t>(benchmarks);
  o.machine.json = "{}";
  return o;
}

TEST_F(ConcludeRun, PublishesAWholeSuccessfulRunWithTheMachinesLoad) {
  const auto out = dir_ / "r.json";
  EXPECT_EQ(conclude_run("t", out, kJson, ran(2)), 0);
  EXPECT_NE(read_file(out).find("\"cvp_load\": \"{}\""), std::string::npos);
  EXPECT_FALSE(std::filesystem::exists(dir_ / "r.json.failed"));
}

TEST_F(ConcludeRun, KeepsAFailedOrBrokenRunAsFailedAndLeavesTheResultAlone) {
  const auto out = dir_ / "r.json";
  RunOutcome failed = ran(2);
  failed.failed = 1;
  RunOutcome broken = ran(2);
  broken.broken = true;
  RunOutcome not_run = ran(2);
  not_run.not_run = 1;
  for (const RunOutcome& o : {failed, broken, not_run}) {
    cvp::testing::write_file(out, "previous\n");
    std::filesystem::remove(dir_ / "r.json.failed");
    EXPECT_EQ(conclude_run("t", out, kJson, o), 1);
    EXPECT_EQ(read_file(out), "previous\n");
    EXPECT_NE(read_file(dir_ / "r.json.failed").find("cvp_load"), std::string::npos);
  }
}

TEST_F(ConcludeRun, ARunBeingStoppedIsNeverPublished) {
  const auto out = dir_ / "r.json";
  cvp::testing::write_file(out, "previous\n");
  EXPECT_EQ(conclude_run("t", out, kJson, ran(2), [] { return true; }), 1);
  EXPECT_EQ(read_file(out), "previous\n");
  EXPECT_TRUE(std::filesystem::exists(dir_ / "r.json.failed"));
  for (const auto& e : std::filesystem::directory_iterator(dir_)) {
    EXPECT_EQ(e.path().string().find(".partial"), std::string::npos) << e.path();
  }
}

TEST_F(ConcludeRun, ARunThatRanNothingWritesNothing) {
  EXPECT_EQ(conclude_run("t", dir_ / "r.json", kJson, ran(0)), 1);
  EXPECT_TRUE(std::filesystem::is_empty(dir_));
}

}  // namespace
}  // namespace cvp::bench
