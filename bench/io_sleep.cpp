// io_sleep harness: simulated IO (each task waits T) under every execution model.
#include "workloads/io_sleep.hpp"

#include <cmath>

#include "harness.hpp"
#include "models/model.hpp"

namespace {

using cvp::bench::Overrides;
using cvp::bench::Point;
using cvp::bench::Profile;

constexpr std::int64_t kSleepUs = 10'000;  // 10 ms: a slow network round trip

// Longest one run of a thread or process series may take, in the default
// profile: it caps N for small W so the whole grid fits the time budget.
constexpr double kMaxRunS = 1.5;

std::vector<Point> grid(const Profile& profile, const Overrides& ov) {
  if (ov.any()) {
    const auto sleeps = ov.sleep_us.value_or(std::vector<std::int64_t>{kSleepUs});
    std::vector<Point> out;
    for (std::int64_t t : sleeps) {
      auto part = cvp::bench::cross(ov.models.value_or(cvp::bench::all_models()),
                                    ov.tasks.value_or(std::vector<std::int64_t>{100}),
                                    ov.workers.value_or(std::vector<std::int64_t>{2}),
                                    [t](Point& p) { p.sleep_us = t; });
      out.insert(out.end(), part.begin(), part.end());
    }
    return out;
  }
  const bool quick = profile.name == "quick", full = profile.name == "full";
  const auto fill = [](Point& p) { p.sleep_us = kSleepUs; };
  std::vector<Point> out;
  const auto add = [&out](std::vector<Point> part) {
    out.insert(out.end(), part.begin(), part.end());
  };
  add(cvp::bench::cross(
      {"serial"}, quick ? std::vector<std::int64_t>{1, 4} : std::vector<std::int64_t>{1, 10, 100},
      {1}, fill));
  // The event loop's other shapes: awaiting one task at a time, and a
  // blocking call inside the loop. Both take N waits back to back.
  add(cvp::bench::cross(
      {"event_loop_sequential", "event_loop_blocking"},
      quick ? std::vector<std::int64_t>{1, 4} : std::vector<std::int64_t>{1, 10, 100}, {1}, fill));
  add(cvp::bench::cross({"event_loop"},
                        quick  ? std::vector<std::int64_t>{1, 100, 1000}
                        : full ? std::vector<std::int64_t>{1, 10, 100, 1000, 10000, 100000}
                               : std::vector<std::int64_t>{1, 10, 100, 1000, 10000},
                        {1}, fill));
  const std::vector<std::int64_t> workers = quick  ? std::vector<std::int64_t>{1, 2, 4}
                                            : full ? std::vector<std::int64_t>{1, 2, 4, 8, 16, 64}
                                                   : std::vector<std::int64_t>{1, 2, 4, 8};
  // event_loop_offload's W is libuv's threadpool size, fixed per process.
  for (const char* model : {"tbb", "fork", "event_loop_offload"}) {
    const auto fixed = cvp::fixed_workers(model);
    for (std::int64_t w : fixed ? std::vector<std::int64_t>{*fixed} : workers) {
      for (std::int64_t n :
           quick ? std::vector<std::int64_t>{8} : std::vector<std::int64_t>{1, 10, 100, 1000}) {
        const double run_s =
            std::ceil(static_cast<double>(n) / static_cast<double>(w)) * kSleepUs * 1e-6;
        if (run_s <= kMaxRunS) add(cvp::bench::cross({model}, {n}, {w}, fill));
      }
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  return cvp::bench::run_main(argc, argv,
                              {"io_sleep",
                               "simulated IO: each task waits sleep_us without using the CPU",
                               {"sleep_us"},
                               grid,
                               [](const Point& p) -> std::unique_ptr<cvp::Workload> {
                                 return std::make_unique<cvp::IoSleep>(p.tasks, p.sleep_us);
                               }});
}
