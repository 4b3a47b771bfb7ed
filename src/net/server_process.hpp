// A server of the project's own in a child process: started, checked ready, measured, stopped.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <string>

namespace cvp::rpc {

// net_rpc's server, started from the executable at `path` before any timing.
// Ready means: it printed "listening <port>" on its stdout within
// `ready_within`, and a connection to that port was accepted. It dies with
// this process (children::fork_owned) and is stopped with SIGTERM and
// reaped by the destructor (a stopped one too: it is continued, and killed
// if it does not leave in time).
class ServerProcess {
 public:
  // Throws std::runtime_error naming the path and what went wrong (no such
  // file, it exited, it printed something else, it was not ready in time).
  explicit ServerProcess(const std::string& path,
                         std::chrono::milliseconds ready_within = std::chrono::seconds(10));
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  int port() const { return port_; }
  pid_t pid() const { return pid_; }
  // CPU seconds the server has used so far: /proc/<pid>/schedstat's time on
  // CPU, in nanoseconds (its one thread is its main thread).
  double cpu_seconds() const;

  // Throws std::runtime_error when the server can answer no more: it ended
  // (it is reaped then, so no zombie is left, and every later call says how
  // it ended) or it is stopped (SIGSTOP: it holds its connections open and
  // answers nothing). Before each run, outside the timing.
  void check_running();

  // Where the server executable is: $CVP_RPC_SERVER when set, else the path
  // the build wrote in.
  static std::string default_path();

 private:
  void stop() noexcept;

  pid_t pid_ = -1;
  bool reaped_ = false;
  int port_ = 0;
  std::string ended_;  // how it ended, once check_running reaped it
};

}  // namespace cvp::rpc
