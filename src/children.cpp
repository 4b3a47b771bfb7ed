// Child processes that never outlive the harness: forked with a parent-death signal, killed and
// reaped on SIGINT/SIGTERM, and waited for with a deadline.
#include "children.hpp"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <system_error>

#include "timing.hpp"

namespace cvp::children {
namespace {

// Lock-free slots a signal handler can read: a pid, or 0 when free. More
// than any run has at once (kMaxWorkers workers, plus the bare primitive's).
constexpr std::size_t kSlots = 2048;
std::array<std::atomic<pid_t>, kSlots> g_pids{};
static_assert(std::atomic<pid_t>::is_always_lock_free);

char g_cleanup[PATH_MAX] = {};
std::atomic<bool> g_cleanup_set{false};

void remember(pid_t pid) {
  for (auto& slot : g_pids) {
    pid_t free = 0;
    if (slot.compare_exchange_strong(free, pid)) return;
  }
  // No slot: the child could outlive a Ctrl-C. Refuse it rather than risk that.
  ::kill(pid, SIGKILL);
  while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  throw std::system_error(EAGAIN, std::generic_category(), "fork: too many children to track");
}

// Async-signal-safe: kill, waitpid, unlink, sigaction and raise only.
void on_fatal_signal(int sig) {
  for (auto& slot : g_pids) {
    const pid_t pid = slot.load();
    if (pid > 0) ::kill(pid, SIGKILL);
  }
  for (auto& slot : g_pids) {
    const pid_t pid = slot.exchange(0);
    if (pid > 0) {
      while (::waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
      }
    }
  }
  remove_cleanup_file();
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  ::sigaction(sig, &dfl, nullptr);
  // Pending until this handler returns, then the default action ends the
  // process with the signal, so the parent's shell sees how it ended.
  ::raise(sig);
}

void set_action(int sig, void (*handler)(int)) {
  struct sigaction sa {};
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  if (::sigaction(sig, &sa, nullptr) != 0) {
    throw std::system_error(errno, std::generic_category(), "sigaction");
  }
}

// Reaps `e.pid` if it has ended; true when it has.
bool try_reap(Ended& e) {
  for (;;) {
    const pid_t r = ::waitpid(e.pid, &e.status, WNOHANG);
    if (r == e.pid) {
      forget(e.pid);
      return true;
    }
    if (r == 0) return false;
    if (errno != EINTR) throw std::system_error(errno, std::generic_category(), "waitpid");
  }
}

void kill_stalled(Ended& e) noexcept {
  e.state_seen = proc_state(e.pid);
  e.stalled = true;
  ::kill(e.pid, SIGKILL);  // ends a stopped process too
  while (::waitpid(e.pid, &e.status, 0) < 0 && errno == EINTR) {
  }
  forget(e.pid);
}

// One pidfd per child: poll wakes the moment a child ends, so the bare
// primitive's time ends when its last child does, not at a polling tick.
struct PidFds {
  std::vector<int> fds;
  explicit PidFds(std::span<const pid_t> pids) {
    for (pid_t pid : pids) fds.push_back(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  }
  ~PidFds() {
    for (int fd : fds) {
      if (fd >= 0) ::close(fd);
    }
  }
  PidFds(const PidFds&) = delete;
  PidFds& operator=(const PidFds&) = delete;
  // Without pidfds (an old kernel, a seccomp filter), waitpid is tried every millisecond.
  bool complete() const { return std::find(fds.begin(), fds.end(), -1) == fds.end(); }
};

}  // namespace

char proc_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');
  return paren != std::string::npos && paren + 2 < text.size() ? text[paren + 2] : '?';
}

pid_t fork_owned() {
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) throw std::system_error(errno, std::generic_category(), "fork");
  if (pid > 0) {
    remember(pid);
    return pid;
  }
  // The parent may have died between fork and prctl: then no signal comes.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(1);
  // The handler (and the parent's list of children it would kill) is the
  // parent's: back to the default actions, so the registry is never read here.
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) ::signal(sig, SIG_DFL);
  return 0;
}

void forget(pid_t pid) noexcept {
  for (auto& slot : g_pids) {
    pid_t expected = pid;
    if (pid > 0 && slot.compare_exchange_strong(expected, 0)) return;
  }
}

std::vector<pid_t> registered() {
  std::vector<pid_t> out;
  for (auto& slot : g_pids) {
    if (const pid_t pid = slot.load(); pid > 0) out.push_back(pid);
  }
  return out;
}

void install_exit_handlers() {
  set_action(SIGINT, on_fatal_signal);
  set_action(SIGTERM, on_fatal_signal);
  struct sigaction hup {};
  if (::sigaction(SIGHUP, nullptr, &hup) != 0) {
    throw std::system_error(errno, std::generic_category(), "sigaction");
  }
  if (hup.sa_handler != SIG_IGN) set_action(SIGHUP, on_fatal_signal);
  set_action(SIGXFSZ, SIG_IGN);
  set_action(SIGPIPE, SIG_IGN);
}

void set_cleanup_path(const char* path) noexcept {
  g_cleanup_set.store(false);
  if (path == nullptr || std::strlen(path) >= sizeof g_cleanup) return;
  std::strcpy(g_cleanup, path);
  g_cleanup_set.store(true);
}

void remove_cleanup_file() noexcept {
  if (g_cleanup_set.load()) ::unlink(g_cleanup);
}

std::string Ended::failure(std::chrono::milliseconds timeout) const {
  if (cancelled) return "";
  const std::string who = "pid " + std::to_string(pid);
  if (stalled) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%.1f", std::chrono::duration<double>(timeout).count());
    return who + " made no progress within " + limit + " s" +
           (state_seen == 'T' || state_seen == 't' ? " (it was stopped)" : "") + "; killed";
  }
  if (WIFSIGNALED(status)) {
    const int sig = WTERMSIG(status);
    return who + " was killed by signal " + std::to_string(sig) + " (" + strsignal(sig) + ")";
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
    return who + " exited with status " + std::to_string(WEXITSTATUS(status));
  }
  return "";
}

namespace {

// One wait on the children still running (until one ends or a tick
// passes), then every one that ended is reaped. True when any ended.
bool reap_tick(const PidFds& pidfds, std::vector<Ended>& ended, std::vector<char>& done,
               std::size_t& left) {
  std::vector<pollfd> polled;
  for (std::size_t i = 0; i < ended.size(); ++i) {
    if (!done[i] && pidfds.fds[i] >= 0) polled.push_back({pidfds.fds[i], POLLIN, 0});
  }
  const int tick_ms = pidfds.complete() ? 100 : 1;
  if (::poll(polled.data(), polled.size(), tick_ms) < 0 && errno != EINTR) {
    throw std::system_error(errno, std::generic_category(), "poll");
  }
  bool any = false;
  for (std::size_t i = 0; i < ended.size(); ++i) {
    if (!done[i] && try_reap(ended[i])) {
      done[i] = 1;
      --left;
      any = true;
    }
  }
  return any;
}

}  // namespace

std::vector<Ended> wait_all(std::span<const pid_t> pids, std::chrono::milliseconds timeout,
                            const std::function<std::int64_t()>& progress) {
  std::vector<Ended> ended;
  for (pid_t pid : pids) ended.push_back({.pid = pid});
  const PidFds pidfds(pids);
  const auto limit_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  std::int64_t last = progress(), last_change = monotonic_ns();
  std::vector<char> done(ended.size(), 0);
  for (std::size_t left = ended.size(); left > 0;) {
    const bool any = reap_tick(pidfds, ended, done, left);
    const std::int64_t now = monotonic_ns(), p = progress();
    if (any || p != last) {
      last = p;
      last_change = now;
    }
    if (left > 0 && now - last_change > limit_ns) {
      for (std::size_t i = 0; i < ended.size(); ++i) {
        if (!done[i]) kill_stalled(ended[i]);
      }
      break;
    }
  }
  return ended;
}

std::vector<Ended> wait_each(std::span<const pid_t> pids, std::chrono::milliseconds timeout,
                             const std::function<std::int64_t(std::size_t)>& progress_of) {
  std::vector<Ended> ended;
  for (pid_t pid : pids) ended.push_back({.pid = pid});
  const PidFds pidfds(pids);
  const auto limit_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(timeout).count();
  std::vector<std::int64_t> last(ended.size()), last_change(ended.size(), monotonic_ns());
  for (std::size_t i = 0; i < ended.size(); ++i) last[i] = progress_of(i);
  std::vector<char> done(ended.size(), 0);
  for (std::size_t left = ended.size(); left > 0;) {
    reap_tick(pidfds, ended, done, left);
    const std::int64_t now = monotonic_ns();
    bool stalled = false;
    for (std::size_t i = 0; i < ended.size(); ++i) {
      if (const std::int64_t p = progress_of(i); p != last[i]) {
        last[i] = p;
        last_change[i] = now;
      }
      stalled = stalled || (!done[i] && now - last_change[i] > limit_ns);
    }
    if (!stalled) continue;
    // The others' work is lost with the stalled one's: they are ended now,
    // not after they finish it.
    for (std::size_t i = 0; i < ended.size(); ++i) {
      if (done[i]) continue;
      const bool own = now - last_change[i] > limit_ns;
      kill_stalled(ended[i]);  // killed and reaped alike; only the marks differ
      ended[i].stalled = own;
      ended[i].cancelled = !own;
    }
    break;
  }
  return ended;
}

std::string failures(const std::vector<Ended>& ended, std::chrono::milliseconds timeout) {
  std::string out;
  for (const Ended& e : ended) {
    const std::string why = e.failure(timeout);
    if (!why.empty()) out += (out.empty() ? "" : "; ") + why;
  }
  return out;
}

}  // namespace cvp::children
