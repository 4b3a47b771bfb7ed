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
  ASSERT_EQ(model_names().size(), 7u);
  for (std::string_view name : model_names()) {
    const int workers = fixed_workers(name).value_or(2);
    auto m = make_model(name, workers);
    EXPECT_EQ(m->name(), name);
    EXPECT_EQ(m->workers(), workers);
  }
}

TEST(ModelRegistry, RejectsUnknownModelNamingItAndTheAllowed) {
  EXPECT_EQ(error_of("asyncio", 1),
            "unknown model 'asyncio'; allowed: serial, event_loop_sequential, event_loop, "
            "event_loop_blocking, event_loop_offload, tbb, fork");
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

TEST(IdealRunTime, TheLastComputeIsFollowedByItsWait) {
  // 16 tasks of 1 ms compute and 9 ms wait on one thread: 16 ms of compute,
  // then the last task's 9 ms wait.
  EXPECT_DOUBLE_EQ(
      ideal_run_time({16, 1}, 16, duration<double>(0.001), duration<double>(0.009)).count(),
      0.016 + 0.009);
  // 16 threads on 2 CPUs: 8 turns of compute, then the wait.
  EXPECT_DOUBLE_EQ(
      ideal_run_time({16, 2}, 16, duration<double>(0.001), duration<double>(0.009)).count(),
      0.008 + 0.009);
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
  g.enter(0);
  g.enter(1);
  g.leave(0);
  g.enter(2);
  g.leave(1);
  g.leave(2);
  EXPECT_EQ(g.peak(), 2);
  EXPECT_TRUE(g.report().spans.empty());  // not tracing
}

TEST(InflightGauge, CountsAndTracesTasksInForkedChildren) {
  InflightGauge g(3);
  g.enter(0);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    g.enter(1);
    g.enter(2);
    g.leave(2);
    g.leave(1);
    _exit(0);
  }
  ASSERT_EQ(waitpid(pid, nullptr, 0), pid);
  g.leave(0);
  const RunReport r = g.report();
  EXPECT_EQ(r.peak_inflight, 3);
  ASSERT_EQ(r.spans.size(), 3u);
  EXPECT_EQ(r.spans[0].pid, getpid());
  EXPECT_EQ(r.spans[1].pid, pid);
  EXPECT_EQ(r.spans[2].pid, pid);
  for (const TaskSpan& s : r.spans) EXPECT_LE(s.start_ns, s.end_ns);
  EXPECT_LE(r.spans[0].start_ns, r.spans[1].start_ns);
  EXPECT_LE(r.spans[1].end_ns, r.spans[0].end_ns);
}

}  // namespace
}  // namespace cvp
