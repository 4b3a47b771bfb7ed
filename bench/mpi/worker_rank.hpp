// A worker rank's side of one run (every rank but 0): ask rank 0 for chunks of tasks, run them
// the blocking way, send their digests back.
#pragma once

#include <array>
#include <deque>
#include <span>
#include <vector>

#include "comm.hpp"
#include "models/blocking_task.hpp"
#include "runner.hpp"
#include "wire.hpp"

namespace cvp::mpi {

// A worker asks for kAhead chunks at the start and for one more with each
// chunk's digests, so it holds the next chunk while it computes the current
// one: rank 0 has a whole chunk's time to answer, and no rank waits for a
// reply while there is work left.
class WorkerRank {
 public:
  WorkerRank(const World& world, int run, const Workload& w, const Pace& pace);
  WorkerRank(const WorkerRank&) = delete;
  WorkerRank& operator=(const WorkerRank&) = delete;

  // Works through the chunks rank 0 hands out until it says none is left;
  // this rank's time and CPU seconds from the barrier that starts the run.
  RunOutcome work();

 private:
  // A send buffer and its request: a chunk's digests may still be in
  // flight while the next chunk's are written into the other.
  struct Slot {
    std::vector<std::byte> buf;
    MPI_Request req = MPI_REQUEST_NULL;
  };

  Watch reply_watch() const;
  void post_receive();
  void take_assignment(const MPI_Status& st);
  void progress();
  void wait_for_assignment();
  void send(Slot& s, const WorkHeader& h, std::size_t bytes);
  std::size_t run_chunk(const Range& c, Slot& s, WorkHeader& h);
  void handle_chunk(const Range& c);

  const World& world_;
  const int run_;
  const Workload& w_;
  const Pace& pace_;
  const int chunk_;
  std::deque<Range> held_;  // chunks assigned and not yet computed, oldest first
  int pending_ = 0;         // assignments asked for and not yet received
  bool closed_ = false;     // rank 0 said that no chunk is left
  bool failed_ = false;     // a task failed: the chunks still held are skipped
  Assign in_{};
  MPI_Request in_req_ = MPI_REQUEST_NULL;
  std::array<Slot, 2> slots_;
  int slot_ = 0;
  Gate gate_;
  InflightGauge gauge_;  // stamps this rank's tasks (rank 0 counts chunks in flight)
};

}  // namespace cvp::mpi
