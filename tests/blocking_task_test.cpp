// Tests for src/models/blocking_task.cpp: a task run the blocking way, wait by wait.
#include "models/blocking_task.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <system_error>

#include "test_support.hpp"
#include "workloads/shared_counter.hpp"

namespace cvp {
namespace {

TEST(RunTaskBlocking, RunsEveryStepAndWait) {
  const testing::ThreeStepWorkload w(3, 2'000);
  InflightGauge gauge;
  for (int i = 0; i < w.tasks(); ++i) {
    const auto t0 = Clock::now();
    EXPECT_EQ(run_task_blocking(w, i, gauge), w.compute(i));
    EXPECT_GE(Clock::now() - t0, std::chrono::microseconds(4'000));  // both waits, never less
  }
  EXPECT_EQ(gauge.peak(), 1);
}

TEST(RunTaskBlocking, UncountedFormReturnsTheSameDigest) {
  const testing::ThreeStepWorkload w(2, 0);
  EXPECT_EQ(run_task_blocking(w, 1), w.compute(1));
}

TEST(RunTaskBlocking, RunsAfterWaitOfTheDefaultTask) {
  // shared_counter writes after its wait: run one after another, no update is lost.
  const SharedCounter w(5, 100, false, true);
  w.before_run();
  for (int i = 0; i < w.tasks(); ++i) run_task_blocking(w, i);
  EXPECT_EQ(w.lost_updates(), 0);
}

TEST(RunTaskBlocking, TicksDuringAWait) {
  const IoSleep w(1, 20'000);
  int ticks = 0;
  const WaitTicker ticker{std::chrono::milliseconds(2), [&ticks] { ++ticks; }};
  EXPECT_EQ(run_task_blocking(w, 0, &ticker), w.compute(0));
  // A tick after every slice: at least one whatever the machine's load
  // (the last slice always ends in one), about ten on a quiet machine.
  EXPECT_GE(ticks, 1);
}

TEST(WaitBlocking, SleepsAtLeastTheDuration) {
  TaskState s;
  const auto t0 = Clock::now();
  wait_blocking(SleepFor{std::chrono::milliseconds(3)}, s);
  EXPECT_GE(Clock::now() - t0, std::chrono::milliseconds(3));
}

TEST(WaitBlocking, ReadAtBringsTheBytesAtTheOffset) {
  const int fd = testing::pattern_file(10'000);
  TaskState s;
  wait_blocking(ReadAt{fd, 100, 5'000}, s);
  EXPECT_EQ(s.received, testing::pattern_bytes(100, 5'000));
  ::close(fd);
}

TEST(WaitBlocking, ReadAtTheEndBringsWhatTheFileHeld) {
  const int fd = testing::pattern_file(10'000);
  TaskState s;
  wait_blocking(ReadAt{fd, 9'000, 4'096}, s);
  EXPECT_EQ(s.received, testing::pattern_bytes(9'000, 1'000));
  wait_blocking(ReadAt{fd, 20'000, 4'096}, s);
  EXPECT_TRUE(s.received.empty());
  ::close(fd);
}

TEST(WaitBlocking, ReadAtABadDescriptorThrowsItsError) {
  TaskState s;
  try {
    wait_blocking(ReadAt{-1, 0, 16}, s);
    FAIL() << "no error";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), EBADF);
  }
}

}  // namespace
}  // namespace cvp
