// Tests for src/models/threads_n.cpp: N threads made before the run and kept, one task each per
// run, and the pool ended cleanly after a failure.
#include "models/threads_n.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>

#include "models/registry.hpp"
#include "nobody_child.hpp"
#include "proc_text.hpp"
#include "test_support.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;
using testing::failure_of;
using testing::HookedWorkload;
using testing::seconds_since;

std::int64_t own_threads() {
  return proc_field(read_text_file("/proc/self/status").value_or(""), "Threads:").value_or(0);
}

TEST(ThreadsNModel, ReturnsTheSerialDigestsForCpuHash) {
  ThreadsNModel m;
  for (const CpuHash& w : {CpuHash(1, 64, 2), CpuHash(10, 4096, 2), CpuHash(257, 64, 1)}) {
    m.prepare(w);
    expect_serial_digests(m, w);
  }
}

TEST(ThreadsNModel, MakesItsThreadsInPrepareAndKeepsThemAcrossRuns) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer runs a thread of its own and starts threads many times slower";
#endif
  const std::int64_t before = own_threads();
  {
    ThreadsNModel m;
    const IoSleep w(100, 1'000);
    m.prepare(w);
    EXPECT_EQ(own_threads(), before + 100);
    expect_serial_digests(m, w);
    expect_serial_digests(m, w);
    EXPECT_EQ(own_threads(), before + 100);
    const IoSleep smaller(10, 1'000);
    m.prepare(smaller);  // a pool of the new size replaces the old
    EXPECT_EQ(own_threads(), before + 10);
  }
  EXPECT_EQ(own_threads(), before);
}

TEST(ThreadsNModel, HoldsEveryTaskInFlightAtOnce) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer runs a thread of its own and starts threads many times slower";
#endif
  ThreadsNModel m;
  const IoSleep w(200, 1'000'000);  // 1 s: waking 200 threads can take long under a sanitizer
  m.prepare(w);
  const auto t0 = Clock::now();
  const RunReport r = expect_serial_digests(m, w);
  const double wall = seconds_since(t0);
  EXPECT_EQ(r.peak_inflight, 200);
  EXPECT_LT(wall, 200 * 1.0 / 20);  // serial: 200 s; a twentieth of it is a wide margin
}

TEST(ThreadsNModel, LimitsAreNAndNOnTheCpus) {
  const Limits l = limits_of(model_info("threads_n"), 100, 1, 2);
  EXPECT_EQ(l.concurrency, 100);
  EXPECT_EQ(l.parallelism, 2);
}

TEST(ThreadsNModel, AThrowingTaskFailsTheRunAndThePoolRunsAgain) {
  ThreadsNModel m;
  const HookedWorkload bad(16, 1'000, [](int i) {
    if (i == 9) throw std::runtime_error("task 9 failed");
  });
  m.prepare(bad);
  EXPECT_EQ(failure_of(m, bad), "task 9 failed");
  expect_serial_digests(m, IoSleep(16, 1'000));
}

TEST(ThreadsNModel, APoolThatCannotBeMadeIsAnErrorAndLeavesNoThread) {
#if defined(__SANITIZE_THREAD__)
  GTEST_SKIP() << "ThreadSanitizer runs a thread of its own and starts threads many times slower";
#endif
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  // nobody may hold 4 threads in all: this one and 3 of the pool's 8.
  const std::string said = testing::said_by_nobody_child(4, [] {
    std::string what = "no exception";
    try {
      ThreadsNModel m;
      m.prepare(IoSleep(8, 1'000));
    } catch (const std::system_error& e) {
      what = e.what();
    }
    return what + " / threads left: " + std::to_string(own_threads());
  });
  EXPECT_EQ(said, std::string("threads_n: cannot create thread 4 of 8: ") + std::strerror(EAGAIN) +
                      " / threads left: 1");
}

}  // namespace
}  // namespace cvp
