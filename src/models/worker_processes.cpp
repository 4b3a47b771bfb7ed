// What the process models share: owned descriptors, a shared chunk queue, and the parent's
// collector.
#include "models/worker_processes.hpp"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <new>
#include <stdexcept>
#include <system_error>
#include <utility>

#include "children.hpp"
#include "models/blocking_task.hpp"
#include "timing.hpp"

namespace cvp::workers {

void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

Fd::Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}

Fd& Fd::operator=(Fd&& o) noexcept {
  if (this != &o) {
    reset();
    fd_ = std::exchange(o.fd_, -1);
  }
  return *this;
}

void Fd::reset() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

Pipe make_pipe() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
  return {Fd(fds[0]), Fd(fds[1])};
}

void write_all(int fd, const void* data, std::size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, size);
    if (n < 0) {
      if (errno == EINTR) continue;
      throw_errno("write");
    }
    p += n;
    size -= static_cast<std::size_t>(n);
  }
}

int chunk_size(int tasks, int workers) {
  // multiprocessing.Pool.map hands out N/(4W) tasks at a time, because each
  // chunk costs it a pipe round trip. Here a chunk costs one atomic add in
  // shared memory, and N/(4W) left the last chunk's imbalance in the run:
  // fork at W = 2 on 4096 hashing tasks reached CPU/wall 1.80-1.84 and
  // speedup 1.60-1.70 with N/(4W), 1.93-1.96 and 1.79-1.84 with N/(32W)
  // (a child forked a little after its sibling takes the last chunk late).
  const int per = 32 * std::max(workers, 1);
  return std::max(1, tasks / per + (tasks % per != 0 ? 1 : 0));
}

ChunkQueue::ChunkQueue() {
  void* p =
      mmap(nullptr, sizeof(Shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw_errno("mmap");
  shared_ = new (p) Shared;
  for (auto& b : shared_->busy_since) b.store(0, std::memory_order_relaxed);
}

ChunkQueue::~ChunkQueue() {
  shared_->~Shared();
  munmap(shared_, sizeof(Shared));
}

void ChunkQueue::reset(int tasks, int chunk) {
  shared_->tasks = tasks;
  shared_->chunk = std::max(chunk, 1);
  for (auto& b : shared_->busy_since) b.store(0, std::memory_order_relaxed);
  // Release: a worker that sees the new counter sees the new bounds too.
  shared_->next.store(0, std::memory_order_release);
}

bool ChunkQueue::take(int worker, int& begin, int& end) {
  begin = shared_->next.fetch_add(shared_->chunk, std::memory_order_acq_rel);
  if (begin >= shared_->tasks) return false;
  end = std::min(begin + shared_->chunk, shared_->tasks);
  shared_->busy_since[worker].store(monotonic_ns(), std::memory_order_relaxed);
  return true;
}

void ChunkQueue::done(int worker) {
  shared_->busy_since[worker].store(0, std::memory_order_relaxed);
}

std::int64_t ChunkQueue::busy_since_ns(int worker) const {
  return shared_->busy_since[worker].load(std::memory_order_relaxed);
}

namespace {

// The parent sees only how a worker ended ("exited with status 70"): the
// task's own error (a server that stopped answering, a reply cut short) is
// sent first, so that the failed run says it.
void send_failure(int fd, int index, const char* what) {
  constexpr std::size_t kMaxText = 1024;
  const std::string text = "task " + std::to_string(index) + ": " + what;
  const auto size = static_cast<std::uint32_t>(std::min(text.size(), kMaxText));
  Record r{kTaskFailed, {}};
  std::memcpy(r.digest.data(), &size, sizeof size);
  std::string bytes(reinterpret_cast<const char*>(&r), sizeof r);
  bytes.append(text, 0, size);
  write_all(fd, bytes.data(), bytes.size());
}

Digest run_or_say(const Workload& w, int index, InflightGauge& gauge, int fd) {
  try {
    return run_task_blocking(w, index, gauge);
  } catch (const std::exception& e) {
    try {
      send_failure(fd, index, e.what());
    } catch (...) {  // the parent is gone or the pipe broke: the exit status still says it
    }
    throw;
  }
}

}  // namespace

void serve_run(const Workload& w, ChunkQueue& queue, InflightGauge& gauge, int worker, int fd,
               bool end_marker) {
  const double cpu0 = cpu_seconds_self();
  // Records go out in batches that fit in one atomic pipe write: one write
  // per task would wake the parent thousands of times per run and measure
  // the pipe instead of the model.
  constexpr std::size_t kBatch = PIPE_BUF / sizeof(Record);
  Record batch[kBatch];
  std::size_t used = 0;
  int begin = 0, end = 0;
  while (queue.take(worker, begin, end)) {
    for (int i = begin; i < end; ++i) {
      batch[used++] = {i, run_or_say(w, i, gauge, fd)};
      if (used == kBatch || i + 1 == end) {
        write_all(fd, batch, used * sizeof(Record));
        used = 0;
      }
    }
    queue.done(worker);
  }
  if (end_marker) {
    Record marker{kEndOfRun, {}};
    const std::int64_t cpu_ns = std::llround((cpu_seconds_self() - cpu0) * 1e9);
    std::memcpy(marker.digest.data(), &cpu_ns, sizeof cpu_ns);
    write_all(fd, &marker, sizeof marker);
  }
}

Child::~Child() { kill_and_reap(); }

void Child::kill_and_reap() noexcept {
  if (pid > 0 && !reaped) {
    ::kill(pid, SIGKILL);
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    children::forget(pid);
    reaped = true;
  }
}

void Child::reap() {
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) throw_errno("waitpid");
  }
  children::forget(pid);
  reaped = true;
}

std::string Child::describe(std::string_view model, int workers) const {
  return std::string(model) + ": worker " + std::to_string(number) + " of " +
         std::to_string(workers) + " (pid " + std::to_string(pid) + ")";
}

std::string Child::failure() const {
  const std::string because = error.empty() ? "" : ": " + error;
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return "was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")" + because;
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return "exited with status " + std::to_string(WEXITSTATUS(status)) + because;
  }
  return "";
}

pid_t fork_worker(std::deque<Child>& siblings, const std::function<int()>& body) {
  const pid_t pid = children::fork_owned();
  if (pid > 0) return pid;
  // The child: the earlier siblings' pipe ends are the parent's business, and
  // a sibling that keeps a write end open would hide the parent's hang-up.
  for (Child& s : siblings) {
    if (s.pid > 0) {
      ::close(s.results.get());
      ::close(s.commands.get());
    }
  }
  int status = 70;  // EX_SOFTWARE: the worker's task threw
  try {
    status = body();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "worker (pid %d): %s\n", static_cast<int>(::getpid()), e.what());
  } catch (...) {
  }
  ::_exit(status);
}

namespace {

// Takes the complete records in c.pending; returns the CPU seconds of an end marker.
double take_records(Child& c, std::span<Digest> out, std::vector<char>& seen, int& received,
                    const CollectOptions& opt) {
  double cpu_s = 0;
  std::size_t at = 0;
  for (; c.pending.size() - at >= sizeof(Record); at += sizeof(Record)) {
    Record r;
    std::memcpy(&r, c.pending.data() + at, sizeof r);
    if (r.index == kTaskFailed) {
      std::uint32_t size = 0;
      std::memcpy(&size, r.digest.data(), sizeof size);
      if (c.pending.size() - at - sizeof r < size) break;  // the rest of the text is to come
      c.error.assign(c.pending, at + sizeof r, size);
      at += size;
      continue;
    }
    if (r.index == kEndOfRun && opt.end_markers) {
      std::int64_t cpu_ns = 0;
      std::memcpy(&cpu_ns, r.digest.data(), sizeof cpu_ns);
      cpu_s += static_cast<double>(cpu_ns) * 1e-9;
      c.finished = true;
      continue;
    }
    if (r.index < 0 || static_cast<std::size_t>(r.index) >= out.size() ||
        seen[static_cast<std::size_t>(r.index)]) {
      throw std::runtime_error(c.describe(opt.model, opt.workers) + " sent a digest for task " +
                               std::to_string(r.index));
    }
    seen[static_cast<std::size_t>(r.index)] = 1;
    out[static_cast<std::size_t>(r.index)] = r.digest;
    ++received;
  }
  c.pending.erase(0, at);
  return cpu_s;
}

// A closed result pipe: the worker ended. For a fork-per-run worker that is
// the normal end of its share, if it exited 0; a persistent worker never
// closes its pipe while it lives.
void on_hang_up(Child& c, const CollectOptions& opt) {
  c.results.reset();
  c.reap();
  std::string why = c.failure();
  if (why.empty() && opt.end_markers) why = "exited in the middle of a run";
  if (!why.empty()) throw std::runtime_error(c.describe(opt.model, opt.workers) + " " + why);
  if (!c.pending.empty()) {
    throw std::runtime_error(c.describe(opt.model, opt.workers) + " sent a partial record");
  }
  c.finished = true;
}

// Fails the run when a worker has held one chunk for longer than the
// progress timeout, or when no worker has sent anything for that long.
void check_progress(std::deque<Child>& children, const ChunkQueue& queue,
                    std::int64_t last_progress_ns, const CollectOptions& opt) {
  const std::int64_t now = monotonic_ns();
  const auto limit_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(opt.progress_timeout).count();
  Child* stuck = nullptr;
  for (Child& c : children) {
    if (c.finished) continue;
    const std::int64_t since = queue.busy_since_ns(c.number);
    if ((since != 0 && now - since > limit_ns) ||
        (stuck == nullptr && now - last_progress_ns > limit_ns)) {
      stuck = &c;
      if (since != 0) break;
    }
  }
  if (stuck == nullptr) return;
  stuck->kill_and_reap();
  char limit[32];
  std::snprintf(limit, sizeof limit, "%.1f",
                std::chrono::duration<double>(opt.progress_timeout).count());
  throw std::runtime_error(stuck->describe(opt.model, opt.workers) + " made no progress within " +
                           limit + " s; killed");
}

}  // namespace

double collect(std::deque<Child>& children, const ChunkQueue& queue, std::span<Digest> out,
               const CollectOptions& opt) {
  std::vector<char> seen(out.size(), 0);
  int received = 0;
  double cpu_s = 0;
  std::vector<pollfd> polled;
  std::vector<Child*> owners;
  std::vector<char> buf(64 * 1024);
  // A worker that takes no chunk at all sends nothing until its end: the
  // poll wakes at least this often to check the others' progress.
  const int tick_ms =
      static_cast<int>(std::clamp<std::int64_t>(opt.progress_timeout.count() / 4, 1, 250));
  std::int64_t last_progress_ns = monotonic_ns();
  for (;;) {
    polled.clear();
    owners.clear();
    for (Child& c : children) {
      if (!c.finished && c.results.get() >= 0) {
        polled.push_back({c.results.get(), POLLIN, 0});
        owners.push_back(&c);
      }
    }
    if (polled.empty()) break;
    const int ready = ::poll(polled.data(), polled.size(), tick_ms);
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    for (std::size_t i = 0; i < polled.size(); ++i) {
      if (polled[i].revents == 0) continue;
      Child& c = *owners[i];
      const ssize_t got = ::read(c.results.get(), buf.data(), buf.size());
      if (got < 0) {
        if (errno == EINTR) continue;
        throw_errno("read");
      }
      if (got == 0) {
        on_hang_up(c, opt);
        last_progress_ns = monotonic_ns();
        continue;
      }
      c.pending.append(buf.data(), static_cast<std::size_t>(got));
      cpu_s += take_records(c, out, seen, received, opt);
      last_progress_ns = monotonic_ns();
    }
    check_progress(children, queue, last_progress_ns, opt);
  }
  if (received != static_cast<int>(out.size())) {
    throw std::runtime_error(std::string(opt.model) + ": the workers sent " +
                             std::to_string(received) + " of " + std::to_string(out.size()) +
                             " digests");
  }
  return cpu_s;
}

std::chrono::milliseconds default_progress_timeout(const Workload& w, int workers) {
  const int chunk = chunk_size(w.tasks(), workers);
  return std::chrono::seconds(10) +
         4 * chunk * std::chrono::duration_cast<std::chrono::milliseconds>(w.longest_wait());
}

}  // namespace cvp::workers
