// Tests for src/timing.cpp: sleeps last at least as asked, slack is set, CPU time counts children.
#include "timing.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

namespace cvp {
namespace {

TEST(Timing, BlockingSleepLastsAtLeastTheRequestedTime) {
  const auto t0 = Clock::now();
  sleep_blocking(std::chrono::milliseconds(20));
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(20));
}

TEST(Timing, ZeroOrNegativeSleepReturnsAtOnce) {
  const auto t0 = Clock::now();
  sleep_blocking(std::chrono::nanoseconds(-5));
  sleep_blocking(std::chrono::nanoseconds(0));
  EXPECT_LT(Clock::now() - t0, std::chrono::seconds(1));
}

TEST(Timing, TimerSlackIsSetAndReadBack) {
  const auto before = timer_slack();
  set_timer_slack(std::chrono::nanoseconds(1));
  EXPECT_EQ(timer_slack(), std::chrono::nanoseconds(1));
  set_timer_slack(before);
}

TEST(Timing, CpuSecondsIncludeReapedChildren) {
  const double before = cpu_seconds_with_children();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // Spin for 200 ms of CPU in the child only.
    const auto t0 = Clock::now();
    volatile unsigned x = 0;
    while (Clock::now() - t0 < std::chrono::milliseconds(200)) x = x + 1;
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  // The child burned about 0.2 s; a loaded machine still gives it most of that.
  EXPECT_GT(cpu_seconds_with_children() - before, 0.05);
}

TEST(Timing, MedianTakesTheMiddleOrTheMeanOfTheMiddleTwo) {
  EXPECT_EQ(median({3, 1, 2}), 2);
  EXPECT_EQ(median({4, 1, 3, 2}), 2.5);
  EXPECT_EQ(median({7}), 7);
  EXPECT_EQ(median({}), 0);
}

}  // namespace
}  // namespace cvp
