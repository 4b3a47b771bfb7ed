// Tests for src/models/thread_per_task.cpp: a thread per task, every task in flight at once, and
// a thread the machine cannot make as an error with its errno.
#include "models/thread_per_task.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>

#include "models/registry.hpp"
#include "nobody_child.hpp"
#include "test_support.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;
using testing::failure_of;
using testing::HookedWorkload;
using testing::seconds_since;

TEST(ThreadPerTaskModel, ReturnsTheSerialDigestsForCpuHash) {
  ThreadPerTaskModel m;
  expect_serial_digests(m, CpuHash(1, 64, 2));
  expect_serial_digests(m, CpuHash(10, 4096, 2));
  expect_serial_digests(m, CpuHash(257, 64, 1));
}

TEST(ThreadPerTaskModel, HoldsEveryTaskInFlightAtOnce) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer runs a thread of its own and starts threads many times slower";
#endif
  ThreadPerTaskModel m;
  // 1 s waits: a busy machine can take tens of ms to start or wake 200
  // threads, and under AddressSanitizer 200 starts took over 200 ms (161
  // in flight at the peak with 200 ms waits).
  const IoSleep w(200, 1'000'000);
  const auto t0 = Clock::now();
  const RunReport r = expect_serial_digests(m, w);
  const double wall = seconds_since(t0);
  EXPECT_EQ(r.peak_inflight, 200);
  // Ideal: one wait of 1 s plus 200 creations. Serial: 200 s. A twentieth
  // of serial is a wide margin.
  EXPECT_LT(wall, 200 * 1.0 / 20);
}

TEST(ThreadPerTaskModel, LimitsAreNAndNOnTheCpus) {
  const Limits l = limits_of(model_info("thread_per_task"), 100, 1, 2);
  EXPECT_EQ(l.concurrency, 100);
  EXPECT_EQ(l.parallelism, 2);
  EXPECT_EQ(limits_of(model_info("thread_per_task"), 1, 1, 2).parallelism, 1);
}

TEST(ThreadPerTaskModel, AThrowingTaskFailsTheRunAfterEveryThreadIsJoined) {
  ThreadPerTaskModel m;
  const HookedWorkload bad(16, 1'000, [](int i) {
    if (i == 9) throw std::runtime_error("task 9 failed");
  });
  EXPECT_EQ(failure_of(m, bad), "task 9 failed");
  expect_serial_digests(m, IoSleep(16, 1'000));  // the model runs again
}

TEST(ThreadPerTaskModel, AThreadThatCannotBeMadeIsAnErrorWithItsErrno) {
  // RLIMIT_NPROC binds only a user other than root: a child becomes nobody.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  // 1: this process itself, no thread more.
  const std::string said = testing::said_by_nobody_child(1, [] {
    ThreadPerTaskModel m;
    return failure_of(m, IoSleep(8, 1'000));
  });
  EXPECT_EQ(said,
            std::string("thread_per_task: cannot create thread 1 of 8: ") + std::strerror(EAGAIN));
}

}  // namespace
}  // namespace cvp
