// Tests for src/models/inflight_gauge.cpp: the peak across threads and forked children, spans,
// reset.
#include "models/inflight_gauge.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cvp {
namespace {

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

TEST(InflightGauge, CountsAndTracesTasksInForkedChildren) {
  InflightGauge g(3);
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
}

TEST(InflightGauge, ResetStartsTheNextRunFromNothing) {
  InflightGauge g(2);
  g.enter(0);
  g.enter(1);
  g.leave(1);
  g.leave(0);
  g.reset();
  EXPECT_EQ(g.peak(), 0);
  g.enter(1);
  g.leave(1);
  const RunReport r = g.report();
  EXPECT_EQ(r.peak_inflight, 1);
  EXPECT_EQ(r.spans[0].start_ns, 0);  // task 0 did not run after the reset
  EXPECT_GT(r.spans[1].start_ns, 0);
}

}  // namespace
}  // namespace cvp
