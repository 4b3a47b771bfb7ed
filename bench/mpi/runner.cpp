// The mpi model: rank 0 hands out chunks of tasks on demand and runs a share itself; the other
// ranks ask, compute and return digests.
#include "runner.hpp"

#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "models/worker_processes.hpp"
#include "timing.hpp"

namespace cvp::mpi {
namespace {

// worker -> rank 0: a chunk's digests (none in the first message of a run),
// asking for the next chunk.
constexpr int kTagWork = 1;
// rank 0 -> worker: the next chunk, or begin == end when none is left.
constexpr int kTagAssign = 2;

struct WorkHeader {
  std::int32_t run;     // the run's number, the same on every rank
  std::int32_t begin;   // the chunk's first task
  std::int32_t count;   // digests that follow, or bytes of the error text
  std::int32_t failed;  // 1: the payload is why the chunk failed
};
struct Assign {
  std::int32_t run;
  std::int32_t begin;
  std::int32_t end;
};
constexpr std::size_t kMaxErrorText = 512;

std::size_t buffer_bytes(int chunk) {
  return sizeof(WorkHeader) +
         std::max(static_cast<std::size_t>(chunk) * sizeof(Digest), kMaxErrorText);
}

// Sends without spinning: MPI_Isend, then a polled wait (a chunk's digests
// exceed the eager limit, and the receiver may be busy for a moment).
void send(const World& world, const void* data, std::size_t bytes, int dest, int tag,
          const Watch& watch) {
  MPI_Request req = MPI_REQUEST_NULL;
  check(MPI_Isend(data, static_cast<int>(bytes), MPI_BYTE, dest, tag, MPI_COMM_WORLD, &req),
        "MPI_Isend");
  wait(world, req, MPI_STATUS_IGNORE, watch);
}

}  // namespace

// The chunks of one run, taken by rank 0's worker thread and handed to the
// other ranks by its main thread; and how many are held at once.
struct Chunks {
  std::atomic<int> next{0};
  int tasks = 0;
  int chunk = 1;
  std::atomic<int> holders{0};
  std::atomic<int> peak{0};
  std::atomic<bool> stop{false};

  void reset(int n, int c) {
    tasks = n;
    chunk = c;
    holders = 0;
    peak = 0;
    stop = false;
    next.store(0, std::memory_order_release);
  }
  bool take(int& begin, int& end) {
    if (stop.load(std::memory_order_relaxed)) return false;
    begin = next.fetch_add(chunk, std::memory_order_acq_rel);
    if (begin >= tasks) return false;
    end = std::min(begin + chunk, tasks);
    const int held = holders.fetch_add(1) + 1;
    int seen = peak.load();
    while (held > seen && !peak.compare_exchange_weak(seen, held)) {
    }
    return true;
  }
  void release() { holders.fetch_sub(1); }
};

class Runner::LocalWorker {
 public:
  explicit LocalWorker(Chunks& chunks) : chunks_(chunks), thread_([this] { loop(); }) {}
  ~LocalWorker() {
    {
      std::lock_guard lock(m_);
      quit_ = true;
    }
    start_cv_.notify_all();
    thread_.join();
  }

  void start(const Workload& w, std::span<Digest> out) {
    {
      std::lock_guard lock(m_);
      w_ = &w;
      out_ = out;
      error_ = nullptr;
      computed_ = 0;
      ++generation_;
    }
    done_.store(false);
    start_cv_.notify_all();
  }
  bool finished() const { return done_.load(); }
  // The tasks this run's share computed, once it is done; rethrows what a task threw.
  int join() {
    std::unique_lock lock(m_);
    done_cv_.wait(lock, [&] { return done_.load(); });
    if (error_) std::rethrow_exception(error_);
    return computed_;
  }

 private:
  void loop() {
    int seen = 0;
    for (;;) {
      const Workload* w = nullptr;
      std::span<Digest> out;
      {
        std::unique_lock lock(m_);
        start_cv_.wait(lock, [&] { return quit_ || generation_ != seen; });
        if (quit_) return;
        seen = generation_;
        w = w_;
        out = out_;
      }
      int computed = 0;
      std::exception_ptr error;
      try {
        int begin = 0, end = 0;
        while (chunks_.take(begin, end)) {
          for (int i = begin; i < end && !chunks_.stop.load(std::memory_order_relaxed); ++i) {
            out[static_cast<std::size_t>(i)] = w->compute(i);
            sleep_blocking(w->wait(i));
            ++computed;
          }
          chunks_.release();
        }
      } catch (...) {
        error = std::current_exception();
      }
      {
        std::lock_guard lock(m_);
        computed_ = computed;
        error_ = error;
        done_.store(true);
      }
      done_cv_.notify_all();
    }
  }

  Chunks& chunks_;
  std::mutex m_;
  std::condition_variable start_cv_, done_cv_;
  bool quit_ = false;
  int generation_ = 0;
  const Workload* w_ = nullptr;
  std::span<Digest> out_;
  std::atomic<bool> done_{true};
  int computed_ = 0;
  std::exception_ptr error_;
  std::thread thread_;  // last: it starts after everything it reads
};

Runner::Runner(const World& world) : world_(world), chunks_(std::make_unique<Chunks>()) {
  if (world_.rank() == 0) local_ = std::make_unique<LocalWorker>(*chunks_);
}

Runner::~Runner() = default;

RunOutcome Runner::run(const Workload& w, std::span<Digest> out, const Pace& pace) {
  ++run_id_;
  return world_.rank() == 0 ? dispatch(w, out, pace) : serve(w);
}

RunOutcome Runner::dispatch(const Workload& w, std::span<Digest> out, const Pace& pace) {
  const std::chrono::milliseconds timeout = pace.progress_timeout;
  const int n = w.tasks();
  const int ranks = world_.size();
  const int chunk = workers::chunk_size(n, ranks);
  std::vector<int> others;
  for (int r = 1; r < ranks; ++r) others.push_back(r);
  barrier(world_, {"every rank at the start of a run", others,
                   Clock::now() + std::chrono::seconds(30), std::chrono::microseconds(1000)});

  const double cpu0 = cpu_seconds_self();
  const auto t0 = Clock::now();
  chunks_->reset(n, chunk);
  local_->start(w, out);

  // What rank 0 knows of each other rank in this run.
  struct Remote {
    int begin = 0, end = 0;   // the chunk it holds, empty when none
    Clock::time_point since;  // when it took that chunk, or was last heard from
    bool active = true;       // not yet told that no chunk is left
  };
  std::vector<Remote> remote(static_cast<std::size_t>(ranks), Remote{0, 0, t0, true});
  int active = ranks - 1;
  int received = 0;
  std::string error;
  std::vector<std::byte> buf(buffer_bytes(chunk));
  MPI_Request req = MPI_REQUEST_NULL;
  const auto post = [&] {
    check(MPI_Irecv(buf.data(), static_cast<int>(buf.size()), MPI_BYTE, MPI_ANY_SOURCE, kTagWork,
                    MPI_COMM_WORLD, &req),
          "MPI_Irecv");
  };
  const auto lost = [&](int r, const std::string& why) {
    return RankLost(world_.describe(r) + " " + why);
  };

  // One message from rank `src`: its digests, or why it failed; then its next chunk.
  const auto handle = [&](int src, int bytes) {
    Remote& r = remote[static_cast<std::size_t>(src)];
    WorkHeader h{};
    if (bytes < static_cast<int>(sizeof h)) throw lost(src, "sent a short message");
    std::memcpy(&h, buf.data(), sizeof h);
    const std::size_t payload = static_cast<std::size_t>(bytes) - sizeof h;
    if (h.run != run_id_) throw lost(src, "sent a message of another run");
    if (h.failed != 0) {
      if (error.empty()) {
        error = std::string(reinterpret_cast<const char*>(buf.data() + sizeof h), payload);
      }
    } else if (h.count > 0) {
      if (h.begin != r.begin || h.count != r.end - r.begin ||
          payload != static_cast<std::size_t>(h.count) * sizeof(Digest)) {
        throw lost(src, "sent digests for tasks it was not given");
      }
      std::memcpy(out.data() + h.begin, buf.data() + sizeof h, payload);
      received += h.count;
    }
    if (r.end > r.begin) chunks_->release();
    r.begin = r.end = 0;
    r.since = Clock::now();
    Assign a{run_id_, 0, 0};
    if (error.empty() && chunks_->take(r.begin, r.end)) {
      a.begin = r.begin;
      a.end = r.end;
    } else {
      r.active = false;
      --active;
    }
    check(MPI_Send(&a, sizeof a, MPI_BYTE, src, kTagAssign, MPI_COMM_WORLD), "MPI_Send");
  };

  // A rank that holds one chunk, or says nothing, for longer than the
  // timeout is stuck; one whose process is gone is dead.
  const auto check_progress = [&] {
    check_term();
    std::vector<int> waiting;
    const auto now = Clock::now();
    for (int k = 1; k < ranks; ++k) {
      const Remote& r = remote[static_cast<std::size_t>(k)];
      if (!r.active) continue;
      waiting.push_back(k);
      if (now - r.since > timeout) {
        char limit[32];
        std::snprintf(limit, sizeof limit, "%.1f", std::chrono::duration<double>(timeout).count());
        throw lost(k, r.end > r.begin
                          ? "held tasks " + std::to_string(r.begin) + " to " +
                                std::to_string(r.end - 1) + " for more than " + limit + " s"
                          : "sent nothing for more than " + std::string(limit) + " s");
      }
    }
    check_alive(world_, waiting);
  };

  int local_computed = 0;
  try {
    if (active > 0) post();
    Backoff backoff(pace.poll_cap);
    backoff.reset();
    auto next_check = t0 + std::chrono::milliseconds(20);
    while (active > 0 || !local_->finished()) {
      int done = 0;
      MPI_Status st;
      if (active > 0) check(MPI_Test(&req, &done, &st), "MPI_Test");
      if (done != 0) {
        int bytes = 0;
        check(MPI_Get_count(&st, MPI_BYTE, &bytes), "MPI_Get_count");
        handle(st.MPI_SOURCE, bytes);
        if (active > 0) post();
        backoff.reset();
        continue;
      }
      if (Clock::now() >= next_check) {
        check_progress();
        next_check = Clock::now() + std::chrono::milliseconds(20);
      }
      backoff.pause();
    }
    try {
      local_computed = local_->join();
    } catch (const std::exception& e) {
      if (error.empty()) error = world_.describe(0) + ": " + e.what();
    }
  } catch (...) {
    // The ranks are out of step: stop rank 0's own share and let the caller end the job.
    chunks_->stop = true;
    try {
      local_->join();
    } catch (...) {
    }
    throw;
  }
  RunOutcome o{seconds_since(t0), cpu_seconds_self() - cpu0, chunks_->peak.load(), error};
  if (o.error.empty() && received + local_computed != n) {
    o.error = "mpi: the ranks returned " + std::to_string(received + local_computed) + " of " +
              std::to_string(n) + " digests";
  }
  return o;
}

RunOutcome Runner::serve(const Workload& w) {
  const int chunk = workers::chunk_size(w.tasks(), world_.size());
  // Rank 0 may be busy for long between runs (its paired serial run): the
  // wait for it has no deadline, only its death (on this host) or
  // mpiexec's SIGTERM ends it.
  const Watch idle{"rank 0", {0}, Clock::time_point::max(), std::chrono::microseconds(1000)};
  const Watch busy{"rank 0's reply", {0}, Clock::time_point::max(), std::chrono::microseconds(100)};
  barrier(world_, idle);

  const double cpu0 = cpu_seconds_self();
  const auto t0 = Clock::now();
  std::vector<std::byte> buf(buffer_bytes(chunk));
  WorkHeader h{run_id_, -1, 0, 0};
  std::memcpy(buf.data(), &h, sizeof h);
  send(world_, buf.data(), sizeof h, 0, kTagWork, busy);
  for (;;) {
    Assign a{};
    MPI_Request req = MPI_REQUEST_NULL;
    MPI_Status st;
    check(MPI_Irecv(&a, sizeof a, MPI_BYTE, 0, kTagAssign, MPI_COMM_WORLD, &req), "MPI_Irecv");
    wait(world_, req, &st, busy);
    int bytes = 0;
    check(MPI_Get_count(&st, MPI_BYTE, &bytes), "MPI_Get_count");
    if (bytes != static_cast<int>(sizeof a) || a.run != run_id_ || a.begin < 0 ||
        a.end > w.tasks() || a.end - a.begin > chunk) {
      throw MpiError(world_.describe(world_.rank()) + ": a malformed assignment from rank 0");
    }
    if (a.begin == a.end) break;
    h = {run_id_, a.begin, a.end - a.begin, 0};
    std::size_t bytes_out = sizeof h + static_cast<std::size_t>(h.count) * sizeof(Digest);
    try {
      for (int i = a.begin; i < a.end; ++i) {
        const Digest d = w.compute(i);
        std::memcpy(buf.data() + sizeof h + static_cast<std::size_t>(i - a.begin) * sizeof d,
                    d.data(), sizeof d);
        sleep_blocking(w.wait(i));
      }
    } catch (const std::exception& e) {
      std::string text = world_.describe(world_.rank()) + ": " + e.what();
      text.resize(std::min(text.size(), kMaxErrorText));
      h.count = static_cast<std::int32_t>(text.size());
      h.failed = 1;
      std::memcpy(buf.data() + sizeof h, text.data(), text.size());
      bytes_out = sizeof h + text.size();
    }
    std::memcpy(buf.data(), &h, sizeof h);
    send(world_, buf.data(), bytes_out, 0, kTagWork, busy);
  }
  return {seconds_since(t0), cpu_seconds_self() - cpu0, 0, ""};
}

Pace pace_of(const Workload& w, int ranks, double task_cpu_s) {
  const int chunk = workers::chunk_size(w.tasks(), ranks);
  const double task_s = task_cpu_s + std::chrono::duration<double>(w.longest_wait()).count();
  const double chunk_s = chunk * task_s;
  Pace p;
  p.progress_timeout = std::chrono::milliseconds(3000 + std::llround(4 * chunk_s * 1e3));
  p.poll_cap = std::chrono::microseconds(
      std::clamp<std::int64_t>(std::llround(chunk_s / 50 * 1e6), 20, 2000));
  return p;
}

}  // namespace cvp::mpi
