// Tests for bench/context.cpp: the load meter's JSON and entries added to a result's context.
#include "context.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

#include "result_file.hpp"

namespace cvp::bench {
namespace {

TEST(LoadMeter, DescribesTheIntervalAsJson) {
  const LoadMeter meter;
  volatile double x = 0;
  for (int i = 0; i < 5'000'000; ++i) x = x + i;
  const LoadMeter::Summary summary = meter.finish();
  const std::string& json = summary.json;
  EXPECT_NE(json.find(summary.loaded ? "\"loaded\": true" : "\"loaded\": false"), std::string::npos)
      << json;
  EXPECT_TRUE(is_json(json)) << json;
  for (const char* key :
       {"interval_s", "other_busy_cpus", "steal_pct", "loadavg_start", "loadavg_end", "loaded"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
}

TEST(WithContextEntry, AddsAnEscapedStringToTheContext) {
  const std::string out =
      with_context_entry("{\n  \"context\": {\"a\": \"b\"},\n  \"benchmarks\": []\n}", "cvp_load",
                         R"({"loaded": false})");
  EXPECT_TRUE(is_json(out)) << out;
  EXPECT_NE(out.find(R"("cvp_load": "{\"loaded\": false}")"), std::string::npos) << out;
  EXPECT_THROW(with_context_entry("{}", "k", "v"), std::runtime_error);
}

}  // namespace
}  // namespace cvp::bench
