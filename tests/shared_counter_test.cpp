// Tests for src/workloads/shared_counter.cpp: lost updates where read and write windows overlap,
// none under a lock.
#include "workloads/shared_counter.hpp"

#include <gtest/gtest.h>

#include "models/registry.hpp"

namespace cvp {
namespace {

std::int64_t lost(std::string_view model, int workers, bool locked, bool wait_between) {
  const SharedCounter w(40, 2'000, locked, wait_between);
  auto m = make_model(model, workers);
  m->prepare(w);
  std::vector<Digest> out(40);
  w.before_run();
  m->run(w, out);
  const std::int64_t lost_updates = *w.lost_updates();
  // After the count: the reference digests run every task's read and write again.
  EXPECT_EQ(first_mismatch(out, reference_digests(w)), -1);
  return lost_updates;
}

TEST(SharedCounter, TheGatheredLoopLosesUpdatesOnlyWithAWaitBetweenReadAndWrite) {
  EXPECT_EQ(lost("event_loop", 1, false, false), 0);
  EXPECT_EQ(lost("event_loop", 1, false, true), 39);  // every task read 0 before any wrote
  EXPECT_EQ(lost("event_loop", 1, true, true), 0);    // one task at a time through the lock
}

TEST(SharedCounter, OneTaskAtATimeNeverLoses) {
  EXPECT_EQ(lost("serial", 1, false, true), 0);
  EXPECT_EQ(lost("event_loop_sequential", 1, false, true), 0);
  EXPECT_EQ(lost("event_loop_blocking", 1, false, true), 0);
}

TEST(SharedCounter, ThreadsAndProcessesLoseWithoutALockAndNeverWithOne) {
  for (std::string_view model : {"tbb", "fork", "process_pool"}) {
    EXPECT_GT(lost(model, 4, false, true), 0) << model;
    EXPECT_EQ(lost(model, 4, true, true), 0) << model;
  }
}

TEST(SharedCounter, BeforeRunResetsTheCounter) {
  const SharedCounter w(3, 0, false, false);
  for (int i = 0; i < 3; ++i) w.compute(i);
  EXPECT_EQ(*w.lost_updates(), 0);
  w.before_run();
  EXPECT_EQ(*w.lost_updates(), 3);
}

}  // namespace
}  // namespace cvp
