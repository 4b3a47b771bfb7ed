// thread_per_task: one OS thread made per task when the run starts, all joined at its end.
#pragma once

#include "models/model.hpp"

namespace cvp {

// The fair opponent of a gathered event loop: N tasks in flight on N
// threads, each blocking in its own wait. Creation and joining are part of
// every run, as they are for a server that starts a thread per request.
class ThreadPerTaskModel final : public Model {
 public:
  ThreadPerTaskModel() : Model(1) {}
  std::string_view name() const override { return "thread_per_task"; }
  RunReport run(const Workload& w, std::span<Digest> out) override;
};

}  // namespace cvp
