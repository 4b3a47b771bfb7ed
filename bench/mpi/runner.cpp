// The mpi model: rank 0 hands out chunks of tasks on demand and runs a share itself; the other
// ranks ask, compute and return digests.
#include "runner.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <vector>

#include "models/blocking_task.hpp"
#include "models/worker_processes.hpp"
#include "timing.hpp"

namespace cvp::mpi {
namespace {

// worker -> rank 0: one chunk's digests (or why it failed, or that it was
// skipped after a failure), and how many more chunks the worker wants.
constexpr int kTagWork = 1;
// rank 0 -> worker: one message per chunk wanted, the chunk or, when none
// is left, begin == end.
constexpr int kTagAssign = 2;

// A worker asks for at most this many chunks at a time: the one it
// computes and the one it holds next.
constexpr int kAhead = 2;

enum ChunkResult : std::int32_t {
  kDigests = 0,  // the payload is the chunk's digests
  kFailed = 1,   // the payload is why a task of the chunk failed
  kSkipped = 2,  // not computed: an earlier chunk of this worker failed
};

struct WorkHeader {
  std::int32_t run;     // the run's number, the same on every rank
  std::int32_t begin;   // the chunk's first task, or -1 in the first message of a run
  std::int32_t count;   // digests that follow, or bytes of the error text
  std::int32_t result;  // a ChunkResult
  std::int32_t want;    // chunks asked for with this message (0 to kAhead)
};
struct Assign {
  std::int32_t run;
  std::int32_t begin;
  std::int32_t end;
};
struct Range {
  int begin = 0, end = 0;
};
constexpr std::size_t kMaxErrorText = 512;

std::size_t buffer_bytes(int chunk) {
  return sizeof(WorkHeader) +
         std::max(static_cast<std::size_t>(chunk) * sizeof(Digest), kMaxErrorText);
}

// A time-gated look at the messages: at most one per `every`, checked with
// one clock read between two tasks.
class Gate {
 public:
  explicit Gate(std::chrono::microseconds every) : every_(every), next_(Clock::now() + every) {}
  bool due() {
    const auto now = Clock::now();
    if (now < next_) return false;
    next_ = now + every_;
    return true;
  }

 private:
  std::chrono::microseconds every_;
  Clock::time_point next_;
};

// The chunks of one run, in order; taken by rank 0 for itself and for the
// ranks that ask.
struct Chunks {
  int next = 0;
  int tasks = 0;
  int chunk = 1;
  bool stop = false;  // a task failed: hand out nothing more

  bool take(Range& r) {
    if (exhausted()) return false;
    r = {next, std::min(next + chunk, tasks)};
    next = r.end;
    return true;
  }
  bool exhausted() const { return stop || next >= tasks; }
  int left() const { return exhausted() ? 0 : (tasks - next + chunk - 1) / chunk; }
};

// Rank 0's side of one run towards the other ranks: their requests, the
// chunks each holds, the digests they return, and their progress.
class Dispatcher {
 public:
  Dispatcher(const World& world, int run, Chunks& chunks, std::span<Digest> out, const Pace& pace)
      : world_(world),
        run_(run),
        chunks_(chunks),
        out_(out),
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
      if (h.count != c.end - c.begin ||
          payload != static_cast<std::size_t>(h.count) * sizeof(Digest)) {
        throw lost(src, "sent digests for tasks it was not given");
      }
      std::memcpy(out_.data() + c.begin, body, payload);
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
// requests answered between two tasks. The tasks it computed.
int run_local_share(const World& world, const Workload& w, std::span<Digest> out, Chunks& chunks,
                    Dispatcher& d, const Pace& pace) {
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
        out[static_cast<std::size_t>(i)] = run_task_blocking(w, i, &serving);
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

RunOutcome Runner::run(const Workload& w, std::span<Digest> out, const Pace& pace) {
  ++run_id_;
  return world_.rank() == 0 ? dispatch(w, out, pace) : serve(w, pace);
}

RunOutcome Runner::dispatch(const Workload& w, std::span<Digest> out, const Pace& pace) {
  const int n = w.tasks();
  barrier(world_, {"every rank at the start of a run", world_.others(),
                   Clock::now() + std::chrono::seconds(30), std::chrono::microseconds(1000)});

  const double cpu0 = cpu_seconds_self();
  const auto t0 = Clock::now();
  Chunks chunks{0, n, workers::chunk_size(n, world_.size()), false};
  Dispatcher d(world_, run_id_, chunks, out, pace);
  const int local = run_local_share(world_, w, out, chunks, d, pace);
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
  if (o.error.empty() && d.received() + local != n) {
    o.error = "mpi: the ranks returned " + std::to_string(d.received() + local) + " of " +
              std::to_string(n) + " digests";
  }
  return o;
}

RunOutcome Runner::serve(const Workload& w, const Pace& pace) {
  const int chunk = workers::chunk_size(w.tasks(), world_.size());
  // Rank 0 may be busy for long between runs (its paired serial run): the
  // wait for it has no deadline, only its death (on this host) or
  // mpiexec's SIGTERM ends it.
  barrier(world_,
          {"rank 0", {0}, Clock::now() + pace.between_runs, std::chrono::microseconds(1000)});
  // In a run rank 0 answers within one of its tasks (or a slice of a wait).
  const auto busy = [&pace] {
    return Watch{"rank 0's reply",
                 {0},
                 Clock::now() + pace.progress_timeout,
                 std::chrono::microseconds(100)};
  };

  const double cpu0 = cpu_seconds_self();
  const auto t0 = Clock::now();
  std::deque<Range> held;  // chunks assigned and not yet computed, oldest first
  int pending = 0;         // assignments asked for and not yet received
  bool closed = false;     // rank 0 said that no chunk is left
  bool failed = false;     // a task failed: the chunks still held are skipped
  Assign in{};
  MPI_Request in_req = MPI_REQUEST_NULL;
  // Two send buffers: a chunk's digests may still be in flight while the
  // next chunk's are written.
  struct Slot {
    std::vector<std::byte> buf;
    MPI_Request req = MPI_REQUEST_NULL;
  };
  std::array<Slot, 2> slots{Slot{std::vector<std::byte>(buffer_bytes(chunk))},
                            Slot{std::vector<std::byte>(buffer_bytes(chunk))}};
  int slot = 0;

  const auto post_in = [&] {
    if (pending > 0 && in_req == MPI_REQUEST_NULL) {
      check(MPI_Irecv(&in, sizeof in, MPI_BYTE, 0, kTagAssign, MPI_COMM_WORLD, &in_req),
            "MPI_Irecv");
    }
  };
  const auto take_in = [&](const MPI_Status& st) {
    int bytes = 0;
    check(MPI_Get_count(&st, MPI_BYTE, &bytes), "MPI_Get_count");
    if (bytes != static_cast<int>(sizeof in) || in.run != run_id_ || in.begin < 0 ||
        in.begin > in.end || in.end > w.tasks() || in.end - in.begin > chunk) {
      throw MpiError("a malformed assignment from rank 0");
    }
    --pending;
    if (in.begin == in.end) {
      closed = true;
    } else {
      held.push_back({in.begin, in.end});
    }
    post_in();
  };
  // Takes the assignments that have arrived, and lets the sends progress.
  const auto progress = [&] {
    for (int done = 1; in_req != MPI_REQUEST_NULL && done != 0;) {
      MPI_Status st;
      check(MPI_Test(&in_req, &done, &st), "MPI_Test");
      if (done != 0) take_in(st);
    }
    for (Slot& s : slots) {
      int done = 0;
      if (s.req != MPI_REQUEST_NULL) check(MPI_Test(&s.req, &done, MPI_STATUS_IGNORE), "MPI_Test");
    }
  };
  const auto send = [&](Slot& s, const WorkHeader& h, std::size_t bytes) {
    std::memcpy(s.buf.data(), &h, sizeof h);
    check(MPI_Isend(s.buf.data(), static_cast<int>(bytes), MPI_BYTE, 0, kTagWork, MPI_COMM_WORLD,
                    &s.req),
          "MPI_Isend");
    pending += h.want;
    post_in();
  };

  send(slots[1], {run_id_, -1, 0, kDigests, kAhead}, sizeof(WorkHeader));
  Gate gate(pace.poll_every);
  for (;;) {
    progress();
    if (held.empty()) {
      if (pending == 0) break;
      MPI_Status st;
      wait(world_, in_req, &st, busy());
      take_in(st);
      continue;
    }
    const Range c = held.front();
    held.pop_front();
    Slot& s = slots[static_cast<std::size_t>(slot)];
    slot ^= 1;
    wait(world_, s.req, MPI_STATUS_IGNORE, busy());
    WorkHeader h{run_id_, c.begin, c.end - c.begin, failed ? kSkipped : kDigests, 0};
    std::size_t bytes = sizeof h;
    if (!failed) {
      try {
        for (int i = c.begin; i < c.end; ++i) {
          const Digest d = run_task_blocking(w, i);
          std::memcpy(s.buf.data() + sizeof h + static_cast<std::size_t>(i - c.begin) * sizeof d,
                      d.data(), sizeof d);
          if (gate.due()) progress();
        }
        bytes += static_cast<std::size_t>(h.count) * sizeof(Digest);
      } catch (const MpiError&) {
        throw;
      } catch (const std::exception& e) {
        std::string text = world_.describe(world_.rank()) + ": " + e.what();
        text.resize(std::min(text.size(), kMaxErrorText));
        std::memcpy(s.buf.data() + sizeof h, text.data(), text.size());
        h.count = static_cast<std::int32_t>(text.size());
        h.result = kFailed;
        bytes += text.size();
        failed = true;
      }
    }
    h.want = closed || failed ? 0 : 1;
    send(s, h, bytes);
  }
  for (Slot& s : slots) wait(world_, s.req, MPI_STATUS_IGNORE, busy());
  return {seconds_since(t0), cpu_seconds_self() - cpu0, 0, ""};
}

Pace pace_of(const Workload& w, int ranks, double task_cpu_s) {
  const int chunk = workers::chunk_size(w.tasks(), ranks);
  const double task_s = task_cpu_s + std::chrono::duration<double>(w.longest_wait()).count();
  const double chunk_us = chunk * task_s * 1e6;
  Pace p;
  p.progress_timeout = std::chrono::milliseconds(3000 + std::llround(4 * chunk_us / 1e3));
  p.between_runs = std::chrono::milliseconds(30'000 + std::llround(4 * w.tasks() * task_s * 1e3));
  p.poll_every =
      std::chrono::microseconds(std::clamp<std::int64_t>(std::llround(chunk_us / 16), 2, 1000));
  p.idle_cap =
      std::chrono::microseconds(std::clamp<std::int64_t>(std::llround(chunk_us / 50), 20, 2000));
  return p;
}

}  // namespace cvp::mpi
