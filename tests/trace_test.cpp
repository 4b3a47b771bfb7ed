// Tests for bench/trace.cpp: a traced run as Chrome trace JSON, one event per task.
#include "trace.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include "result_file.hpp"

namespace cvp::bench {
namespace {

TEST(ChromeTrace, OneCompleteEventPerTaskAndTheFacts) {
  const int pid = static_cast<int>(getpid());
  const std::vector<TaskSpan> spans{{0, 1'000'000, 3'000'000, pid, pid},
                                    {1, 2'000'000, 2'500'000, pid + 1, pid + 1}};
  const std::string json =
      chrome_trace_json({"io_sleep", "fork", 2, 1'000'000, 2.5, R"({"name": "fork"})"}, spans);
  EXPECT_TRUE(is_json(json)) << json;
  EXPECT_NE(
      json.find(R"("name": "task 0", "cat": "io_sleep", "ph": "X", "ts": 0.000, "dur": 2000.000)"),
      std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("ts": 1000.000, "dur": 500.000)"), std::string::npos) << json;
  EXPECT_NE(json.find(R"("model_facts": {"name": "fork"})"), std::string::npos) << json;
  EXPECT_NE(json.find("fork worker process " + std::to_string(pid + 1)), std::string::npos);
}

TEST(ChromeTrace, QuotesAreEscaped) {
  const std::string json = chrome_trace_json({"a\"b", "m", 1, 0, 0, ""}, {});
  EXPECT_TRUE(is_json(json)) << json;
  EXPECT_NE(json.find(R"("model_facts": null)"), std::string::npos);
}

}  // namespace
}  // namespace cvp::bench
