// Bare-primitive runs shared by the benchmarks that stand on the same primitive doing the same
// work.
#include "bare_share.hpp"

#include <algorithm>

namespace cvp::bench {

std::string bare_key(Primitive primitive, CapacityRule concurrency, const WorkloadParams& p,
                     int workers) {
  std::string carriers;
  switch (primitive) {
    case Primitive::kLoop:
      carriers = "loop";
      break;
    case Primitive::kUvTimers:
      carriers = concurrency == CapacityRule::kOne ? "timers-chained" : "timers-together";
      break;
    case Primitive::kOsThreads:
      carriers =
          "threads:" + std::to_string(concurrency == CapacityRule::kTasks ? p.tasks : workers);
      break;
    case Primitive::kOsThreadsMade:
      carriers = "threads-made:" + std::to_string(p.tasks);
      break;
    case Primitive::kForked:
      carriers = "processes:" + std::to_string(std::min(workers, p.tasks));
      break;
    case Primitive::kNone:
      carriers = "none";
      break;
  }
  return carriers + "/tasks:" + std::to_string(p.tasks) +
         "/sleep_us:" + std::to_string(p.sleep_us) + "/bytes:" + std::to_string(p.bytes) +
         "/rounds:" + std::to_string(p.rounds);
}

double BareShare::take(const std::string& key, const void* user,
                       const std::function<double()>& measure) {
  auto it = latest_.find(key);
  if (it == latest_.end() || it->second.users.contains(user)) {
    const double s = measure();  // may throw: nothing is recorded then
    it = latest_.insert_or_assign(key, Latest{s, {}}).first;
  }
  it->second.users.insert(user);
  return it->second.seconds;
}

}  // namespace cvp::bench
