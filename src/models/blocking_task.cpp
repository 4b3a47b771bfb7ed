// A task run the blocking way: its thread waits through each wait (threads, processes, ranks).
#include "models/blocking_task.hpp"

#include <algorithm>
#include <type_traits>

#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <system_error>

#include "net/blocking_socket.hpp"
#include "timing.hpp"

namespace cvp {
namespace {

void sleep_with_ticks(std::chrono::nanoseconds d, const WaitTicker& ticker) {
  const auto until = Clock::now() + d;
  for (auto now = Clock::now(); now < until; now = Clock::now()) {
    sleep_blocking(std::min<std::chrono::nanoseconds>(until - now, ticker.every));
    ticker.tick();
  }
}

// Closes a connection of one exchange's own, on every path out.
class OwnedFd {
 public:
  explicit OwnedFd(int fd) : fd_(fd) {}
  ~OwnedFd() { ::close(fd_); }
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

void exchange(const Exchange& e, TaskState& s) {
  s.received.resize(e.reply_bytes);
  if (e.kept_fd >= 0) {
    try {
      rpc::send_all(e.kept_fd, e.request);
      rpc::recv_exact(e.kept_fd, s.received);
    } catch (...) {
      rpc::abandon(e.kept_fd);
      throw;
    }
    return;
  }
  const OwnedFd fd(rpc::connect_loopback(e.port, e.idle_limit));
  rpc::send_all(fd.get(), e.request);
  rpc::recv_exact(fd.get(), s.received);
  if (!rpc::recv_eof(fd.get())) {
    throw std::runtime_error("the server sent more than the " + std::to_string(e.reply_bytes) +
                             " bytes of its reply");
  }
}

// pread until `r.bytes` arrived or the file ended (received is then
// shorter: the workload's to judge); a read error throws.
void read_at(const ReadAt& r, TaskState& s) {
  s.received.resize(r.bytes);
  std::size_t got = 0;
  while (got < r.bytes) {
    const ssize_t n = ::pread(r.fd, s.received.data() + got, r.bytes - got,
                              static_cast<off_t>(r.offset + static_cast<std::int64_t>(got)));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "pread");
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  s.received.resize(got);
}

}  // namespace

void wait_blocking(const Wait& wait, TaskState& s, const WaitTicker* ticker) {
  std::visit(
      [ticker, &s](const auto& w) {
        using W = std::decay_t<decltype(w)>;
        if constexpr (std::is_same_v<W, Exchange>) {
          exchange(w, s);
        } else if constexpr (std::is_same_v<W, ReadAt>) {
          read_at(w, s);
        } else if constexpr (std::is_same_v<W, SleepFor>) {
          if (ticker != nullptr && ticker->every.count() > 0) {
            sleep_with_ticks(w.duration, *ticker);
          } else {
            sleep_blocking(w.duration);
          }
        }
      },
      wait);
}

namespace {

// Held across the whole task when the workload asks for it: a mutex around
// read, wait and write, as `with lock:` in a thread.
class HeldLock {
 public:
  explicit HeldLock(const Workload& w) : w_(w) {
    if (w_.exclusive()) w_.lock();
  }
  ~HeldLock() {
    if (w_.exclusive()) w_.unlock();
  }
  HeldLock(const HeldLock&) = delete;
  HeldLock& operator=(const HeldLock&) = delete;

 private:
  const Workload& w_;
};

Digest run_steps(const Workload& w, int index, const WaitTicker* ticker) {
  TaskState s;
  s.restart(index);
  for (Wait next = w.resume(s); !finished(next); next = w.resume(s)) {
    wait_blocking(next, s, ticker);
  }
  return s.digest;
}

}  // namespace

Digest run_task_blocking(const Workload& w, int index, InflightGauge& gauge,
                         const WaitTicker* ticker) {
  HeldLock held(w);
  gauge.enter(index);
  const Digest d = run_steps(w, index, ticker);
  gauge.leave(index);
  return d;
}

Digest run_task_blocking(const Workload& w, int index, const WaitTicker* ticker) {
  HeldLock held(w);
  return run_steps(w, index, ticker);
}

}  // namespace cvp
