// Tests for src/models/inflight_gauge.cpp: the peak across threads and forked children, each
// task's latency, spans, reset.
#include "models/inflight_gauge.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "timing.hpp"

namespace cvp {
namespace {

using namespace std::chrono_literals;

TEST(InflightGauge, TracksThePeakNotTheCurrent) {
  InflightGauge g;
  g.enter(0);
  g.enter(1);
  g.leave(0);
  g.enter(2);
  g.leave(1);
  g.leave(2);
  EXPECT_EQ(g.peak(), 2);
  EXPECT_TRUE(g.report().spans.empty());  // not tracing
}

TEST(InflightGauge, MeasuresEachTasksTimeFromEnterToLeave) {
  InflightGauge g(3);  // untraced: latencies, no spans
  const std::int64_t t0 = monotonic_ns();
  g.enter(0);
  g.enter(2);
  std::this_thread::sleep_for(20ms);
  g.leave(2);
  std::this_thread::sleep_for(10ms);
  g.leave(0);
  const std::int64_t whole = monotonic_ns() - t0;
  const RunReport r = g.report();
  EXPECT_TRUE(r.spans.empty());
  ASSERT_EQ(r.task_ns.size(), 3u);
  // A sleep never ends early; neither latency can exceed the time around both.
  EXPECT_GE(r.task_ns[0], 30'000'000);
  EXPECT_GE(r.task_ns[2], 20'000'000);
  EXPECT_LE(r.task_ns[0], whole);
  EXPECT_LE(r.task_ns[2], r.task_ns[0]);  // it entered after task 0 and left before it
  EXPECT_EQ(r.task_ns[1], 0);             // never ran
  EXPECT_EQ(g.task_ns(0), r.task_ns[0]);
}

TEST(InflightGauge, ATaskStillInFlightHasNoLatency) {
  InflightGauge g(1);
  g.enter(0);
  EXPECT_EQ(g.task_ns(0), 0);
  EXPECT_LE(g.report().task_ns[0], 0);
  g.leave(0);
  EXPECT_GT(g.task_ns(0), 0);
}

TEST(InflightGauge, CountsAndTracesTasksInForkedChildren) {
  InflightGauge g(3, /*traced=*/true);
  g.enter(0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    g.enter(1);
    g.enter(2);
    g.leave(2);
    g.leave(1);
    _exit(0);
  }
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  g.leave(0);
  const RunReport r = g.report();
  EXPECT_EQ(r.peak_inflight, 3);
  ASSERT_EQ(r.spans.size(), 3u);
  EXPECT_EQ(r.spans[0].pid, getpid());
  EXPECT_EQ(r.spans[1].pid, pid);
  EXPECT_EQ(r.spans[2].pid, pid);
  for (const TaskSpan& s : r.spans) EXPECT_LE(s.start_ns, s.end_ns);
  EXPECT_LE(r.spans[0].start_ns, r.spans[1].start_ns);
  EXPECT_LE(r.spans[1].end_ns, r.spans[0].end_ns);
  for (int i = 0; i < 3; ++i) {
    const TaskSpan& s = r.spans[static_cast<std::size_t>(i)];
    EXPECT_EQ(r.task_ns[static_cast<std::size_t>(i)], s.end_ns - s.start_ns) << "task " << i;
  }
}

TEST(InflightGauge, SeesTheLatenciesAForkedChildMeasured) {
  InflightGauge g(2);
  const std::int64_t before = monotonic_ns();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    g.enter(1);
    std::this_thread::sleep_for(20ms);
    g.leave(1);
    _exit(0);
  }
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  const std::int64_t after = monotonic_ns();
  // The child's clock is the parent's (CLOCK_MONOTONIC): its task took at
  // least its sleep and no longer than the parent waited for it.
  EXPECT_GE(g.task_ns(1), 20'000'000);
  EXPECT_LE(g.task_ns(1), after - before);
  EXPECT_EQ(g.task_ns(0), 0);
}

TEST(InflightGauge, ResetStartsTheNextRunFromNothing) {
  InflightGauge g(2, /*traced=*/true);
  g.enter(0);
  g.enter(1);
  g.leave(1);
  g.leave(0);
  g.reset();
  EXPECT_EQ(g.peak(), 0);
  EXPECT_EQ(g.task_ns(0), 0);
  g.enter(1);
  g.leave(1);
  const RunReport r = g.report();
  EXPECT_EQ(r.peak_inflight, 1);
  EXPECT_EQ(r.spans[0].start_ns, 0);  // task 0 did not run after the reset
  EXPECT_GT(r.spans[1].start_ns, 0);
  EXPECT_EQ(r.task_ns[0], 0);
  EXPECT_GT(r.task_ns[1], 0);
}

}  // namespace
}  // namespace cvp
