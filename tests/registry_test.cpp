// Tests for src/models/registry.cpp: every model made by name, facts consistent, bad names refused.
#include "models/registry.hpp"

#include <gtest/gtest.h>

#include <set>
#include <stdexcept>

namespace cvp {
namespace {

std::string error_of(std::string_view model, int workers) {
  try {
    make_model(model, workers);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(Registry, MakesEveryRegisteredModelUnderItsOwnName) {
  ASSERT_FALSE(registry().empty());
  for (const ModelInfo& info : registry()) {
    const int workers = info.fixed_workers().value_or(2);
    if (info.launch != Launch::kInProcess) {
      // Its ranks start under mpiexec: no harness process can make it.
      EXPECT_EQ(error_of(info.name, workers), "model '" + std::string(info.name) +
                                                  "' runs only under mpiexec, in the mpi harness");
      EXPECT_EQ(info.primitive, Primitive::kNone) << info.name;
      continue;
    }
    auto m = make_model(info.name, workers);
    EXPECT_EQ(m->name(), info.name);
    EXPECT_EQ(m->workers(), workers);
  }
}

TEST(Registry, NamesAreUniqueAndThereIsOneBaseline) {
  std::set<std::string_view> names;
  int baselines = 0;
  for (const ModelInfo& info : registry()) {
    EXPECT_TRUE(names.insert(info.name).second) << info.name;
    baselines += info.baseline ? 1 : 0;
  }
  EXPECT_EQ(baselines, 1);
  EXPECT_EQ(baseline_model().fixed_workers(), 1);
}

TEST(Registry, RowsAreListedInTheirDisplayOrder) {
  for (std::size_t i = 1; i < registry().size(); ++i) {
    EXPECT_LT(registry()[i - 1].order, registry()[i].order) << registry()[i].name;
  }
}

TEST(Registry, FixedWorkersComeWithAReason) {
  for (const ModelInfo& info : registry()) {
    EXPECT_EQ(info.fixed_workers().has_value(), !info.fixed_why.empty()) << info.name;
  }
}

TEST(Registry, RejectsUnknownModelNamingTheAllowed) {
  const std::string msg = error_of("asyncio", 1);
  EXPECT_EQ(msg.rfind("unknown model 'asyncio'; allowed: ", 0), 0u) << msg;
  for (std::string_view name : model_names()) {
    EXPECT_NE(msg.find(name), std::string::npos) << name;
  }
}

TEST(Registry, RejectsWorkersOutOfRangeOrAgainstAFixedCount) {
  EXPECT_EQ(error_of(registry().back().name, 0), "workers is 0; allowed: 1 to 256");
  EXPECT_EQ(error_of(baseline_model().name, 2), "workers is 2 for model '" +
                                                    std::string(baseline_model().name) +
                                                    "'; allowed: 1 (one thread)");
}

TEST(Registry, LimitsFollowTheRules) {
  for (const ModelInfo& info : registry()) {
    const Limits l = limits_of(info, 100, 8, 2);
    EXPECT_GE(l.concurrency, l.parallelism) << info.name;
    EXPECT_LE(l.parallelism, 2) << info.name;
  }
  ModelInfo rule = registry().front();
  rule.concurrency_rule = CapacityRule::kTasks;
  rule.parallelism_rule = CapacityRule::kWorkersOnCpus;
  EXPECT_EQ(limits_of(rule, 100, 8, 2).concurrency, 100);
  EXPECT_EQ(limits_of(rule, 100, 8, 2).parallelism, 2);
}

TEST(Registry, JsonRowsCarryTheFactsInRegistryOrder) {
  const std::vector<std::string> names{std::string(registry().back().name),
                                       std::string(registry().front().name)};
  const std::string json = registry_json(names);
  const auto first = json.find("\"name\": \"" + names[1] + "\"");
  const auto last = json.find("\"name\": \"" + names[0] + "\"");
  ASSERT_NE(first, std::string::npos) << json;
  ASSERT_NE(last, std::string::npos) << json;
  EXPECT_LT(first, last);
  EXPECT_NE(json.find("\"family\": \"one_thread\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"language\": \"c++\""), std::string::npos) << json;
  EXPECT_EQ(json.front(), '[');
  EXPECT_EQ(json.back(), ']');
}

}  // namespace
}  // namespace cvp
