// Rank 0's side of one run: it hands out chunks of tasks on demand, runs a share itself and
// gathers every rank's digests.
#include "dispatcher.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <string>
#include <vector>

#include "models/blocking_task.hpp"
#include "models/worker_processes.hpp"
#include "timing.hpp"
#include "wire.hpp"

namespace cvp::mpi {
namespace {

// Rank 0's side of one run towards the other ranks: their requests, the
// chunks each holds, the digests and latencies they return, and their progress.
class Dispatcher {
 public:
  Dispatcher(const World& world, int run, Chunks& chunks, std::span<Digest> out,
             std::span<std::int64_t> task_ns, const Pace& pace)
      : world_(world),
        run_(run),
        chunks_(chunks),
        out_(out),
        task_ns_(task_ns),
        timeout_(pace.progress_timeout),
        remote_(static_cast<std::size_t>(world.size())),
        open_(world.size() - 1),
        reqs_(static_cast<std::size_t>(world.size()), MPI_REQUEST_NULL),
        next_check_(Clock::now() + kCheckEvery) {
    for (int k = 1; k < world.size(); ++k) {
      Remote& r = remote_[static_cast<std::size_t>(k)];
      r.since = Clock::now();
      r.buf.resize(buffer_bytes(chunks.chunk));
      post(k);
    }
  }
  // A run that ends in an exception leaves receives posted: cancelled here,
  // before their buffers go.
  ~Dispatcher() {
    for (MPI_Request& req : reqs_) {
      if (req == MPI_REQUEST_NULL) continue;
      MPI_Cancel(&req);
      MPI_Request_free(&req);
    }
  }
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;

  // Handles every message that has arrived, and every 20 ms checks that the
  // other ranks make progress. True when it handled a message.
  bool poll() {
    bool handled = false;
    while (open_ > 0) {
      int count = 0;
      check(MPI_Testsome(static_cast<int>(reqs_.size()), reqs_.data(), &count, ready_.data(),
                         statuses_.data()),
            "MPI_Testsome");
      if (count <= 0) break;  // MPI_UNDEFINED: no receive left posted
      for (int j = 0; j < count; ++j) {
        const int src = ready_[static_cast<std::size_t>(j)];
        int bytes = 0;
        check(MPI_Get_count(&statuses_[static_cast<std::size_t>(j)], MPI_BYTE, &bytes),
              "MPI_Get_count");
        handle(src, bytes);
        if (!remote_[static_cast<std::size_t>(src)].done()) post(src);
      }
      handled = true;
    }
    if (Clock::now() >= next_check_) {
      check_progress();
      next_check_ = Clock::now() + kCheckEvery;
    }
    return handled;
  }

  // Every other rank has sent its first message of the run.
  bool all_greeted() const { return greeted_ == world_.size() - 1; }

  // Every other rank has returned every chunk it took and asks for no more.
  bool finished() const { return open_ == 0; }
  const std::string& error() const { return error_; }
  void fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    chunks_.stop = true;
  }
  int received() const { return received_; }
  // Whether rank 0's own share holds a chunk now.
  void hold_local(bool holds) {
    local_ = holds;
    note_holders();
  }
  int peak() const { return peak_; }

 private:
  static constexpr std::chrono::milliseconds kCheckEvery{20};

  void note_holders() { peak_ = std::max(peak_, holders_ + (local_ ? 1 : 0)); }

  // What rank 0 knows of another rank in this run.
  struct Remote {
    std::vector<std::byte> buf;  // its next message: one receive posted per rank
    std::deque<Range> held;      // chunks taken, digests not yet back, oldest first
    Clock::time_point since;     // when it was last heard from (or the run started)
    bool greeted = false;        // its first message of the run arrived
    bool closed = false;         // it was told that no chunk is left
    int last_want = 0;           // chunks its last message asked for
    int owed = 0;                // chunks it asked for and was not yet answered
    bool done() const { return greeted && held.empty() && owed == 0 && (closed || last_want == 0); }
  };

  // One receive per rank, not one for any source: a message too large to
  // be sent eagerly, from a rank slow to complete it, holds up only its own.
  void post(int src) {
    std::vector<std::byte>& buf = remote_[static_cast<std::size_t>(src)].buf;
    check(MPI_Irecv(buf.data(), static_cast<int>(buf.size()), MPI_BYTE, src, kTagWork,
                    MPI_COMM_WORLD, &reqs_[static_cast<std::size_t>(src)]),
          "MPI_Irecv");
  }

  RankLost lost(int r, const std::string& why) const {
    return RankLost(world_.describe(r) + " " + why);
  }

  // One message from rank `src`: a chunk's outcome, then the chunks it asks for.
  void handle(int src, int bytes) {
    if (src <= 0 || src >= world_.size()) throw MpiError("a message from an unknown rank");
    Remote& r = remote_[static_cast<std::size_t>(src)];
    if (r.done()) throw lost(src, "sent a message after its last");
    WorkHeader h{};
    if (bytes < static_cast<int>(sizeof h)) throw lost(src, "sent a short message");
    std::memcpy(&h, r.buf.data(), sizeof h);
    const auto payload = static_cast<std::size_t>(bytes) - sizeof h;
    if (h.run != run_) throw lost(src, "sent a message of another run");
    if (h.want < 0 || h.want > kAhead) throw lost(src, "asked for a bad number of chunks");
    if (h.begin >= 0) {
      take_back(src, r, h, payload);
    } else if (r.greeted) {
      throw lost(src, "started the run twice");
    } else {
      ++greeted_;
    }
    r.greeted = true;
    r.since = Clock::now();
    r.last_want = h.want;
    r.owed += h.want;
    answer(src, r);
    note_holders();
    if (r.done()) --open_;
  }

  // Answers what `src` asked for, as far as it should be now: a chunk when
  // it holds none, or while chunks are plenty (one per rank still left);
  // "none left" once they are gone. A second chunk asked for near the end
  // waits until its asker is free, so that the last chunks go to ranks with
  // nothing to do rather than queue behind a busy one.
  void answer(int src, Remote& r) {
    while (r.owed > 0) {
      Assign a{run_, 0, 0};
      Range c;
      const bool plenty = chunks_.left() >= world_.size();
      if (!r.closed && (r.held.empty() || plenty) && chunks_.take(c)) {
        if (r.held.empty()) ++holders_;
        r.held.push_back(c);
        a = {run_, c.begin, c.end};
      } else if (r.closed || chunks_.exhausted()) {
        r.closed = true;
      } else {
        return;  // kept for a free rank; answered with `src`'s next outcome
      }
      --r.owed;
      check(MPI_Send(&a, sizeof a, MPI_BYTE, src, kTagAssign, MPI_COMM_WORLD), "MPI_Send");
    }
  }

  // The outcome of the oldest chunk `src` holds.
  void take_back(int src, Remote& r, const WorkHeader& h, std::size_t payload) {
    const std::byte* body = r.buf.data() + sizeof h;
    if (r.held.empty() || h.begin != r.held.front().begin) {
      throw lost(src, "sent an outcome for tasks it was not given");
    }
    const Range c = r.held.front();
    if (h.result == kDigests) {
      const auto count = static_cast<std::size_t>(h.count);
      if (h.count != c.end - c.begin || payload != count * kTaskBytes) {
        throw lost(src, "sent digests for tasks it was not given");
      }
      std::memcpy(out_.data() + c.begin, body, count * sizeof(Digest));
      std::memcpy(task_ns_.data() + c.begin, body + count * sizeof(Digest),
                  count * sizeof(std::int64_t));
      received_ += h.count;
    } else if (h.result == kFailed) {
      fail(std::string(reinterpret_cast<const char*>(body), payload));
    } else if (h.result != kSkipped) {
      throw lost(src, "sent an outcome of unknown kind");
    }
    r.held.pop_front();
    if (r.held.empty()) --holders_;
  }

  // A rank that says nothing for longer than the timeout is stuck; one
  // whose process is gone is dead.
  void check_progress() {
    check_term();
    std::vector<int> waiting;
    const auto now = Clock::now();
    for (int k = 1; k < world_.size(); ++k) {
      const Remote& r = remote_[static_cast<std::size_t>(k)];
      if (r.done()) continue;
      waiting.push_back(k);
      if (now - r.since <= timeout_) continue;
      char limit[32];
      std::snprintf(limit, sizeof limit, "%.1f", std::chrono::duration<double>(timeout_).count());
      if (r.held.empty()) throw lost(k, "sent nothing for more than " + std::string(limit) + " s");
      throw lost(k, "held tasks " + std::to_string(r.held.front().begin) + " to " +
                        std::to_string(r.held.back().end - 1) + " and sent nothing for more than " +
                        limit + " s");
    }
    check_alive(world_, waiting);
  }

  const World& world_;
  const int run_;
  Chunks& chunks_;
  std::span<Digest> out_;
  std::span<std::int64_t> task_ns_;
  const std::chrono::milliseconds timeout_;
  std::vector<Remote> remote_;
  int open_;                       // other ranks not yet done
  int greeted_ = 0;                // other ranks whose first message arrived
  std::vector<MPI_Request> reqs_;  // per rank (rank 0's stays null)
  std::vector<int> ready_ = std::vector<int>(reqs_.size());
  std::vector<MPI_Status> statuses_ = std::vector<MPI_Status>(reqs_.size());
  Clock::time_point next_check_;
  std::string error_;
  int received_ = 0;
  int holders_ = 0;     // other ranks holding at least one chunk
  bool local_ = false;  // rank 0's own share holds a chunk
  int peak_ = 0;
};

// Rank 0's own share: chunks taken from the same queue as the others',
// requests answered between two tasks, each task stamped by `stamps` (whose
// count is not used: rank 0 counts ranks holding chunks). The tasks it computed.
int run_local_share(const World& world, const Workload& w, std::span<Digest> out,
                    InflightGauge& stamps, Chunks& chunks, Dispatcher& d, const Pace& pace) {
  Gate gate(pace.poll_every);
  // Rank 0 answers requests during its own tasks' waits, too.
  const WaitTicker serving{pace.poll_every, [&d] { d.poll(); }};
  int computed = 0;
  Range c;
  try {
    // The other ranks' first requests come microseconds after the barrier:
    // answered before rank 0 takes a chunk of its own, so that none waits a
    // whole task of rank 0's for its first chunks (a rank slow to start, on
    // an oversubscribed machine, is not waited for longer than a poll).
    const auto greet_by = Clock::now() + pace.poll_every;
    while (!d.all_greeted() && Clock::now() < greet_by) d.poll();
    while ((d.poll(), chunks.take(c))) {
      d.hold_local(true);
      for (int i = c.begin; i < c.end && !chunks.stop; ++i) {
        out[static_cast<std::size_t>(i)] = run_task_blocking(w, i, stamps, &serving);
        ++computed;
        if (gate.due()) d.poll();
      }
    }
  } catch (const RankLost&) {
    throw;
  } catch (const MpiError&) {
    throw;
  } catch (const std::exception& e) {
    d.fail(world.describe(0) + ": " + e.what());
  }
  d.hold_local(false);
  return computed;
}

}  // namespace

RunOutcome dispatch_run(const World& world, int run, const Workload& w, std::span<Digest> out,
                        std::span<std::int64_t> task_ns, const Pace& pace) {
  const int n = w.tasks();
  InflightGauge stamps(n);  // made before the clock: its mapping is set up outside the run
  barrier(world, {"every rank at the start of a run", world.others(),
                  Clock::now() + std::chrono::seconds(30), std::chrono::microseconds(1000)});

  const double cpu0 = cpu_seconds_self();
  const auto t0 = Clock::now();
  Chunks chunks{0, n, workers::chunk_size(n, world.size()), false};
  Dispatcher d(world, run, chunks, out, task_ns, pace);
  const int local = run_local_share(world, w, out, stamps, chunks, d, pace);
  Backoff backoff(pace.idle_cap);
  backoff.reset();
  while (!d.finished()) {
    if (d.poll()) {
      backoff.reset();
    } else {
      backoff.pause();
    }
  }
  RunOutcome o{seconds_since(t0), cpu_seconds_self() - cpu0, d.peak(), d.error()};
  // Rank 0's own tasks: the only stamps its gauge holds (the others' are 0).
  for (int i = 0; i < n; ++i) {
    if (const std::int64_t ns = stamps.task_ns(i); ns != 0)
      task_ns[static_cast<std::size_t>(i)] = ns;
  }
  if (o.error.empty() && d.received() + local != n) {
    o.error = "mpi: the ranks returned " + std::to_string(d.received() + local) + " of " +
              std::to_string(n) + " digests";
  }
  return o;
}

}  // namespace cvp::mpi
