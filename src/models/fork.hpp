// fork: W child processes forked per run, taking chunks of tasks on demand, digests back over
// pipes.
#pragma once

#include <chrono>

#include "models/model.hpp"

namespace cvp {

// Fork-per-run worker processes: every run forks min(W, N) children, which
// take chunks of about N/(32W) tasks from a shared counter whenever they are
// free (workers::chunk_size), so a child slowed for a while, or forked
// later, takes fewer chunks instead of holding up the end. Each writes
// (index, digest) records to its pipe; the parent reads all pipes with poll
// and reaps each child as its pipe closes. A child that dies fails the run
// at once; one that holds a chunk longer than the progress timeout is killed
// and fails it; the failure names the worker, and no child is left running
// or unreaped.
class ForkModel final : public Model {
 public:
  // `progress_timeout` of zero picks one from the workload
  // (workers::default_progress_timeout).
  explicit ForkModel(int workers, std::chrono::milliseconds progress_timeout = {});

  std::string_view name() const override { return "fork"; }
  RunReport run(const Workload& w, std::span<Digest> out) override;

 private:
  std::chrono::milliseconds progress_timeout_;
};

}  // namespace cvp
