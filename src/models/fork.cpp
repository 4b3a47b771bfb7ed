// fork: W child processes per run, each running a share of the tasks, digests back over pipes.
#include "models/fork.hpp"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "timing.hpp"

namespace cvp {
namespace {

constexpr std::size_t kRecordSize = sizeof(std::int32_t) + sizeof(Digest);
constexpr int kChildFailureStatus = 70;  // EX_SOFTWARE: the child's task threw

[[noreturn]] void throw_errno(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// An owned file descriptor. close() is never retried: on Linux the
// descriptor is released even when close reports EINTR.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  ~Fd() { reset(); }
  int get() const { return fd_; }
  void reset() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

// One forked worker. The destructor kills and reaps a child that was not
// reaped, so an exception anywhere in run() leaves no zombie behind.
struct Child {
  int number = 0;
  pid_t pid = -1;
  Fd pipe;  // read end
  int begin = 0;
  int end = 0;
  std::string pending;  // bytes of a record not yet complete
  int received = 0;
  bool reaped = false;
  int status = 0;

  Child() = default;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child() {
    if (pid > 0 && !reaped) {
      ::kill(pid, SIGKILL);
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }

  std::string describe(int workers) const {
    return "fork: worker " + std::to_string(number) + " of " + std::to_string(workers) + " (pid " +
           std::to_string(pid) + ", tasks " + std::to_string(begin) + "-" +
           std::to_string(end - 1) + ")";
  }

  void reap() {
    rusage ru{};
    while (::wait4(pid, &status, 0, &ru) < 0) {
      if (errno != EINTR) throw_errno("wait4");
    }
    reaped = true;
  }
};

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

// The child's whole life: run its tasks, stream the digests, and _exit
// without returning into (or unwinding through) the parent's code.
[[noreturn]] void child_main(const Workload& w, InflightGauge& gauge, int begin, int end, int fd) {
  try {
    // Records go out in batches that fit in one atomic pipe write: one
    // write per task would wake the parent thousands of times per run and
    // measure the pipe instead of the model.
    char batch[(PIPE_BUF / kRecordSize) * kRecordSize];
    std::size_t used = 0;
    for (int i = begin; i < end; ++i) {
      const Digest d = run_task_blocking(w, i, gauge);
      const std::int32_t index = i;
      std::memcpy(batch + used, &index, sizeof index);
      std::memcpy(batch + used + sizeof index, d.data(), d.size());
      used += kRecordSize;
      if (used == sizeof batch || i + 1 == end) {
        write_all(fd, batch, used);
        used = 0;
      }
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "fork worker (pid %d): %s\n", static_cast<int>(::getpid()), e.what());
    ::_exit(kChildFailureStatus);
  } catch (...) {
    ::_exit(kChildFailureStatus);
  }
  ::_exit(0);
}

void take_records(Child& c, const char* data, std::size_t size, std::span<Digest> out,
                  int workers) {
  c.pending.append(data, size);
  std::size_t at = 0;
  for (; c.pending.size() - at >= kRecordSize; at += kRecordSize) {
    std::int32_t index = 0;
    std::memcpy(&index, c.pending.data() + at, sizeof index);
    if (index < c.begin || index >= c.end) {
      throw std::runtime_error(c.describe(workers) + " sent a digest for task " +
                               std::to_string(index));
    }
    std::memcpy(out[static_cast<std::size_t>(index)].data(), c.pending.data() + at + sizeof index,
                sizeof(Digest));
    ++c.received;
  }
  c.pending.erase(0, at);
}

}  // namespace

ForkModel::ForkModel(int workers, std::chrono::milliseconds timeout)
    : Model(workers), timeout_(timeout) {}

std::chrono::milliseconds ForkModel::default_timeout(const Workload& w, int workers) {
  const int per_worker = (w.tasks() + workers - 1) / workers;
  return std::chrono::seconds(60) +
         4 * per_worker * std::chrono::duration_cast<std::chrono::milliseconds>(w.longest_wait());
}

RunReport ForkModel::run(const Workload& w, std::span<Digest> out) {
  const int n = w.tasks();
  const int spawn = std::min(workers(), n);
  const auto timeout = timeout_.count() > 0 ? timeout_ : default_timeout(w, workers());
  InflightGauge gauge(tracing() ? w.tasks() : 0);
  std::deque<Child> children;  // a deque: Child is neither copied nor moved

  for (int k = 0; k < spawn; ++k) {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw_errno("pipe2");
    Fd read_end(fds[0]);
    Fd write_end(fds[1]);
    Child& c = children.emplace_back();
    c.number = k;
    c.begin = static_cast<int>(static_cast<std::int64_t>(n) * k / spawn);
    c.end = static_cast<int>(static_cast<std::int64_t>(n) * (k + 1) / spawn);
    c.pid = ::fork();
    if (c.pid < 0) throw_errno("fork");
    if (c.pid == 0) {
      // The read ends of earlier siblings' pipes are the parent's business.
      for (Child& sibling : children) {
        if (sibling.pipe.get() >= 0) ::close(sibling.pipe.get());
      }
      ::close(read_end.get());
      child_main(w, gauge, c.begin, c.end, write_end.get());
    }
    c.pipe = std::move(read_end);
  }

  const auto deadline = Clock::now() + timeout;
  std::vector<pollfd> polled;
  std::vector<Child*> owners;
  char buf[64 * 1024];
  for (;;) {
    polled.clear();
    owners.clear();
    for (Child& c : children) {
      if (c.pipe.get() >= 0) {
        polled.push_back({c.pipe.get(), POLLIN, 0});
        owners.push_back(&c);
      }
    }
    if (polled.empty()) break;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) {
      for (Child* c : owners) {
        ::kill(c->pid, SIGKILL);
        c->reap();
      }
      const double seconds = std::chrono::duration<double>(timeout).count();
      char limit[32];
      std::snprintf(limit, sizeof limit, "%.1f", seconds);
      throw std::runtime_error(owners.front()->describe(workers()) + " did not finish within " +
                               limit + " s; killed");
    }
    const int ready = ::poll(polled.data(), polled.size(), static_cast<int>(left.count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      throw_errno("poll");
    }
    for (std::size_t i = 0; i < polled.size(); ++i) {
      if (polled[i].revents == 0) continue;
      Child& c = *owners[i];
      const ssize_t got = ::read(c.pipe.get(), buf, sizeof buf);
      if (got < 0) {
        if (errno == EINTR) continue;
        throw_errno("read");
      }
      if (got == 0) {
        c.pipe.reset();
      } else {
        take_records(c, buf, static_cast<std::size_t>(got), out, workers());
      }
    }
  }

  for (Child& c : children) c.reap();
  for (const Child& c : children) {
    if (WIFSIGNALED(c.status)) {
      const int sig = WTERMSIG(c.status);
      throw std::runtime_error(c.describe(workers()) + " was killed by signal " +
                               std::to_string(sig) + " (" + strsignal(sig) + ")");
    }
    if (WIFEXITED(c.status) && WEXITSTATUS(c.status) != 0) {
      throw std::runtime_error(c.describe(workers()) + " exited with status " +
                               std::to_string(WEXITSTATUS(c.status)));
    }
    if (c.received != c.end - c.begin || !c.pending.empty()) {
      throw std::runtime_error(c.describe(workers()) + " sent " + std::to_string(c.received) +
                               " of " + std::to_string(c.end - c.begin) + " digests");
    }
  }
  return gauge.report();
}

}  // namespace cvp
