// Tests for src/models/fork.cpp: digests come back; crashed, failed and hung children are errors.
#include "models/fork.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

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

TEST(ForkModel, ReturnsTheSerialDigestsForCpuHash) {
  for (int workers : {1, 2, 4}) {
    ForkModel m(workers);
    expect_serial_digests(m, CpuHash(1, 64, 2));
    expect_serial_digests(m, CpuHash(3, 64, 2));     // fewer tasks than workers
    expect_serial_digests(m, CpuHash(10, 4096, 2));  // not divisible by 4
    expect_serial_digests(m, CpuHash(1000, 64, 1));  // several pipe batches per child
  }
  EXPECT_TRUE(no_children_left());
}

TEST(ForkModel, RunsOneSleepPerChildAtOnce) {
  ForkModel m(4);
  const RunReport r = expect_serial_digests(m, IoSleep(4, 100'000));
  EXPECT_EQ(r.peak_inflight, 4);
}

TEST(ForkModel, ReportsChildKilledBySignal) {
  const int fds = open_fd_count();
  ForkModel m(2);
  const HookedWorkload w(6, 0, [](int i) {
    if (i == 4) raise(SIGKILL);
  });
  const std::string msg = failure_of(m, w);
  EXPECT_NE(msg.find("fork: worker "), std::string::npos) << msg;  // either child may take the task
  EXPECT_NE(msg.find("killed by signal 9"), std::string::npos) << msg;
  EXPECT_TRUE(no_children_left());
  EXPECT_EQ(open_fd_count(), fds);
}

TEST(ForkModel, ReportsChildExitingNonZero) {
  const int fds = open_fd_count();
  ForkModel m(3);
  const HookedWorkload w(9, 0, [](int i) {
    if (i == 0) _exit(3);
  });
  const std::string msg = failure_of(m, w);
  EXPECT_NE(msg.find(" of 3 (pid "), std::string::npos) << msg;  // whichever child took task 0
  EXPECT_NE(msg.find("exited with status 3"), std::string::npos) << msg;
  EXPECT_TRUE(no_children_left());
  EXPECT_EQ(open_fd_count(), fds);
}

TEST(ForkModel, ReportsTaskThrowingInChild) {
  ForkModel m(2);
  const HookedWorkload w(4, 0, [](int i) {
    if (i == 3) throw std::runtime_error("boom");
  });
  const std::string msg = failure_of(m, w);
  // The task's own error comes back with the status: the parent cannot tell
  // a stopped server from a bug by the status alone.
  EXPECT_NE(msg.find("exited with status 70: task 3: boom"), std::string::npos) << msg;
  EXPECT_TRUE(no_children_left());
}

TEST(ForkModel, KillsAHungChildWithinTheTimeout) {
  const int fds = open_fd_count();
  ForkModel m(2, std::chrono::milliseconds(300));
  const HookedWorkload w(4, 0, [](int i) {
    if (i == 2) pause();  // never returns: no signal will come
  });
  const auto t0 = Clock::now();
  const std::string msg = failure_of(m, w);
  EXPECT_LT(seconds_since(t0), 10.0);
  EXPECT_NE(msg.find("fork: worker "), std::string::npos) << msg;  // either child may take the task
  EXPECT_NE(msg.find("made no progress within 0.3 s"), std::string::npos) << msg;
  EXPECT_TRUE(no_children_left());
  EXPECT_EQ(open_fd_count(), fds);
}

TEST(ForkModel, AKilledChildFailsTheRunBeforeItsSiblingsFinish) {
  ForkModel m(2);
  // Task 0 kills its own process at once; the other child has 63 tasks of
  // 50 ms left (over 3 s): the failure must not wait for them.
  const HookedWorkload w(64, 50'000, [](int i) {
    if (i == 0) raise(SIGKILL);
  });
  const auto t0 = Clock::now();
  const std::string msg = failure_of(m, w);
  EXPECT_LT(seconds_since(t0), 1.5) << msg;
  EXPECT_NE(msg.find("killed by signal 9"), std::string::npos) << msg;
  EXPECT_TRUE(no_children_left());
}

TEST(ForkModel, AStoppedChildIsKilledByTheProgressDeadline) {
  ForkModel m(2, std::chrono::milliseconds(400));
  const HookedWorkload w(8, 1'000, [](int i) {
    if (i == 0) raise(SIGSTOP);
  });
  const auto t0 = Clock::now();
  const std::string msg = failure_of(m, w);
  EXPECT_LT(seconds_since(t0), 5.0) << msg;
  EXPECT_NE(msg.find("made no progress"), std::string::npos) << msg;
  EXPECT_TRUE(no_children_left());
}

TEST(ForkModel, ChildrenTakeChunksOnDemand) {
  // One child is slow on its first task only; with chunks taken on demand
  // the other child takes most of the rest.
  ForkModel m(2);
  m.set_tracing(true);
  const HookedWorkload w(32, 1'000, [](int i) {
    if (i == 0) sleep_blocking(std::chrono::milliseconds(100));
  });
  const RunReport r = expect_serial_digests(m, w);
  int by_first = 0;
  for (const TaskSpan& s : r.spans) by_first += s.pid == r.spans[0].pid ? 1 : 0;
  EXPECT_LT(by_first, 16) << "the slow child ran half the tasks: the split is static";
}

}  // namespace
}  // namespace cvp
