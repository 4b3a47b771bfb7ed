// Clocks, blocking sleeps and timer slack: the time primitives every model shares.
#include "timing.hpp"

#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <cerrno>
#include <system_error>

namespace cvp {
namespace {

double to_seconds(const timeval& tv) {
  return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) * 1e-6;
}

double cpu_seconds(int who) {
  rusage ru{};
  if (getrusage(who, &ru) != 0)
    throw std::system_error(errno, std::generic_category(), "getrusage");
  return to_seconds(ru.ru_utime) + to_seconds(ru.ru_stime);
}

}  // namespace

void sleep_blocking(std::chrono::nanoseconds d) {
  if (d <= std::chrono::nanoseconds::zero()) return;
  timespec deadline{};
  if (clock_gettime(CLOCK_MONOTONIC, &deadline) != 0) {
    throw std::system_error(errno, std::generic_category(), "clock_gettime");
  }
  const auto total = deadline.tv_nsec + d.count();
  deadline.tv_sec += static_cast<time_t>(total / 1'000'000'000);
  deadline.tv_nsec = static_cast<long>(total % 1'000'000'000);
  int rc;
  // clock_nanosleep returns the error number instead of setting errno.
  while ((rc = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, nullptr)) == EINTR) {
  }
  if (rc != 0) throw std::system_error(rc, std::generic_category(), "clock_nanosleep");
}

void set_timer_slack(std::chrono::nanoseconds slack) {
  if (prctl(PR_SET_TIMERSLACK, static_cast<unsigned long>(slack.count()), 0, 0, 0) != 0) {
    throw std::system_error(errno, std::generic_category(), "prctl(PR_SET_TIMERSLACK)");
  }
}

std::chrono::nanoseconds timer_slack() {
  const int slack = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
  if (slack < 0)
    throw std::system_error(errno, std::generic_category(), "prctl(PR_GET_TIMERSLACK)");
  return std::chrono::nanoseconds(slack);
}

std::int64_t monotonic_ns() {
  timespec ts{};
  if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
    throw std::system_error(errno, std::generic_category(), "clock_gettime");
  }
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double cpu_seconds_self() { return cpu_seconds(RUSAGE_SELF); }

double median(std::vector<double> v) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

double cpu_seconds_with_children() {
  return cpu_seconds(RUSAGE_SELF) + cpu_seconds(RUSAGE_CHILDREN);
}

}  // namespace cvp
