// Tests for src/models/blocking_task.cpp: a task run the blocking way, wait by wait.
#include "models/blocking_task.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <system_error>

#include "loopback_ports.hpp"
#include "net/blocking_socket.hpp"
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

TEST(WaitBlocking, AnExchangeWithAServerThatNeverAnswersFailsAtItsIdleLimit) {
  const testing::SilentServer silent;
  TaskState s;
  const auto t0 = Clock::now();
  EXPECT_THROW(wait_blocking(testing::exchange_within(silent.port(), -1), s), std::system_error);
  EXPECT_LT(testing::seconds_since(t0), 10.0);  // the test's own deadline, not a figure
}

TEST(WaitBlocking, AKeptConnectionWhoseExchangeFailedIsShutDown) {
  const testing::SilentServer silent;
  const int kept = rpc::connect_loopback(silent.port(), std::chrono::milliseconds(200));
  TaskState s;
  EXPECT_THROW(wait_blocking(testing::exchange_within(silent.port(), kept), s), std::system_error);
  std::uint8_t byte = 0;
  EXPECT_EQ(::recv(kept, &byte, 1, MSG_DONTWAIT), 0);  // the end of the stream: reopened next
  ::close(kept);
}

TEST(WaitBlocking, AnExchangeWithNothingListeningFailsAtOnce) {
  const testing::DeadPort dead;
  TaskState s;
  EXPECT_THROW(wait_blocking(testing::exchange_within(dead.port(), -1), s), std::system_error);
}

}  // namespace
}  // namespace cvp
