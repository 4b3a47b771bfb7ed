// io_sleep: each task waits T without using the CPU, simulated IO.
#pragma once

#include "workloads/workload.hpp"

namespace cvp {

class IoSleep final : public Workload {
 public:
  // Throws std::invalid_argument for tasks or sleep_us out of range.
  IoSleep(std::int64_t tasks, std::int64_t sleep_us);

  std::string_view name() const override { return "io_sleep"; }

  // A token derived from the index alone, at a cost of nanoseconds: the
  // "response" of the simulated IO, so a lost or duplicated task shows up in
  // the digest check.
  Digest compute(int index) const override;
};

}  // namespace cvp
