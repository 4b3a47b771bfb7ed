// Tests for src/models/event_loop_offload.cpp: uv_queue_work runs tasks on libuv's threadpool.
#include "models/event_loop_offload.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>

#include "models/registry.hpp"
#include "test_support.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;
using testing::HookedWorkload;

TEST(EventLoopOffloadModel, ReturnsTheSerialDigests) {
  EventLoopOffloadModel m;
  expect_serial_digests(m, CpuHash(1, 64, 2));
  expect_serial_digests(m, CpuHash(33, 4096, 2));
  expect_serial_digests(m, IoSleep(10, 1'000));
}

TEST(EventLoopOffloadModel, WorkersAreTheThreadpoolSize) {
  EventLoopOffloadModel m;
  EXPECT_EQ(m.workers(), uv_threadpool_size());
  EXPECT_EQ(fixed_workers("event_loop_offload"), uv_threadpool_size());
  EXPECT_THROW(make_model("event_loop_offload", uv_threadpool_size() + 1), std::invalid_argument);
}

TEST(EventLoopOffloadModel, RunsTasksOnPoolThreadsNotTheLoopThread) {
  EventLoopOffloadModel m;
  const IoSleep w(4 * m.workers(), 20'000);
  m.prepare(w);
  m.set_tracing(true);
  const RunReport r = expect_serial_digests(m, w);
  std::set<int> threads;
  for (const TaskSpan& s : r.spans) {
    EXPECT_NE(s.tid, static_cast<int>(gettid()));
    threads.insert(s.tid);
  }
  // Blocking waits of 20 ms keep every pool thread busy.
  EXPECT_EQ(r.peak_inflight, m.workers());
  EXPECT_EQ(static_cast<int>(threads.size()), m.workers());
}

TEST(EventLoopOffloadModel, AThrowingTaskFailsTheRunAndTheModelStaysUsable) {
  EventLoopOffloadModel m;
  const HookedWorkload bad(8, 0, [](int i) {
    if (i == 5) throw std::runtime_error("task 5 failed");
  });
  std::vector<Digest> out(8);
  EXPECT_THROW(m.run(bad, out), std::runtime_error);
  expect_serial_digests(m, IoSleep(8, 0));
}

}  // namespace
}  // namespace cvp
