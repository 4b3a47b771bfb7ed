// A worker rank's side of one run (every rank but 0): ask rank 0 for chunks of tasks, run them
// the blocking way, send their digests back.
#include "worker_rank.hpp"

#include <cstring>
#include <string>

#include "models/worker_processes.hpp"

namespace cvp::mpi {

WorkerRank::WorkerRank(const World& world, int run, const Workload& w, const Pace& pace)
    : world_(world),
      run_(run),
      w_(w),
      pace_(pace),
      chunk_(workers::chunk_size(w.tasks(), world.size())),
      slots_{Slot{std::vector<std::byte>(buffer_bytes(chunk_))},
             Slot{std::vector<std::byte>(buffer_bytes(chunk_))}},
      gate_(pace.poll_every),
      gauge_(w.tasks()) {}

RunOutcome WorkerRank::work() {
  // Rank 0 may be busy for long between runs (its paired serial run): the
  // wait for it is long (Pace::between_runs), and its death on this host or
  // mpiexec's SIGTERM ends it sooner.
  barrier(world_,
          {"rank 0", {0}, Clock::now() + pace_.between_runs, std::chrono::microseconds(1000)});
  const double cpu0 = cpu_seconds_self();
  const auto t0 = Clock::now();
  send(slots_[1], {run_, -1, 0, kDigests, kAhead}, sizeof(WorkHeader));
  for (;;) {
    progress();
    if (!held_.empty()) {
      const Range c = held_.front();
      held_.pop_front();
      handle_chunk(c);
    } else if (pending_ > 0) {
      wait_for_assignment();
    } else {
      break;
    }
  }
  for (Slot& s : slots_) wait(world_, s.req, MPI_STATUS_IGNORE, reply_watch());
  return {seconds_since(t0), cpu_seconds_self() - cpu0, 0, ""};
}

// In a run rank 0 answers within one of its tasks (or a slice of a wait).
Watch WorkerRank::reply_watch() const {
  return Watch{
      "rank 0's reply", {0}, Clock::now() + pace_.progress_timeout, std::chrono::microseconds(100)};
}

void WorkerRank::post_receive() {
  if (pending_ > 0 && in_req_ == MPI_REQUEST_NULL) {
    check(MPI_Irecv(&in_, sizeof in_, MPI_BYTE, 0, kTagAssign, MPI_COMM_WORLD, &in_req_),
          "MPI_Irecv");
  }
}

void WorkerRank::take_assignment(const MPI_Status& st) {
  int bytes = 0;
  check(MPI_Get_count(&st, MPI_BYTE, &bytes), "MPI_Get_count");
  if (bytes != static_cast<int>(sizeof in_) || in_.run != run_ || in_.begin < 0 ||
      in_.begin > in_.end || in_.end > w_.tasks() || in_.end - in_.begin > chunk_) {
    throw MpiError("a malformed assignment from rank 0");
  }
  --pending_;
  if (in_.begin == in_.end) {
    closed_ = true;
  } else {
    held_.push_back({in_.begin, in_.end});
  }
  post_receive();
}

// Takes the assignments that have arrived, and lets the sends progress.
void WorkerRank::progress() {
  for (int done = 1; in_req_ != MPI_REQUEST_NULL && done != 0;) {
    MPI_Status st;
    check(MPI_Test(&in_req_, &done, &st), "MPI_Test");
    if (done != 0) take_assignment(st);
  }
  for (Slot& s : slots_) {
    int done = 0;
    if (s.req != MPI_REQUEST_NULL) check(MPI_Test(&s.req, &done, MPI_STATUS_IGNORE), "MPI_Test");
  }
}

void WorkerRank::wait_for_assignment() {
  MPI_Status st;
  wait(world_, in_req_, &st, reply_watch());
  take_assignment(st);
}

void WorkerRank::send(Slot& s, const WorkHeader& h, std::size_t bytes) {
  std::memcpy(s.buf.data(), &h, sizeof h);
  check(MPI_Isend(s.buf.data(), static_cast<int>(bytes), MPI_BYTE, 0, kTagWork, MPI_COMM_WORLD,
                  &s.req),
        "MPI_Isend");
  pending_ += h.want;
  post_receive();
}

// Runs chunk `c` into `s` after the header: the digests, then the tasks'
// latencies, which only this process's gauge saw; the payload's bytes. A
// task that throws fails the chunk: its payload is then the reason, and the
// chunks still held are skipped.
std::size_t WorkerRank::run_chunk(const Range& c, Slot& s, WorkHeader& h) {
  try {
    std::byte* digests = s.buf.data() + sizeof h;
    std::byte* latencies = digests + static_cast<std::size_t>(h.count) * sizeof(Digest);
    for (int i = c.begin; i < c.end; ++i) {
      const Digest d = run_task_blocking(w_, i, gauge_);
      const std::int64_t ns = gauge_.task_ns(i);
      const auto k = static_cast<std::size_t>(i - c.begin);
      std::memcpy(digests + k * sizeof d, d.data(), sizeof d);
      std::memcpy(latencies + k * sizeof ns, &ns, sizeof ns);
      if (gate_.due()) progress();
    }
    return static_cast<std::size_t>(h.count) * kTaskBytes;
  } catch (const MpiError&) {
    throw;
  } catch (const RankLost&) {
    throw;
  } catch (const std::exception& e) {
    std::string text = world_.describe(world_.rank()) + ": " + e.what();
    text.resize(std::min(text.size(), kMaxErrorText));
    std::memcpy(s.buf.data() + sizeof h, text.data(), text.size());
    h.count = static_cast<std::int32_t>(text.size());
    h.result = kFailed;
    failed_ = true;
    return text.size();
  }
}

// One chunk held: run (or, after a failure, skip) it and send its outcome,
// asking for one more chunk while any may be left.
void WorkerRank::handle_chunk(const Range& c) {
  Slot& s = slots_[static_cast<std::size_t>(slot_)];
  slot_ ^= 1;
  wait(world_, s.req, MPI_STATUS_IGNORE, reply_watch());
  WorkHeader h{run_, c.begin, c.end - c.begin, failed_ ? kSkipped : kDigests, 0};
  std::size_t bytes = sizeof h;
  if (!failed_) bytes += run_chunk(c, s, h);
  h.want = closed_ || failed_ ? 0 : 1;
  send(s, h, bytes);
}

}  // namespace cvp::mpi
