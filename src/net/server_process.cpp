// A server of the project's own in a child process: started, checked ready, measured, stopped.
#include "net/server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "children.hpp"
#include "net/blocking_socket.hpp"
#include "timing.hpp"

namespace cvp::rpc {
namespace {

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
    ::close(connect_loopback(port_));  // it accepts: ready
  } catch (const std::exception& e) {
    stop();
    fail(path, std::string("does not accept connections: ") + e.what());
  }
}

ServerProcess::~ServerProcess() { stop(); }

void ServerProcess::stop() noexcept {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  children::forget(pid_);
  pid_ = -1;
}

double ServerProcess::cpu_seconds() const {
  std::ifstream in("/proc/" + std::to_string(pid_) + "/schedstat");
  long long on_cpu_ns = 0;
  if (!(in >> on_cpu_ns)) {
    throw std::runtime_error("net_rpc server: cannot read /proc/" + std::to_string(pid_) +
                             "/schedstat");
  }
  return static_cast<double>(on_cpu_ns) * 1e-9;
}

}  // namespace cvp::rpc
