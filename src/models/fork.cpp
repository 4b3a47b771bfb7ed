// fork: W child processes forked per run, taking chunks of tasks on demand, digests back over
// pipes.
#include "models/fork.hpp"

#include <unistd.h>

#include <algorithm>
#include <deque>

#include "models/worker_processes.hpp"

namespace cvp {

ForkModel::ForkModel(int workers, std::chrono::milliseconds progress_timeout)
    : Model(workers), progress_timeout_(progress_timeout) {}

RunReport ForkModel::run(const Workload& w, std::span<Digest> out) {
  const int spawn = std::min(workers(), w.tasks());
  InflightGauge gauge(w.tasks(), tracing());
  workers::ChunkQueue queue;
  queue.reset(w.tasks(), workers::chunk_size(w.tasks(), spawn));
  std::deque<workers::Child> children;  // a deque: Child is neither copied nor moved

  for (int k = 0; k < spawn; ++k) {
    workers::Pipe pipe = workers::make_pipe();
    workers::Child& c = children.emplace_back();
    c.number = k;
    c.pid = workers::fork_worker(children, [&] {
      pipe.read.reset();
      workers::serve_run(w, queue, gauge, k, pipe.write.get(), false);
      return 0;
    });
    // The parent keeps only the read end: the pipe closes when the child ends.
    c.results = std::move(pipe.read);
  }
  workers::collect(
      children, queue, out,
      {name(), workers(), false,
       progress_timeout_.count() > 0 ? progress_timeout_
                                     : workers::default_progress_timeout(w, workers())});
  return gauge.report();
}

}  // namespace cvp
