// Tests for src/models/process_pool.cpp: workers kept across runs; a dead worker fails one run, not
// the next.
#include "models/process_pool.hpp"

#include <gtest/gtest.h>
#include <signal.h>

#include "test_support.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;
using testing::failure_of;
using testing::HookedWorkload;
using testing::no_children_left;
using testing::open_fd_count;
using testing::seconds_since;

TEST(ProcessPoolModel, ReturnsTheSerialDigestsRunAfterRun) {
  ProcessPoolModel m(3);
  const CpuHash w(100, 4096, 2);
  m.prepare(w);
  const auto pids = m.worker_pids();
  ASSERT_EQ(pids.size(), 3u);
  for (int run = 0; run < 3; ++run) expect_serial_digests(m, w);
  EXPECT_EQ(m.worker_pids(), pids) << "the workers were forked again";
}

TEST(ProcessPoolModel, ReportsTheWorkersCpuTime) {
  ProcessPoolModel m(2);
  const CpuHash w(256, 4096, 16);
  std::vector<Digest> out(256);
  m.prepare(w);
  const RunReport r = m.run(w, out);
  EXPECT_GT(r.worker_cpu_s, 0.0);
}

TEST(ProcessPoolModel, KeepsWSleepsInFlight) {
  ProcessPoolModel m(4);
  const IoSleep w(8, 20'000);
  m.prepare(w);
  const auto t0 = Clock::now();
  const RunReport r = expect_serial_digests(m, w);
  EXPECT_EQ(r.peak_inflight, 4);
  EXPECT_LT(seconds_since(t0), 8 * 0.020 / 2);  // serial would take 160 ms
}

TEST(ProcessPoolModel, AWorkerKilledMidRunFailsThatRunAtOnceAndIsReplaced) {
  const int fds = open_fd_count();
  {
    ProcessPoolModel m(2);
    const HookedWorkload bad(64, 50'000, [](int i) {
      if (i == 3) raise(SIGKILL);
    });
    m.prepare(bad);
    const auto t0 = Clock::now();
    const std::string msg = failure_of(m, bad);
    EXPECT_LT(seconds_since(t0), 2.0) << msg;
    EXPECT_NE(msg.find("killed by signal 9"), std::string::npos) << msg;
    EXPECT_TRUE(m.worker_pids().empty()) << "the broken pool was kept";
    const IoSleep good(4, 1'000);
    expect_serial_digests(m, good);
    EXPECT_EQ(m.worker_pids().size(), 2u);
  }
  EXPECT_TRUE(no_children_left());
  EXPECT_EQ(open_fd_count(), fds);
}

TEST(ProcessPoolModel, ATaskThatThrowsFailsTheRunWithItsOwnError) {
  ProcessPoolModel m(2);
  const HookedWorkload bad(8, 1'000, [](int i) {
    if (i == 5) throw std::runtime_error("recv: no byte moved");
  });
  m.prepare(bad);
  const std::string msg = failure_of(m, bad);
  EXPECT_NE(msg.find("exited with status 70: task 5: recv: no byte moved"), std::string::npos)
      << msg;
  const IoSleep good(4, 1'000);
  expect_serial_digests(m, good);  // the pool forked anew
}

TEST(ProcessPoolModel, AWorkerThatDiedBetweenRunsFailsTheNextRun) {
  ProcessPoolModel m(2);
  const IoSleep w(4, 1'000);
  m.prepare(w);
  ASSERT_EQ(::kill(m.worker_pids()[1], SIGKILL), 0);
  const std::string msg = failure_of(m, w);
  EXPECT_NE(msg.find("worker 1 of 2"), std::string::npos) << msg;
  expect_serial_digests(m, w);  // forked anew
}

TEST(ProcessPoolModel, AStoppedWorkerIsKilledByTheProgressDeadline) {
  ProcessPoolModel m(2, std::chrono::milliseconds(400));
  const HookedWorkload w(8, 1'000, [](int i) {
    if (i == 5) raise(SIGSTOP);
  });
  const auto t0 = Clock::now();
  const std::string msg = failure_of(m, w);
  EXPECT_LT(seconds_since(t0), 5.0) << msg;
  EXPECT_NE(msg.find("made no progress"), std::string::npos) << msg;
}

TEST(ProcessPoolModel, LeavesNoChildAfterDestruction) {
  {
    ProcessPoolModel m(4);
    expect_serial_digests(m, IoSleep(8, 1'000));
  }
  EXPECT_TRUE(no_children_left());
}

}  // namespace
}  // namespace cvp
