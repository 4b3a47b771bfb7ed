// Tests for src/peak_probe.cpp: the probe fires once, at its target, from this process or a
// forked worker, reads on its own thread, and stays quiet when not armed.
#include "peak_probe.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>

namespace cvp {
namespace {

Levels levels_with_stack(std::int64_t bytes) {
  Levels l;
  l.kernel_stack_bytes = bytes;
  return l;
}

TEST(PeakProbe, TargetIsHalfTheEarlierPeakOrTheFirstGuess) {
  EXPECT_EQ(peak_probe_target(0, 200), 200);
  EXPECT_EQ(peak_probe_target(0, 0), 1);
  EXPECT_EQ(peak_probe_target(1, 200), 1);  // ceil(0.5)
  EXPECT_EQ(peak_probe_target(3, 200), 2);  // ceil(1.5)
  EXPECT_EQ(peak_probe_target(400, 10), 200);
  EXPECT_EQ(peak_probe_target(401, 10), 201);
}

TEST(PeakProbe, FiresOnceWhenTheTasksInFlightReachTheTarget) {
  PeakProbe& probe = PeakProbe::get();
  std::atomic<int> reads{0};
  probe.arm(3, [&] {
    ++reads;
    return levels_with_stack(4096);
  });
  peak_probe_note(1);
  peak_probe_note(2);
  peak_probe_note(3);  // fires
  peak_probe_note(4);  // already fired
  peak_probe_note(3);
  const auto reading = probe.disarm();
  ASSERT_TRUE(reading.has_value());
  EXPECT_EQ(reading->inflight, 3);
  EXPECT_EQ(reading->levels.kernel_stack_bytes, 4096);
  EXPECT_EQ(reads.load(), 1);
}

TEST(PeakProbe, NoReadingBelowTheTargetOrWhenDisarmed) {
  PeakProbe& probe = PeakProbe::get();
  std::atomic<int> reads{0};
  probe.arm(5, [&] {
    ++reads;
    return Levels{};
  });
  for (int n = 1; n < 5; ++n) peak_probe_note(n);
  EXPECT_FALSE(probe.disarm().has_value());
  peak_probe_note(9);  // not armed
  EXPECT_FALSE(probe.disarm().has_value());
  EXPECT_EQ(reads.load(), 0);
}

TEST(PeakProbe, AForkedWorkerFiresTheParentsProbe) {
  PeakProbe& probe = PeakProbe::get();
  probe.arm(2, [] { return levels_with_stack(1); });
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    peak_probe_note(2);
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const auto reading = probe.disarm();
  ASSERT_TRUE(reading.has_value());
  EXPECT_EQ(reading->inflight, 2);
}

TEST(PeakProbe, ARunAfterAFiredOneFiresAgain) {
  PeakProbe& probe = PeakProbe::get();
  for (int run = 1; run <= 3; ++run) {
    probe.arm(1, [run] { return levels_with_stack(run); });
    peak_probe_note(1);
    const auto reading = probe.disarm();
    ASSERT_TRUE(reading.has_value()) << "run " << run;
    EXPECT_EQ(reading->levels.kernel_stack_bytes, run);
  }
}

TEST(PeakProbe, AReadThatThrowsIsNoReading) {
  PeakProbe& probe = PeakProbe::get();
  probe.arm(1, []() -> Levels { throw std::runtime_error("no /proc"); });
  peak_probe_note(1);
  EXPECT_FALSE(probe.disarm().has_value());
}

TEST(PeakProbe, ItsThreadsSwitchesAreItsOwn) {
  PeakProbe& probe = PeakProbe::get();
  probe.arm(1, [] { return Levels{}; });  // starts the thread if no test did
  const Switches before = probe.own_switches();
  peak_probe_note(1);
  ASSERT_TRUE(probe.disarm().has_value());
  // It slept until the note woke it: one voluntary switch at least, seen
  // at the latest when it sleeps again.
  Switches after = probe.own_switches();
  for (int i = 0; i < 100 && after.voluntary == before.voluntary; ++i) {
    ::usleep(1000);
    after = probe.own_switches();
  }
  EXPECT_GT(after.voluntary, before.voluntary);
}

}  // namespace
}  // namespace cvp
