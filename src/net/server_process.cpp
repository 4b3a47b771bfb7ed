// A server of the project's own in a child process: started, checked ready, measured, stopped.
#include "net/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "children.hpp"
#include "net/blocking_socket.hpp"
#include "timing.hpp"

namespace cvp::rpc {
namespace {

// How long a server told to stop may take to leave before it is killed.
constexpr std::chrono::milliseconds kStopWithin{2'000};

[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error("net_rpc server " + path + ": " + what);
}

// Reads the server's first line within the deadline; "" when it closed its
// stdout first.
std::string read_first_line(int fd, Clock::time_point deadline, const std::string& path) {
  std::string line;
  char c = 0;
  while (line.size() < 64) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
    if (left.count() <= 0) fail(path, "not ready in time (no \"listening <port>\" line)");
    pollfd p{fd, POLLIN, 0};
    const int rc = ::poll(&p, 1, static_cast<int>(left.count()));
    if (rc < 0 && errno == EINTR) continue;
    if (rc < 0) throw std::system_error(errno, std::generic_category(), "poll");
    if (rc == 0) continue;
    const ssize_t n = ::read(fd, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return line;
    if (c == '\n') return line;
    line.push_back(c);
  }
  return line;
}

}  // namespace

std::string ServerProcess::default_path() {
  if (const char* env = std::getenv("CVP_RPC_SERVER"); env != nullptr && *env != '\0') return env;
  return CVP_RPC_SERVER_PATH;
}

ServerProcess::ServerProcess(const std::string& path, std::chrono::milliseconds ready_within) {
  if (::access(path.c_str(), X_OK) != 0) fail(path, "not an executable file");
  int out[2];
  if (::pipe2(out, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  pid_ = children::fork_owned();
  if (pid_ == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::execl(path.c_str(), path.c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ::close(out[1]);
  std::string line;
  try {
    line = read_first_line(out[0], Clock::now() + ready_within, path);
  } catch (...) {
    ::close(out[0]);
    stop();
    throw;
  }
  ::close(out[0]);
  const std::string prefix = "listening ";
  if (line.rfind(prefix, 0) != 0) {
    stop();
    fail(path, line.empty() ? "exited before it was ready" : "said \"" + line + "\", not \"listening <port>\"");
  }
  port_ = std::atoi(line.c_str() + prefix.size());
  if (port_ <= 0 || port_ > 65535) {
    stop();
    fail(path, "gave a port out of range: \"" + line + "\"");
  }
  try {
    ::close(connect_loopback(port_, ready_within));  // it accepts: ready
  } catch (const std::exception& e) {
    stop();
    fail(path, std::string("does not accept connections: ") + e.what());
  }
}

ServerProcess::~ServerProcess() { stop(); }

void ServerProcess::stop() noexcept {
  if (pid_ <= 0 || reaped_) return;
  // A stopped server keeps SIGTERM pending until it runs again: SIGCONT,
  // and SIGKILL for one that does not leave in time, so stopping never
  // waits on it for ever.
  ::kill(pid_, SIGTERM);
  ::kill(pid_, SIGCONT);
  const pid_t pids[] = {pid_};
  try {
    children::wait_all(pids, kStopWithin, [] { return std::int64_t{0}; });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "net_rpc server (pid %d): %s\n", static_cast<int>(pid_), e.what());
  }
  reaped_ = true;
}

void ServerProcess::check_running() {
  if (!reaped_) {
    int status = 0;
    pid_t r = 0;
    while ((r = ::waitpid(pid_, &status, WNOHANG)) < 0 && errno == EINTR) {
    }
    if (r < 0) throw std::system_error(errno, std::generic_category(), "waitpid");
    if (r == pid_) {
      children::forget(pid_);
      reaped_ = true;
      const std::string how = children::Ended{.pid = pid_, .status = status}.failure({});
      ended_ =
          "net_rpc server: " + (how.empty() ? "pid " + std::to_string(pid_) + " exited" : how) +
          "; nothing answers on port " + std::to_string(port_);
    }
  }
  if (reaped_) throw std::runtime_error(ended_.empty() ? "net_rpc server: stopped" : ended_);
  // 'T' only: 't' is a stop under a tracer (strace, gdb), which lets it run on.
  if (children::proc_state(pid_) == 'T') {
    throw std::runtime_error("net_rpc server: pid " + std::to_string(pid_) +
                             " is stopped (SIGSTOP or SIGTSTP): it answers nothing");
  }
}

double ServerProcess::cpu_seconds() const {
  if (reaped_) throw std::runtime_error(ended_.empty() ? "net_rpc server: stopped" : ended_);
  std::ifstream in("/proc/" + std::to_string(pid_) + "/schedstat");
  long long on_cpu_ns = 0;
  if (!(in >> on_cpu_ns)) {
    throw std::runtime_error("net_rpc server: cannot read /proc/" + std::to_string(pid_) +
                             "/schedstat");
  }
  return static_cast<double>(on_cpu_ns) * 1e-9;
}

}  // namespace cvp::rpc
