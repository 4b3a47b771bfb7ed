// io_sleep: each task waits T without using the CPU, simulated IO.
#include "workloads/io_sleep.hpp"

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

Digest IoSleep::compute(int index) const {
  Digest d{};
  std::uint64_t x = static_cast<std::uint64_t>(index);
  for (std::size_t word = 0; word < d.size() / 8; ++word) {
    x = splitmix64(x);
    for (std::size_t b = 0; b < 8; ++b) d[word * 8 + b] = static_cast<std::uint8_t>(x >> (8 * b));
  }
  return d;
}

}  // namespace cvp
