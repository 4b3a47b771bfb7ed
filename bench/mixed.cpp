// mixed harness: tasks that hash for a share of their time and wait for the rest.
#include "workloads/mixed.hpp"

#include <algorithm>
#include <cmath>

#include "harness.hpp"
#include "timing.hpp"
#include "workloads/cpu_hash.hpp"

namespace {

using cvp::bench::Overrides;
using cvp::bench::Point;
using cvp::bench::Profile;

constexpr std::int64_t kTaskUs = 10'000;  // every task: 10 ms of hashing plus waiting
constexpr std::int64_t kBytes = 4096;
constexpr std::int64_t kTasks = 16;

// Seconds of one 4 KiB SHA-256 round on this machine, fastest of five
// batches: it turns a CPU share into a number of rounds.
double round_seconds() {
  static const double seconds = [] {
    double best = 1;
    for (int batch = 0; batch < 5; ++batch) {
      const auto t0 = cvp::Clock::now();
      cvp::CpuHash::digest(batch, kBytes, 256);
      best = std::min(best, std::chrono::duration<double>(cvp::Clock::now() - t0).count() / 256);
    }
    return best;
  }();
  return seconds;
}

// A task of kTaskUs with CPU share `share`: the hashing rounds that take
// share * kTaskUs here, and a wait for the rest.
void fill_share(Point& p, double share) {
  p.rounds = static_cast<int>(std::lround(share * kTaskUs * 1e-6 / round_seconds()));
  p.bytes = p.rounds > 0 ? kBytes : 0;
  p.sleep_us = std::lround((1 - share) * kTaskUs);
}

std::vector<Point> grid(const Profile& profile, const Overrides& ov) {
  const bool quick = profile.name == "quick";
  std::vector<double> shares =
      quick ? std::vector<double>{0, 0.5, 1} : std::vector<double>{0, 0.1, 0.25, 0.5, 0.75, 1};
  std::vector<Point> out;
  const auto add = [&out](std::vector<Point> part) {
    out.insert(out.end(), part.begin(), part.end());
  };
  for (double share : shares) {
    const auto fill = [share](Point& p) { fill_share(p, share); };
    if (ov.any()) {
      add(cvp::bench::cross(ov.models.value_or(cvp::bench::all_models()),
                            ov.tasks.value_or(std::vector<std::int64_t>{kTasks}),
                            ov.workers.value_or(std::vector<std::int64_t>{2}), fill));
      continue;
    }
    add(cvp::bench::cross({"serial", "event_loop", "event_loop_offload"}, {kTasks}, {1}, fill));
    add(cvp::bench::cross({"tbb"}, {kTasks}, {2, kTasks}, fill));
    add(cvp::bench::cross({"fork"}, {kTasks}, {2}, fill));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  return cvp::bench::run_main(
      argc, argv,
      {"mixed",
       "tasks of 10 ms that hash (SHA-256, 4 KiB rounds) for a share of it and wait for the rest",
       {},
       grid,
       [](const Point& p) -> std::unique_ptr<cvp::Workload> {
         return std::make_unique<cvp::Mixed>(p.tasks, p.bytes, p.rounds, p.sleep_us);
       }});
}
