// Tests for bench/interleave.cpp: questions, the filters that run them, one report over many runs.
#include "interleave.hpp"

#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>

namespace cvp::bench {
namespace {

TEST(Interleave, AQuestionIsTheNameWithoutModelAndWorkers) {
  EXPECT_EQ(question_of("io_sleep/serial/tasks:10/workers:1/sleep_us:10000"),
            "io_sleep/tasks:10/sleep_us:10000");
  EXPECT_EQ(question_of("cpu_hash/tbb/tasks:2048/workers:4/bytes:64"),
            "cpu_hash/tasks:2048/bytes:64");
  EXPECT_EQ(question_of("limits/pipe_round_trip/tasks:1/workers:2"), "limits/tasks:1");
}

const std::vector<std::string> kNames{
    "cpu_hash/serial/tasks:64/workers:1/bytes:64", "cpu_hash/tbb/tasks:64/workers:2/bytes:64",
    "cpu_hash/serial/tasks:64/workers:1/bytes:4096", "cpu_hash/tbb/tasks:64/workers:2/bytes:4096",
    "cpu_hash/fork/tasks:64/workers:2/bytes:64"};

bool matches(const std::string& filter, const std::string& name) {
  return std::regex_search(name + "/manual_time", std::regex(filter, std::regex::extended));
}

TEST(Interleave, OneFilterPerQuestionInRegistrationOrderMatchingExactlyItsBenchmarks) {
  const auto filters = question_filters(kNames, "");
  ASSERT_EQ(filters.size(), 2u);
  for (const std::string& name : kNames) {
    const bool small = name.ends_with("bytes:64");
    EXPECT_EQ(matches(filters[0], name), small) << name;
    EXPECT_EQ(matches(filters[1], name), !small) << name;
  }
  // A name that only starts like a benchmark's is not it.
  EXPECT_FALSE(matches(filters[0], "cpu_hash/serial/tasks:64/workers:1/bytes:640"));
}

TEST(Interleave, TheUsersFilterSelectsAndNegates) {
  auto filters = question_filters(kNames, "tbb");
  ASSERT_EQ(filters.size(), 2u);
  EXPECT_TRUE(matches(filters[0], kNames[1]));
  EXPECT_FALSE(matches(filters[0], kNames[0]));
  filters = question_filters(kNames, "-bytes:4096");
  ASSERT_EQ(filters.size(), 1u);
  EXPECT_TRUE(matches(filters[0], kNames[4]));
  EXPECT_TRUE(question_filters(kNames, "nothing_like_it").empty());
}

TEST(Interleave, AFilterThatIsNotARegexIsBadInput) {
  EXPECT_THROW(question_filters(kNames, "("), std::invalid_argument);
}

// Counts what reaches the reporter it stands in for.
class CountingReporter final : public benchmark::BenchmarkReporter {
 public:
  bool ReportContext(const Context&) override { return ++contexts > 0; }
  void ReportRuns(const std::vector<Run>& r) override { runs += r.size(); }
  void Finalize() override { ++finalized; }
  int contexts = 0, finalized = 0;
  std::size_t runs = 0;
};

TEST(Interleave, ASessionReportsTheContextOnceAndEndsOnlyWhenFinished) {
  CountingReporter inner;
  SessionReporter session(inner);
  const benchmark::BenchmarkReporter::Context context;
  for (int call = 0; call < 3; ++call) {
    EXPECT_TRUE(session.ReportContext(context));
    session.ReportRuns(std::vector<benchmark::BenchmarkReporter::Run>(2));
    session.Finalize();
  }
  EXPECT_EQ(inner.contexts, 1);
  EXPECT_EQ(inner.runs, 6u);
  EXPECT_EQ(inner.finalized, 0);
  session.finish();
  EXPECT_EQ(inner.finalized, 1);
}

}  // namespace
}  // namespace cvp::bench
