// process_pool: W worker processes forked once and kept; each run's tasks dispatched to them in
// chunks.
#include "models/process_pool.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>

namespace cvp {
namespace {

// Reads one command; false on end of file (the pool is closing).
bool read_command(int fd) {
  std::uint32_t cmd = 0;
  std::size_t got = 0;
  while (got < sizeof cmd) {
    const ssize_t n = ::read(fd, reinterpret_cast<char*>(&cmd) + got, sizeof cmd - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      workers::throw_errno("read");
    }
    if (n == 0) return false;
    got += static_cast<std::size_t>(n);
  }
  return true;
}

// Commands go over a socket, not a pipe: send() with MSG_NOSIGNAL reports a
// dead worker as EPIPE instead of killing the parent with SIGPIPE.
// A worker whose socket is closed has died since the last run: it is
// reaped and the failure says how it ended.
void send_command(workers::Child& c, std::string_view model, int workers) {
  const std::uint32_t cmd = 1;
  for (;;) {
    const ssize_t n = ::send(c.commands.get(), &cmd, sizeof cmd, MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(sizeof cmd)) return;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      c.kill_and_reap();
      const std::string why = c.failure();
      throw std::runtime_error(c.describe(model, workers) + " " +
                               (why.empty() ? "exited between runs" : why + " between runs"));
    }
    workers::throw_errno("send");
  }
}

}  // namespace

ProcessPoolModel::ProcessPoolModel(int workers, std::chrono::milliseconds progress_timeout)
    : Model(workers), progress_timeout_(progress_timeout) {}

ProcessPoolModel::~ProcessPoolModel() { stop(); }

void ProcessPoolModel::stop() noexcept {
  // Closing the command sockets lets idle workers leave; the kill covers a
  // worker that is stopped or stuck, so stopping never waits on one.
  for (workers::Child& c : children_) c.commands.reset();
  children_.clear();
  prepared_ = nullptr;
}

void ProcessPoolModel::start(const Workload& w) {
  stop();
  traced_ = tracing();
  gauge_ = std::make_unique<InflightGauge>(w.tasks(), traced_);
  queue_ = std::make_unique<workers::ChunkQueue>();
  for (int k = 0; k < workers(); ++k) {
    workers::Pipe results = workers::make_pipe();
    int sv[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
      workers::throw_errno("socketpair");
    }
    workers::Fd ours(sv[0]), theirs(sv[1]);
    workers::Child& c = children_.emplace_back();
    c.number = k;
    c.pid = workers::fork_worker(children_, [&] {
      results.read.reset();
      ours.reset();
      while (read_command(theirs.get())) {
        workers::serve_run(w, *queue_, *gauge_, k, results.write.get(), true);
      }
      return 0;
    });
    c.results = std::move(results.read);
    c.commands = std::move(ours);
  }
  prepared_ = &w;
}

void ProcessPoolModel::prepare(const Workload& w) {
  if (prepared_ != &w || traced_ != tracing()) start(w);
}

RunReport ProcessPoolModel::run(const Workload& w, std::span<Digest> out) {
  prepare(w);
  gauge_->reset();
  queue_->reset(w.tasks(), workers::chunk_size(w.tasks(), workers()));
  RunReport report;
  try {
    for (workers::Child& c : children_) {
      c.finished = false;
      send_command(c, name(), workers());
    }
    report.worker_cpu_s = workers::collect(
        children_, *queue_, out,
        {name(), workers(), true,
         progress_timeout_.count() > 0 ? progress_timeout_
                                       : workers::default_progress_timeout(w, workers())});
  } catch (...) {
    stop();
    throw;
  }
  RunReport gauged = gauge_->report();
  report.peak_inflight = gauged.peak_inflight;
  report.spans = std::move(gauged.spans);
  report.task_ns = std::move(gauged.task_ns);
  return report;
}

std::vector<int> ProcessPoolModel::worker_pids() const {
  std::vector<int> pids;
  for (const workers::Child& c : children_) pids.push_back(c.pid);
  return pids;
}

}  // namespace cvp
