// net_rpc: each task asks a server over loopback TCP for a reply derived from its index.
#include "workloads/net_rpc.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <fstream>
#include <stdexcept>
#include <string>

#include "net/blocking_socket.hpp"
#include "net/rpc_protocol.hpp"
#include "net/server_process.hpp"
#include "params.hpp"

namespace cvp {
namespace {

// The workload whose kept connections are open; one at a time.
const NetRpc* g_open = nullptr;

std::int64_t check_reply_bytes(std::int64_t bytes) {
  return check_range("bytes", bytes, 1, rpc::kMaxReplyBytes);
}

// Descriptors this process may open: the soft limit, raised to the hard one.
rlim_t raised_fd_limit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) != 0) return 1024;
  if (r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
    getrlimit(RLIMIT_NOFILE, &r);
  }
  return r.rlim_cur;
}

// How many local ports connect() can choose from.
std::int64_t ephemeral_ports() {
  std::ifstream in("/proc/sys/net/ipv4/ip_local_port_range");
  std::int64_t lo = 0, hi = 0;
  if (!(in >> lo >> hi) || hi < lo) return 28'232;  // Linux's default range
  return hi - lo + 1;
}

void check_fits(std::int64_t tasks, bool per_task) {
  // A kept connection is held twice at most (an event loop wraps a copy);
  // 64 for everything else the process has open.
  const std::int64_t need = 2 * tasks + 64;
  const auto limit = static_cast<std::int64_t>(raised_fd_limit());
  if (need > limit) {
    throw std::invalid_argument("net_rpc: " + std::to_string(tasks) +
                                " connections need about " + std::to_string(need) +
                                " descriptors; RLIMIT_NOFILE is " + std::to_string(limit));
  }
  if (per_task && tasks > ephemeral_ports()) {
    throw std::invalid_argument("net_rpc: " + std::to_string(tasks) +
                                " connections at once need as many local ports; "
                                "net.ipv4.ip_local_port_range has " +
                                std::to_string(ephemeral_ports()));
  }
}

}  // namespace

NetRpc::NetRpc(std::int64_t tasks, std::int64_t delay_us, std::int64_t bytes, bool conn_per_task,
               int port)
    : Workload({check_tasks(tasks), check_range("sleep_us", delay_us, 0, rpc::kMaxDelayUs),
                check_reply_bytes(bytes), 0}),
      per_task_(conn_per_task),
      port_(port) {
  check_fits(tasks, conn_per_task);
}

NetRpc::~NetRpc() {
  close_kept();
  if (g_open == this) g_open = nullptr;
}

rpc::ServerProcess& NetRpc::shared_server() {
  static rpc::ServerProcess server(rpc::ServerProcess::default_path());
  return server;
}

Digest NetRpc::compute(int index) const {
  std::vector<std::uint8_t> reply(static_cast<std::size_t>(params().bytes));
  rpc::fill_reply(static_cast<std::uint32_t>(index), reply);
  return thread_sha256()(reply);
}

Wait NetRpc::resume(TaskState& s) const {
  if (s.step == 0) {
    s.step = 1;
    Exchange e;
    e.kept_fd = per_task_ ? -1 : kept_fd(s.index);
    e.port = port_;
    e.reply_bytes = static_cast<std::uint32_t>(params().bytes);
    e.request = rpc::encode({static_cast<std::uint32_t>(s.index),
                             static_cast<std::uint32_t>(params().sleep_us), e.reply_bytes,
                             per_task_ ? rpc::kCloseAfterReply : 0u});
    return e;
  }
  if (s.step == 1) {
    s.step = 2;
    s.digest = thread_sha256()(s.received);
  }
  return TaskDone{};
}

int NetRpc::kept_fd(int index) const {
  if (per_task_) return -1;
  if (kept_.empty()) open_kept();
  return kept_[static_cast<std::size_t>(index)];
}

void NetRpc::open() const {
  if (!per_task_ && kept_.empty()) open_kept();
}

void NetRpc::before_run() const { open(); }

std::optional<double> NetRpc::server_cpu_seconds() const {
  return shared_server().cpu_seconds();
}

void NetRpc::open_kept() const {
  if (g_open != nullptr && g_open != this) g_open->close_kept();
  g_open = this;
  kept_.reserve(static_cast<std::size_t>(tasks()));
  try {
    for (int i = 0; i < tasks(); ++i) kept_.push_back(rpc::connect_loopback(port_));
  } catch (...) {
    close_kept();
    throw;
  }
}

void NetRpc::close_kept() const {
  for (int fd : kept_) ::close(fd);
  kept_.clear();
}

}  // namespace cvp
