// Tests for src/sysinfo.cpp: the CPU budget and the machine's CPU counters.
#include "sysinfo.hpp"

#include <gtest/gtest.h>
#include <sched.h>

namespace cvp {
namespace {

TEST(CpuBudget, UsableIsAtLeastOneAndAtMostTheAffinity) {
  const CpuBudget b = cpu_budget();
  EXPECT_GE(b.usable, 1);
  EXPECT_LE(b.usable, b.affinity);
  EXPECT_EQ(usable_cpus(), b.usable);
}

TEST(CpuBudget, FollowsTheAffinityMask) {
  cpu_set_t saved;
  ASSERT_EQ(sched_getaffinity(0, sizeof saved, &saved), 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &saved)) {
      CPU_SET(c, &one);
      break;
    }
  }
  ASSERT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
  const CpuBudget b = cpu_budget();
  ASSERT_EQ(sched_setaffinity(0, sizeof saved, &saved), 0);
  EXPECT_EQ(b.affinity, 1);
  EXPECT_EQ(b.usable, 1);
}

TEST(MachineCpu, CountsGrowAndBusyIsPartOfTotal) {
  const MachineCpu a = machine_cpu();
  volatile double x = 0;
  for (int i = 0; i < 20'000'000; ++i) x = x + i;
  const MachineCpu b = machine_cpu();
  EXPECT_GT(b.total_s, a.total_s);
  EXPECT_LE(b.busy_s, b.total_s);
  EXPECT_LE(b.steal_s, b.busy_s);
  EXPECT_GE(loadavg_1m(), 0.0);
}

}  // namespace
}  // namespace cvp
