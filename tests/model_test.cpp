// Tests for src/models/model.cpp: the registry, the ideal run time, and the in-flight gauge.
#include "models/model.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <stdexcept>

namespace cvp {
namespace {

using std::chrono::duration;

std::string error_of(std::string_view model, int workers) {
  try {
    make_model(model, workers);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(ModelRegistry, MakesEveryRegisteredModelByName) {
  ASSERT_EQ(model_names().size(), 4u);
  for (std::string_view name : model_names()) {
    const int workers = single_worker_model(name) ? 1 : 2;
    auto m = make_model(name, workers);
    EXPECT_EQ(m->name(), name);
    EXPECT_EQ(m->workers(), workers);
  }
}

TEST(ModelRegistry, RejectsUnknownModelNamingItAndTheAllowed) {
  EXPECT_EQ(error_of("asyncio", 1),
            "unknown model 'asyncio'; allowed: serial, event_loop, tbb, fork");
}

TEST(ModelRegistry, RejectsWorkersOutOfRange) {
  EXPECT_EQ(error_of("tbb", 0), "workers is 0; allowed: 1 to 256");
  EXPECT_EQ(error_of("fork", 1000), "workers is 1000; allowed: 1 to 256");
  EXPECT_EQ(error_of("serial", 2), "workers is 2 for model 'serial'; allowed: 1");
}

TEST(IdealRunTime, SerialRunsEveryTaskBackToBack) {
  EXPECT_DOUBLE_EQ(
      ideal_run_time({1, 1}, 10, duration<double>(0.001), duration<double>(0.01)).count(),
      10 * 0.011);
}

TEST(IdealRunTime, EventLoopOverlapsWaitsButNotCompute) {
  // 100 pure waits: one wait. 100 pure computes on one CPU: all of them.
  EXPECT_DOUBLE_EQ(
      ideal_run_time({100, 1}, 100, duration<double>(0), duration<double>(0.01)).count(), 0.01);
  EXPECT_DOUBLE_EQ(
      ideal_run_time({100, 1}, 100, duration<double>(0.001), duration<double>(0)).count(), 0.1);
}

TEST(IdealRunTime, WorkersTakeTasksInRoundsOfW) {
  // ceil(10 / 4) = 3 rounds of waits; compute limited to 2 CPUs.
  EXPECT_DOUBLE_EQ(ideal_run_time({4, 2}, 10, duration<double>(0), duration<double>(0.01)).count(),
                   0.03);
  EXPECT_DOUBLE_EQ(ideal_run_time({4, 2}, 10, duration<double>(0.001), duration<double>(0)).count(),
                   0.005);
  // More workers than tasks: one round.
  EXPECT_DOUBLE_EQ(ideal_run_time({8, 2}, 3, duration<double>(0), duration<double>(0.01)).count(),
                   0.01);
}

TEST(InflightGauge, TracksThePeakNotTheCurrent) {
  InflightGauge g;
  g.enter();
  g.enter();
  g.leave();
  g.enter();
  g.leave();
  g.leave();
  EXPECT_EQ(g.peak(), 2);
}

TEST(InflightGauge, CountsTasksInForkedChildren) {
  InflightGauge g;
  g.enter();
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    g.enter();
    g.enter();
    _exit(0);
  }
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  EXPECT_EQ(g.peak(), 3);
}

}  // namespace
}  // namespace cvp
