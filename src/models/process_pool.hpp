// process_pool: W worker processes forked once and kept; each run's tasks dispatched to them in
// chunks.
#pragma once

#include <chrono>
#include <deque>
#include <memory>

#include "models/inflight_gauge.hpp"
#include "models/model.hpp"
#include "models/worker_processes.hpp"

namespace cvp {

// The C++ counterpart of multiprocessing.Pool: prepare() forks W workers for
// a workload and keeps them; a run resets a shared chunk queue, sends each
// worker one command, and the workers take chunks of tasks
// until none is left (chunks of about N/(32W)), then report their CPU time. The run costs a command
// and a reply per worker, not a fork. A worker that dies or stops making
// progress fails the run at once; the pool is then torn down (no zombie, no
// descriptor left) and forked anew by the next prepare() or run().
class ProcessPoolModel final : public Model {
 public:
  explicit ProcessPoolModel(int workers, std::chrono::milliseconds progress_timeout = {});
  ~ProcessPoolModel() override;

  std::string_view name() const override { return "process_pool"; }
  void prepare(const Workload& w) override;
  RunReport run(const Workload& w, std::span<Digest> out) override;

  // The live workers' pids (for tests): empty when the pool is down.
  std::vector<int> worker_pids() const;

 private:
  void start(const Workload& w);
  void stop() noexcept;

  std::chrono::milliseconds progress_timeout_;
  const Workload* prepared_ = nullptr;  // the workload the workers were forked with
  bool traced_ = false;
  std::unique_ptr<InflightGauge> gauge_;
  std::unique_ptr<workers::ChunkQueue> queue_;
  std::deque<workers::Child> children_;
};

}  // namespace cvp
