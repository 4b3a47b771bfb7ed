// MPI plumbing for the mpi harness: checked calls, the ranks and their hosts, and waits that do not
// spin.
#pragma once

#include <mpi.h>

#include <chrono>
#include <limits>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace cvp::mpi {

// An MPI call that did not return MPI_SUCCESS: MPI_COMM_WORLD uses
// MPI_ERRORS_RETURN, so every call's code is checked where it is made.
class MpiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The ranks can no longer act together: one died or hung, or mpiexec is
// ending the job. No collective call may follow; the harness reports the
// benchmark in error and ends the job with MPI_Abort.
class RankLost : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws MpiError("<what>: <MPI's message>") unless rc is MPI_SUCCESS.
void check(int rc, const char* what);

// Notes SIGTERM, which mpiexec sends to every rank when one of them died,
// about a second before its SIGKILL: long enough for rank 0 to report.
void install_term_handler();
// Throws RankLost when SIGTERM arrived.
void check_term();
bool term_received();

struct Peer {
  int rank = 0;
  int pid = 0;
  int cpus = 1;  // usable CPUs of the rank's process (affinity and quota)
  std::string host;
};

// MPI_COMM_WORLD, initialised (every rank is one thread) and finalised at
// the end.
class World {
 public:
  World(int& argc, char**& argv);
  ~World();
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  int rank() const { return rank_; }
  int size() const { return static_cast<int>(peers_.size()); }
  const std::vector<Peer>& peers() const { return peers_; }
  // True when `rank` runs on this rank's host, where its pid can be watched.
  bool local(int rank) const { return peers_[rank].host == peers_[rank_].host; }
  // "rank 1 (pid 1234 on vm)"
  std::string describe(int rank) const;
  // Every rank but this one, in order: the ranks a wait of this one watches.
  const std::vector<int>& others() const { return others_; }

  std::string library() const;  // MPI_Get_library_version, first line
  std::string hosts() const;    // each rank's processor name, in rank order
  int cpus_all_hosts() const;   // usable CPUs summed over the distinct hosts

  // Ends every rank of the job (MPI_Abort); never returns.
  [[noreturn]] void abort(int code) const;

 private:
  int rank_ = 0;
  std::vector<Peer> peers_;
  std::vector<int> others_;
};

// What a wait watches besides its request: how long it may take, and the
// ranks whose death ends it (those on this host are checked by pid).
struct Watch {
  std::string what;  // "rank 1's results", for the message
  std::vector<int> ranks;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
  // The longest sleep between two polls: the wait's latency once idle.
  std::chrono::microseconds max_sleep{100};
};

// Throws RankLost naming the first rank of `ranks` on this host that is
// gone (no such process, or a zombie).
void check_alive(const World& world, const std::vector<int>& ranks);

// Sleeps between polls, from a few microseconds up to a cap: Open MPI's own
// blocking calls spin on a core, which on a 2-core machine would take the
// core a rank should be hashing on.
class Backoff {
 public:
  explicit Backoff(std::chrono::microseconds cap) : cap_(cap) {}
  void reset() {
    polls_ = 0;
    sleep_ = std::chrono::microseconds(2);
  }
  void pause();

 private:
  std::chrono::microseconds cap_;
  int polls_ = 0;
  std::chrono::microseconds sleep_{2};
};

// Polls `req` until it completes (status into `status`, which may be
// MPI_STATUS_IGNORE). Throws RankLost when the watch fires, MpiError on an
// MPI error.
void wait(const World& world, MPI_Request& req, MPI_Status* status, const Watch& watch);

// A barrier that sleeps while ranks are missing (MPI_Ibarrier, polled), then
// a second one polled tightly, so that every rank leaves it within
// microseconds of the others: the clock starts right after it.
void barrier(const World& world, const Watch& watch);

}  // namespace cvp::mpi
