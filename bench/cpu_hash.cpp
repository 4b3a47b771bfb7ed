// cpu_hash harness: SHA-256 hashing (CPU-bound tasks) under every execution model.
#include "workloads/cpu_hash.hpp"

#include "harness.hpp"

namespace {

using cvp::bench::Overrides;
using cvp::bench::Point;
using cvp::bench::Profile;

// Rounds per message size so that every task costs about the same, ~40 us
// with SHA-NI: a 64-byte message measures per-call overhead (and would show a
// lock if one were taken per digest), a 64 KiB one raw hashing throughput.
struct Size {
  std::int64_t bytes;
  int rounds;
};
constexpr Size kSizes[] = {{64, 256}, {4096, 16}, {65536, 1}};

// About 160 ms per serial run on the reference machine.
constexpr std::int64_t kTasks = 4096;

int default_rounds(std::int64_t bytes) {
  for (const Size& s : kSizes) {
    if (s.bytes == bytes) return s.rounds;
  }
  return 1;
}

std::vector<Point> grid(const Profile& profile, const Overrides& ov) {
  std::vector<Point> out;
  const auto add = [&out](std::vector<Point> part) {
    out.insert(out.end(), part.begin(), part.end());
  };
  if (ov.any()) {
    std::vector<std::int64_t> sizes;
    for (const Size& s : kSizes) sizes.push_back(s.bytes);
    for (std::int64_t b : ov.bytes.value_or(sizes)) {
      for (std::int64_t r : ov.rounds.value_or(std::vector<std::int64_t>{default_rounds(b)})) {
        add(cvp::bench::cross(ov.models.value_or(cvp::bench::all_models()),
                              ov.tasks.value_or(std::vector<std::int64_t>{kTasks}),
                              ov.workers.value_or(std::vector<std::int64_t>{2}), [b, r](Point& p) {
                                p.bytes = b;
                                p.rounds = static_cast<int>(r);
                              }));
      }
    }
    return out;
  }
  const bool quick = profile.name == "quick", full = profile.name == "full";
  const std::vector<std::int64_t> workers = quick  ? std::vector<std::int64_t>{1, 2}
                                            : full ? std::vector<std::int64_t>{1, 2, 4, 8}
                                                   : std::vector<std::int64_t>{1, 2, 4};
  const std::int64_t tasks = quick ? 1024 : kTasks;
  for (const Size& s : kSizes) {
    if (quick && s.bytes == 4096) continue;
    const auto fill = [s](Point& p) {
      p.bytes = s.bytes;
      p.rounds = s.rounds;
    };
    // Without waits, the sequential and the blocking loop run exactly the
    // code path of the gathered one; io_sleep and mixed tell them apart.
    add(cvp::bench::cross({"serial", "event_loop", "event_loop_offload"}, {tasks}, {1}, fill));
    add(cvp::bench::cross({"tbb", "fork"}, {tasks}, workers, fill));
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  return cvp::bench::run_main(
      argc, argv,
      {"cpu_hash",
       "CPU-bound tasks: each hashes a message with SHA-256, chained rounds",
       {"bytes", "rounds"},
       grid,
       [](const Point& p) -> std::unique_ptr<cvp::Workload> {
         return std::make_unique<cvp::CpuHash>(p.tasks, p.bytes, p.rounds);
       }});
}
