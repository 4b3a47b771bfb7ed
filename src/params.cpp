// Validation of every user-chosen parameter, with one message naming the bad value.
#include "params.hpp"

#include <stdexcept>
#include <string>

namespace cvp {

std::int64_t check_range(std::string_view what, std::int64_t value, std::int64_t lo,
                         std::int64_t hi) {
  if (value < lo || value > hi) {
    throw std::invalid_argument(std::string(what) + " is " + std::to_string(value) +
                                "; allowed: " + std::to_string(lo) + " to " + std::to_string(hi));
  }
  return value;
}

int check_tasks(std::int64_t tasks) {
  return static_cast<int>(check_range("tasks", tasks, 1, kMaxTasks));
}

int check_workers(std::int64_t workers) {
  return static_cast<int>(check_range("workers", workers, 1, kMaxWorkers));
}

std::int64_t check_sleep_us(std::int64_t sleep_us) {
  return check_range("sleep_us", sleep_us, 0, kMaxSleepUs);
}

std::int64_t check_bytes(std::int64_t bytes) { return check_range("bytes", bytes, 1, kMaxBytes); }

int check_rounds(std::int64_t rounds) {
  return static_cast<int>(check_range("rounds", rounds, 1, kMaxRounds));
}

}  // namespace cvp
