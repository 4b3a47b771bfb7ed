// io_sleep: each task waits T without using the CPU, simulated IO.
#pragma once

#include <vector>

#include "workloads/workload.hpp"

namespace cvp {

class IoSleep final : public Workload {
 public:
  // Throws std::invalid_argument for tasks or sleep_us out of range.
  IoSleep(std::int64_t tasks, std::int64_t sleep_us);
  // One task per entry, each with its own sleep (sleep_us is the longest).
  explicit IoSleep(std::vector<std::int64_t> sleeps_us);

  std::string_view name() const override { return "io_sleep"; }

  // A token derived from the index alone, at a cost of nanoseconds: the
  // "response" of the simulated IO, so a lost or duplicated task shows up in
  // the digest check.
  Digest compute(int index) const override;
  std::chrono::nanoseconds wait(int index) const override;

  // The token of task `index`: what compute returns.
  static Digest token(int index);

 private:
  std::vector<std::int64_t> sleeps_us_;  // empty: sleep_us for every task
};

}  // namespace cvp
