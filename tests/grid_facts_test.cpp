// Tests for bench/grid_facts.cpp: the shared grid facts looked up, split by language and profile.
#include "grid_facts.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

namespace cvp::bench {
namespace {

TEST(GridFacts, ReadsAValueSplitByLanguageAndProfile) {
  // profiles.quick.min_time_s is given per language; C++ reads its own.
  EXPECT_EQ(fact_int("profiles.default.repetitions"), profile_named("default").repetitions);
  EXPECT_DOUBLE_EQ(fact_number("profiles.quick.min_time_s"), profile_named("quick").min_time_s);
  EXPECT_FALSE(fact_words("io_sleep.rows.2.tasks", "default").empty());
}

TEST(GridFacts, AMissingFactIsAnErrorNamingIt) {
  try {
    fact_int("io_sleep.no_such_fact");
    FAIL();
  } catch (const std::logic_error& e) {
    EXPECT_STREQ(e.what(), "grid_facts.json has no io_sleep.no_such_fact");
  }
}

TEST(GridFacts, SelectorsPickModelsByTheirFacts) {
  for (const ModelInfo& m : registry()) {
    EXPECT_TRUE(selects("all", m));
    EXPECT_EQ(selects("concurrency:N", m), m.concurrency_rule == CapacityRule::kTasks) << m.name;
    EXPECT_EQ(selects("family:one_thread", m), m.family == Family::kOneThread) << m.name;
  }
  EXPECT_THROW(selects("name:tbb", registry().front()), std::logic_error);
}

TEST(GridFacts, WorkerWordsFollowTheMachine) {
  EXPECT_EQ(worker_counts({"ladder", "2*cpus"}, 6, 8), (std::vector<std::int64_t>{1, 2, 4, 6, 12}));
  EXPECT_EQ(worker_counts({"cpus", "tasks"}, 2, 8), (std::vector<std::int64_t>{2, 8}));
  EXPECT_EQ(worker_counts({"cpus", "tasks"}, 8, 8), (std::vector<std::int64_t>{8}));
  EXPECT_EQ(worker_counts({"1", "4"}, 2, 8), (std::vector<std::int64_t>{1, 4}));
}

TEST(GridFacts, RoundsPerSizeWithOneForOtherSizes) {
  EXPECT_EQ(default_rounds(64), 256);
  EXPECT_EQ(default_rounds(65536), 1);
  EXPECT_EQ(default_rounds(12345), 1);
  EXPECT_EQ(hash_sizes(), (std::vector<std::int64_t>{64, 4096, 65536}));
}

TEST(GridFacts, HashingRowsGiveEveryWorkerAtLeast64Tasks) {
  for (int cpus : {1, 2, 16}) {
    for (const GridRow& row : grid_rows("cpu_hash", cpus)) {
      const auto& tasks = row.values.front();
      ASSERT_EQ(tasks.first, AxisId::kTasks);
      for (const auto& [id, values] : row.values) {
        if (id != AxisId::kWorkers) continue;
        for (const Profile& p : {profile_named("quick"), profile_named("full")}) {
          const auto& w = values.of(p);
          const auto& n = tasks.second.of(p);
          if (w.empty() || n.empty()) continue;
          EXPECT_GE(*std::min_element(n.begin(), n.end()),
                    64 * *std::max_element(w.begin(), w.end()))
              << cpus << " cpus, " << p.name;
        }
      }
    }
  }
}

}  // namespace
}  // namespace cvp::bench
