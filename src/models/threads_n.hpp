// threads_n: a pool of N threads made before timing, each running one task per run.
#pragma once

#include <memory>

#include "models/model.hpp"

namespace cvp {

// A thread per task without the cost of making it: the pool is as large as
// the run has tasks, made in prepare(), and each thread runs its one task of
// every run. Beside thread_per_task it separates what a thread costs to make
// from what it costs to hold and wake.
class ThreadsNModel final : public Model {
 public:
  ThreadsNModel();
  ~ThreadsNModel() override;

  std::string_view name() const override { return "threads_n"; }
  // Makes w.tasks() threads (a pool of another size is stopped first).
  void prepare(const Workload& w) override;
  // Without prepare() for this N, the pool is made here, inside the run.
  RunReport run(const Workload& w, std::span<Digest> out) override;

 private:
  struct Pool;
  std::unique_ptr<Pool> pool_;
};

}  // namespace cvp
