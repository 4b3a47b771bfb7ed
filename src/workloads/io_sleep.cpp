// io_sleep: each task waits T without using the CPU, simulated IO.
#include "workloads/io_sleep.hpp"

#include <algorithm>
#include <utility>

#include "params.hpp"

namespace cvp {
namespace {

// splitmix64: a cheap, well-mixed function of the index.
std::uint64_t splitmix64(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

}  // namespace

IoSleep::IoSleep(std::int64_t tasks, std::int64_t sleep_us)
    : Workload({check_tasks(tasks), check_sleep_us(sleep_us), 0, 0}) {}

namespace {

std::int64_t checked_longest(const std::vector<std::int64_t>& sleeps_us) {
  check_tasks(static_cast<std::int64_t>(sleeps_us.size()));
  std::int64_t longest = 0;
  for (std::int64_t us : sleeps_us) longest = std::max(longest, check_sleep_us(us));
  return longest;
}

}  // namespace

IoSleep::IoSleep(std::vector<std::int64_t> sleeps_us)
    : Workload({static_cast<int>(sleeps_us.size()), checked_longest(sleeps_us), 0, 0}),
      sleeps_us_(std::move(sleeps_us)) {}

std::chrono::nanoseconds IoSleep::wait(int index) const {
  if (sleeps_us_.empty()) return longest_wait();
  return std::chrono::microseconds(sleeps_us_[static_cast<std::size_t>(index)]);
}

Digest IoSleep::compute(int index) const { return token(index); }

Digest IoSleep::token(int index) {
  Digest d{};
  std::uint64_t x = static_cast<std::uint64_t>(index);
  for (std::size_t word = 0; word < d.size() / 8; ++word) {
    x = splitmix64(x);
    for (std::size_t b = 0; b < 8; ++b) d[word * 8 + b] = static_cast<std::uint8_t>(x >> (8 * b));
  }
  return d;
}

}  // namespace cvp
