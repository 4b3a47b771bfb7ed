// Tests for bench/axes.cpp: names follow the grammar; lists parse strictly.
#include "axes.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace cvp::bench {
namespace {

std::int64_t cpu_hash_rounds(std::int64_t bytes) { return bytes == 64 ? 256 : 1; }

TEST(BenchmarkName, FollowsTheGrammarPerWorkload) {
  Point io{.model = "event_loop", .tasks = 1000, .workers = 1, .sleep_us = 10'000};
  EXPECT_EQ(benchmark_name("io_sleep", io, {}),
            "io_sleep/event_loop/tasks:1000/workers:1/sleep_us:10000");
  Point cpu{.model = "fork", .tasks = 256, .workers = 2, .bytes = 65536, .rounds = 1};
  const NameRules hashing{.workload_waits = false, .default_rounds = cpu_hash_rounds};
  EXPECT_EQ(benchmark_name("cpu_hash", cpu, hashing),
            "cpu_hash/fork/tasks:256/workers:2/bytes:65536");
}

TEST(BenchmarkName, NamesRoundsOnlyWhenNotTheDefault) {
  const NameRules hashing{.workload_waits = false, .default_rounds = cpu_hash_rounds};
  Point a{.model = "serial", .tasks = 5, .workers = 1, .bytes = 64, .rounds = 256};
  Point b = a;
  b.rounds = 2;
  EXPECT_EQ(benchmark_name("cpu_hash", a, hashing), "cpu_hash/serial/tasks:5/workers:1/bytes:64");
  EXPECT_EQ(benchmark_name("cpu_hash", b, hashing),
            "cpu_hash/serial/tasks:5/workers:1/bytes:64/rounds:2");
}

TEST(ParseList, AcceptsCommaSeparatedWholeNumbers) {
  EXPECT_EQ(parse_list("tasks", "1,10,100"), (std::vector<std::int64_t>{1, 10, 100}));
  EXPECT_EQ(parse_list("tasks", "-3"), (std::vector<std::int64_t>{-3}));
}

TEST(ParseList, RefusesSpacesEmptyItemsAndJunk) {
  for (const char* bad : {" 1", "1,", ",1", "1,,2", "ten", "1.5", "+1", "", "1 "}) {
    EXPECT_THROW(parse_list("tasks", bad), std::invalid_argument) << "'" << bad << "'";
  }
  try {
    parse_list("tasks", "1,x");
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "--tasks: 'x' is not a whole number");
  }
}

TEST(Axis, ChecksItsRange) {
  EXPECT_EQ(check(axis(AxisId::kTasks), 5), 5);
  try {
    check(axis(AxisId::kWorkers), 999);
    FAIL();
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "workers is 999; allowed: 1 to 256");
  }
  EXPECT_EQ(find_axis("bytes")->id, AxisId::kBytes);
  EXPECT_EQ(find_axis("frobs"), nullptr);
}

}  // namespace
}  // namespace cvp::bench
