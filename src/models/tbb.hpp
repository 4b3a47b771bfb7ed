// tbb: tbb::parallel_for over the tasks inside a task_arena of W threads.
#pragma once

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/task_arena.h>

#include <optional>

#include "models/model.hpp"

namespace cvp {

class TbbModel final : public Model {
 public:
  explicit TbbModel(int workers);

  std::string_view name() const override { return "tbb"; }
  void prepare(const Workload& w) override;
  RunReport run(const Workload& w, std::span<Digest> out) override;

 private:
  // TBB caps its worker threads at the core count; an arena wider than that
  // gets its threads only while a global_control raising the cap is alive.
  // Declared before the arena so it outlives it.
  std::optional<tbb::global_control> widen_;
  tbb::task_arena arena_;
};

}  // namespace cvp
