// fork: W child processes per run, each running a share of the tasks, digests back over pipes.
#pragma once

#include <chrono>

#include "models/model.hpp"

namespace cvp {

// Fork-per-run worker processes, the multiprocessing case: every run forks
// min(W, N) children; child k runs a contiguous block of the tasks (sizes
// differ by at most one) and writes (index, digest) records to its pipe; the
// parent reads all pipes with poll, then reaps every child with wait4. A
// child that exits non-zero, dies by a signal, sends too few digests or
// outlives the deadline fails the run; the failure names the worker, and no
// child is left running or unreaped.
class ForkModel final : public Model {
 public:
  // `timeout` of zero picks one from the workload (default_timeout).
  explicit ForkModel(int workers, std::chrono::milliseconds timeout = {});

  std::string_view name() const override { return "fork"; }
  Limits limits(int, int cpus) const override { return {workers(), std::min(workers(), cpus)}; }
  RunReport run(const Workload& w, std::span<Digest> out) override;

  // 60 s plus four times the waits one worker sits through: generous enough
  // for a loaded machine, short enough that a hung child fails the run.
  static std::chrono::milliseconds default_timeout(const Workload& w, int workers);

 private:
  std::chrono::milliseconds timeout_;
};

}  // namespace cvp
