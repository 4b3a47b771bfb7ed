// Tests for src/params.cpp: every bad parameter is rejected with a message naming it.
#include "params.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace cvp {
namespace {

std::string message_of(void (*call)()) {
  try {
    call();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(Params, RejectsZeroTasksNamingTheValueAndRange) {
  EXPECT_EQ(message_of([] { check_tasks(0); }), "tasks is 0; allowed: 1 to 1000000");
}

TEST(Params, RejectsNegativeTasks) {
  EXPECT_EQ(message_of([] { check_tasks(-5); }), "tasks is -5; allowed: 1 to 1000000");
}

TEST(Params, RejectsTasksAboveCap) {
  EXPECT_EQ(message_of([] { check_tasks(kMaxTasks + 1); }),
            "tasks is 1000001; allowed: 1 to 1000000");
}

TEST(Params, RejectsWorkersAboveCapAndZero) {
  EXPECT_EQ(message_of([] { check_workers(257); }), "workers is 257; allowed: 1 to 256");
  EXPECT_EQ(message_of([] { check_workers(0); }), "workers is 0; allowed: 1 to 256");
}

TEST(Params, RejectsAbsurdSleep) {
  EXPECT_EQ(message_of([] { check_sleep_us(3'600'000'000); }),
            "sleep_us is 3600000000; allowed: 0 to 10000000");
  EXPECT_EQ(message_of([] { check_sleep_us(-1); }), "sleep_us is -1; allowed: 0 to 10000000");
}

TEST(Params, RejectsAbsurdMessageSizeAndRounds) {
  EXPECT_EQ(message_of([] { check_bytes(0); }), "bytes is 0; allowed: 1 to 67108864");
  EXPECT_EQ(message_of([] { check_bytes(1LL << 40); }),
            "bytes is 1099511627776; allowed: 1 to 67108864");
  EXPECT_EQ(message_of([] { check_rounds(0); }), "rounds is 0; allowed: 1 to 1000000");
}

TEST(Params, AcceptsBoundsAndReturnsTheValue) {
  EXPECT_EQ(check_tasks(1), 1);
  EXPECT_EQ(check_tasks(kMaxTasks), kMaxTasks);
  EXPECT_EQ(check_workers(kMaxWorkers), kMaxWorkers);
  EXPECT_EQ(check_sleep_us(0), 0);
  EXPECT_EQ(check_bytes(64), 64);
  EXPECT_EQ(check_rounds(3), 3);
}

}  // namespace
}  // namespace cvp
