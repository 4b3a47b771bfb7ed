// net_rpc: each task asks a server over loopback TCP for a reply derived from its index.
#pragma once

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
class NetRpc final : public Workload {
 public:
  // Throws std::invalid_argument for a parameter out of range, or for N
  // connections that this process's descriptor limit or the machine's
  // ephemeral ports cannot hold (one line naming the limit).
  NetRpc(std::int64_t tasks, std::int64_t delay_us, std::int64_t bytes, bool conn_per_task,
         int port);
  ~NetRpc() override;
  NetRpc(const NetRpc&) = delete;
  NetRpc& operator=(const NetRpc&) = delete;

  std::string_view name() const override { return "net_rpc"; }
  // The SHA-256 of the reply a correct server sends task `index`.
  Digest compute(int index) const override;
  Wait resume(TaskState& s) const override;
  int kept_fd(int index) const override;
  // Opens the kept connections (before a model is prepared), unless open.
  void open() const override;
  void before_run() const override;
  std::optional<double> server_cpu_seconds() const override;
  bool cpu_only() const override { return false; }

  bool conn_per_task() const { return per_task_; }

  // The server every net_rpc workload of this process asks: started on the
  // first call (from the harness's main thread, before any timing), stopped
  // when the process exits.
  static rpc::ServerProcess& shared_server();

 private:
  void open_kept() const;
  void close_kept() const;

  bool per_task_;
  int port_;
  // Connection i of task i, opened on first need. Only one workload keeps
  // its connections open at a time: the next one to open closes them.
  mutable std::vector<int> kept_;
};

}  // namespace cvp
