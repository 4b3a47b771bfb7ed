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
using testing::HookedWorkload;
using testing::no_children_left;
using testing::open_fd_count;
using testing::seconds_since;

// Runs `w` on `m`, expects a std::runtime_error, and returns its message.
std::string failure_of(ForkModel& m, const Workload& w) {
  std::vector<Digest> out(static_cast<std::size_t>(w.tasks()));
  try {
    m.run(w, out);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no exception)";
}

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
  EXPECT_NE(msg.find("worker 1 of 2"), std::string::npos) << msg;
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
  EXPECT_NE(msg.find("worker 0 of 3"), std::string::npos) << msg;
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
  EXPECT_NE(msg.find("exited with status 70"), std::string::npos) << msg;
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
  EXPECT_NE(msg.find("worker 1 of 2"), std::string::npos) << msg;
  EXPECT_NE(msg.find("did not finish within 0.3 s"), std::string::npos) << msg;
  EXPECT_TRUE(no_children_left());
  EXPECT_EQ(open_fd_count(), fds);
}

TEST(ForkModel, DefaultTimeoutScalesWithTheWaits) {
  EXPECT_EQ(ForkModel::default_timeout(IoSleep(10, 0), 2), std::chrono::seconds(60));
  EXPECT_EQ(ForkModel::default_timeout(IoSleep(10, 1'000'000), 2),
            std::chrono::seconds(60 + 4 * 5));
}

}  // namespace
}  // namespace cvp
