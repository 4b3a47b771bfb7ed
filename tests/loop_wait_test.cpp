// Tests for src/models/loop_wait.cpp: a task's waits on a libuv loop.
#include "models/loop_wait.hpp"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>

#include "loopback_ports.hpp"
#include "models/uv_check.hpp"
#include "test_support.hpp"
#include "net/blocking_socket.hpp"

namespace cvp {
namespace {

TEST(LoopWait, TimeoutRoundsUpToWholeMilliseconds) {
  EXPECT_EQ(LoopWait::timeout_ms(std::chrono::microseconds(10'000)), 10u);
  EXPECT_EQ(LoopWait::timeout_ms(std::chrono::microseconds(10'001)), 11u);
  EXPECT_EQ(LoopWait::timeout_ms(std::chrono::microseconds(1)), 1u);
  EXPECT_EQ(LoopWait::timeout_ms(std::chrono::microseconds(0)), 0u);
}

// A loop with one wait slot, which records when and how its wait ended.
class LoopWaitTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(uv_loop_init(&loop_), 0);
    wait_.init(&loop_, this);
  }
  void TearDown() override {
    wait_.close();
    uv_run(&loop_, UV_RUN_DEFAULT);
    EXPECT_EQ(uv_loop_close(&loop_), 0);
  }
  static void done(LoopWait& w, int status) {
    auto& self = *static_cast<LoopWaitTest*>(w.owner());
    ++self.calls_;
    self.status_ = status;
    self.ended_ns_ = uv_hrtime();
  }

  uv_loop_t loop_{};
  LoopWait wait_;
  TaskState state_;
  int calls_ = 0;
  int status_ = -1;
  std::uint64_t ended_ns_ = 0;
};

TEST_F(LoopWaitTest, SleepEndsOnceAndNeverEarly) {
  // 1.5 ms: libuv's millisecond clock would fire a 2 ms timer up to 1 ms early.
  for (int i = 0; i < 20; ++i) {
    calls_ = 0;
    const std::uint64_t t0 = uv_hrtime();
    wait_.start(SleepFor{std::chrono::microseconds(1'500)}, state_, done);
    EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);
    EXPECT_EQ(calls_, 1);
    EXPECT_EQ(status_, 0);
    EXPECT_GE(ended_ns_ - t0, 1'500'000u);
  }
}

TEST_F(LoopWaitTest, StopAbandonsTheWait) {
  wait_.start(SleepFor{std::chrono::seconds(30)}, state_, done);
  wait_.stop();
  EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);  // returns at once: nothing armed
  EXPECT_EQ(calls_, 0);
}

// A read runs on libuv's threadpool; the loop waits for it.
TEST_F(LoopWaitTest, ReadAtBringsTheBytesAtTheOffset) {
  const int fd = testing::pattern_file(10'000);
  wait_.start(ReadAt{fd, 100, 5'000}, state_, done);
  EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);
  EXPECT_EQ(calls_, 1);
  EXPECT_EQ(status_, 0);
  EXPECT_EQ(state_.received, testing::pattern_bytes(100, 5'000));
  ::close(fd);
}

TEST_F(LoopWaitTest, ReadAtTheEndBringsWhatTheFileHeld) {
  const int fd = testing::pattern_file(10'000);
  wait_.start(ReadAt{fd, 9'000, 4'096}, state_, done);
  EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);
  EXPECT_EQ(status_, 0);
  EXPECT_EQ(state_.received, testing::pattern_bytes(9'000, 1'000));
  ::close(fd);
}

TEST_F(LoopWaitTest, ReadAtABadDescriptorEndsWithItsError) {
  wait_.start(ReadAt{-1, 0, 16}, state_, done);
  EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);
  EXPECT_EQ(calls_, 1);
  EXPECT_EQ(status_, UV_EBADF);
}

TEST_F(LoopWaitTest, StopAbandonsAReadAndTheSlotReadsAgain) {
  const int fd = testing::pattern_file(10'000);
  wait_.start(ReadAt{fd, 0, 4'096}, state_, done);
  wait_.stop();
  EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);  // the abandoned read ends, uncalled
  EXPECT_EQ(calls_, 0);
  wait_.start(ReadAt{fd, 50, 200}, state_, done);
  EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);
  EXPECT_EQ(calls_, 1);
  EXPECT_EQ(state_.received, testing::pattern_bytes(50, 200));
  ::close(fd);
}

TEST_F(LoopWaitTest, AnExchangeOnItsOwnConnectionEndsAtItsIdleLimit) {
  const testing::SilentServer silent;
  const std::uint64_t t0 = uv_hrtime();
  wait_.start(testing::exchange_within(silent.port(), -1), state_, done);
  EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);
  EXPECT_EQ(calls_, 1);
  EXPECT_EQ(status_, UV_ETIMEDOUT);
  EXPECT_GE(ended_ns_ - t0, 150'000'000u);
  EXPECT_LT(ended_ns_ - t0, 10'000'000'000u);  // the test's own deadline, not a figure
  EXPECT_NE(wait_.failure(status_).find("no byte moved for 0.2 s"), std::string::npos)
      << wait_.failure(status_);
}

TEST_F(LoopWaitTest, AKeptConnectionWhoseExchangeTimedOutIsShutDown) {
  const testing::SilentServer silent;
  const int kept = rpc::connect_loopback(silent.port(), std::chrono::seconds(10));
  wait_.start(testing::exchange_within(silent.port(), kept), state_, done);
  EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);
  EXPECT_EQ(status_, UV_ETIMEDOUT);
  // A late reply must not reach the next run: the workload's own descriptor
  // reads the end of the stream, so it opens a fresh connection.
  std::uint8_t byte = 0;
  EXPECT_EQ(::recv(kept, &byte, 1, MSG_DONTWAIT), 0);
  ::close(kept);  // the slot's copy is closed by TearDown
}

TEST_F(LoopWaitTest, StopInTheMiddleOfAnExchangeShutsTheKeptConnectionDown) {
  const testing::SilentServer silent;
  const int kept = rpc::connect_loopback(silent.port(), std::chrono::seconds(10));
  wait_.start(testing::exchange_within(silent.port(), kept), state_, done);
  uv_run(&loop_, UV_RUN_NOWAIT);  // the request goes out
  wait_.stop();
  EXPECT_EQ(uv_run(&loop_, UV_RUN_DEFAULT), 0);  // returns at once: nothing armed
  EXPECT_EQ(calls_, 0);
  std::uint8_t byte = 0;
  EXPECT_EQ(::recv(kept, &byte, 1, MSG_DONTWAIT), 0);
  ::close(kept);  // the slot's copy is closed by TearDown
}

}  // namespace
}  // namespace cvp
