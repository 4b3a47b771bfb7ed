// net_rpc: each task asks a server over loopback TCP for a reply derived from its index.
#pragma once

#include <chrono>
#include <cstdint>
#include <vector>

#include "workloads/workload.hpp"

namespace cvp {

namespace rpc {
class ServerProcess;
}

// Real IO: task i sends a request naming i to a server process, which
// replies after sleep_us with `bytes` bytes derived from i; the task's
// digest is the SHA-256 of the reply. With kept connections, task i asks on
// connection i, opened before timing and kept across runs (one request per
// connection per run, so no two tasks in flight share one); with a
// connection per task, it connects, asks, reads to the end of the stream
// (the server closes first, so the TIME_WAIT is the server's) and closes.
//
// A server that dies, stops or misbehaves fails the run, never hangs it: an
// exchange that moves no byte for idle_limit() fails, a failed run's kept
// connections are released (the next benchmark opens new ones), and each
// run starts only after the server is found running and every kept
// connection idle.
class NetRpc final : public Workload {
 public:
  // Throws std::invalid_argument for a parameter out of range, or for N
  // connections that this process's descriptor limit or the machine's
  // ephemeral ports cannot hold (one line naming the limit).
  NetRpc(std::int64_t tasks, std::int64_t delay_us, std::int64_t bytes, bool conn_per_task,
         rpc::ServerProcess& server);
  ~NetRpc() override;
  NetRpc(const NetRpc&) = delete;
  NetRpc& operator=(const NetRpc&) = delete;

  std::string_view name() const override { return "net_rpc"; }
  // The SHA-256 of the reply a correct server sends task `index`.
  Digest compute(int index) const override;
  Wait resume(TaskState& s) const override;
  int kept_fd(int index) const override;
  // Before a model is prepared and before each run: throws when the server
  // is not running, or when a kept connection is not idle (the server sent
  // more than a reply, or closed it); opens the kept connections unless open.
  void open() const override;
  void before_run() const override;
  // Closes the kept connections: the next open() makes new ones.
  void release() const override;
  std::optional<double> server_cpu_seconds() const override;
  bool cpu_only() const override { return false; }

  bool conn_per_task() const { return per_task_; }
  // The longest an exchange may move no byte: the delay, plus a second,
  // plus what the server takes to answer all N (an allowance per request
  // and per reply byte, far above what it needs), so that only a server
  // that stopped answering reaches it.
  std::chrono::milliseconds idle_limit() const { return idle_limit_; }

  // The server every net_rpc workload of this process asks: started on the
  // first call (from the harness's main thread, before any timing), stopped
  // when the process exits. Throws std::invalid_argument, one line naming
  // the server's path, when it cannot be started or made ready.
  static rpc::ServerProcess& shared_server();

 private:
  void open_kept() const;
  void close_kept() const;
  // The index of the first kept connection with something to read (bytes
  // past a reply, the end of its stream, an error), or -1.
  int first_busy_kept() const;

  bool per_task_;
  rpc::ServerProcess& server_;
  int port_;
  std::chrono::milliseconds idle_limit_;
  // Connection i of task i, opened on first need. Only one workload keeps
  // its connections open at a time: the next one to open closes them.
  mutable std::vector<int> kept_;
};

}  // namespace cvp
