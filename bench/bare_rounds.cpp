// The limits harness's rounds of the bare primitives: fork+exit+wait, thread spawn, a tbb round,
// uv_queue_work, a pipe round trip; each child waited for with a deadline.
#include <fcntl.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>
#include <signal.h>
#include <unistd.h>
#include <uv.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "bare.hpp"
#include "bare_checks.hpp"
#include "children.hpp"
#include "models/event_loop_offload.hpp"
#include "timing.hpp"

namespace cvp::bench {
namespace {

using bare_checks::fail;
using bare_checks::uv_ok;

// How long one round of the limits harness's primitives may take before
// its child counts as hung: the process models' own base deadline.
constexpr std::chrono::milliseconds kRoundTimeout{10'000};

// Kills `pid` with SIGKILL unless disarmed (destroyed) within `deadline`:
// the child's pipe then closes and a blocked read returns.
class Watchdog {
 public:
  Watchdog(pid_t pid, std::chrono::milliseconds deadline)
      : thread_([this, pid, deadline] {
          std::unique_lock lock(mutex_);
          if (!cv_.wait_for(lock, deadline, [this] { return over_; })) ::kill(pid, SIGKILL);
        }) {}
  ~Watchdog() {
    {
      std::lock_guard lock(mutex_);
      over_ = true;
    }
    cv_.notify_one();
    thread_.join();
  }
  Watchdog(const Watchdog&) = delete;
  Watchdog& operator=(const Watchdog&) = delete;

 private:
  std::mutex mutex_;
  std::condition_variable cv_;
  bool over_ = false;
  std::thread thread_;  // last: starts after the members it uses
};

template <typename F>
double timed(int n, F&& round) {
  const auto t0 = Clock::now();
  for (int i = 0; i < n; ++i) round();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace

double fork_exit_wait_seconds(int n_children, int n) {
  return timed(n, [n_children] {
    std::vector<pid_t> pids;
    try {
      for (int k = 0; k < n_children; ++k) {
        const pid_t pid = children::fork_owned();
        if (pid == 0) _exit(0);
        pids.push_back(pid);
      }
    } catch (...) {
      children::wait_all(pids, kRoundTimeout, [] { return 0; });
      throw;
    }
    const std::string why = children::failures(
        children::wait_all(pids, kRoundTimeout, [] { return 0; }), kRoundTimeout);
    if (!why.empty()) throw std::runtime_error("fork+exit+wait: child " + why);
  });
}

double thread_spawn_seconds(int threads, int n) {
  return timed(n, [threads] {
    std::vector<std::thread> pool;
    try {
      for (int k = 0; k < threads; ++k) pool.emplace_back([] {});
    } catch (...) {
      for (std::thread& t : pool) t.join();
      throw;
    }
    for (std::thread& t : pool) t.join();
  });
}

double tbb_round_seconds(int threads, int n) {
  // One arena per width for the process: making an arena (and waking its
  // threads) is not the round being measured.
  struct Arena {
    tbb::global_control widen;
    tbb::task_arena arena;
    explicit Arena(int w)
        : widen(tbb::global_control::max_allowed_parallelism, static_cast<std::size_t>(w)),
          arena(w) {
      arena.execute([w] { tbb::parallel_for(0, w, [](int) {}); });
    }
  };
  static std::map<int, std::unique_ptr<Arena>> arenas;
  auto& a = arenas[threads];
  if (!a) a = std::make_unique<Arena>(threads);
  return a->arena.execute(
      [&] { return timed(n, [threads] { tbb::parallel_for(0, threads, [](int) {}); }); });
}

double uv_queue_work_seconds(int n) {
  ensure_uv_threadpool_can_start();
  uv_loop_t loop;
  uv_ok(uv_loop_init(&loop), "uv_loop_init");
  uv_work_t req;
  const auto round = [&] {
    uv_ok(uv_queue_work(
              &loop, &req, [](uv_work_t*) {}, [](uv_work_t*, int) {}),
          "uv_queue_work");
    uv_run(&loop, UV_RUN_DEFAULT);
  };
  round();  // starts the threadpool
  const double s = timed(n, round);
  uv_ok(uv_loop_close(&loop), "uv_loop_close");
  return s;
}

double pipe_round_trip_seconds(int n) {
  int to_child[2], to_parent[2];
  if (pipe2(to_child, O_CLOEXEC) != 0 || pipe2(to_parent, O_CLOEXEC) != 0) fail("pipe2");
  const pid_t pid = children::fork_owned();
  if (pid == 0) {
    // The child's copies of the ends it does not use must go, or it never
    // sees the end of file that tells it to leave.
    close(to_child[1]);
    close(to_parent[0]);
    char c = 0;
    while (read(to_child[0], &c, 1) == 1) {
      if (write(to_parent[1], &c, 1) != 1) _exit(1);
    }
    _exit(0);
  }
  close(to_child[0]);
  close(to_parent[1]);
  double s = 0;
  {
    // A blocking read from a stopped child would wait forever; a deadline
    // on every read would add a syscall to each round trip measured.
    const Watchdog watchdog(pid, kRoundTimeout + std::chrono::milliseconds(n / 10));
    s = timed(n, [&] {
      char c = 1;
      if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1) {
        throw std::runtime_error("pipe round trip: the child (pid " + std::to_string(pid) +
                                 ") did not answer");
      }
    });
  }
  close(to_child[1]);
  close(to_parent[0]);
  const pid_t pids[] = {pid};
  const std::string why =
      children::failures(children::wait_all(pids, kRoundTimeout, [] { return 0; }), kRoundTimeout);
  if (!why.empty()) throw std::runtime_error("pipe round trip: child " + why);
  return s;
}

}  // namespace cvp::bench
