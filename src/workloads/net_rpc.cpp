// net_rpc: each task asks a server over loopback TCP for a reply derived from its index.
#include "workloads/net_rpc.hpp"

#include <poll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <stdexcept>
#include <string>
#include <system_error>

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

// NetRpc::idle_limit. The server answers 1000 requests of 1 KiB in about
// 20 ms of CPU (19.6 ms in the reference run): 50 us a request and 4 ns a
// byte are some ten times that, and the second on top covers a loaded
// machine; a stopped server is still found within about a second.
std::chrono::milliseconds idle_limit_for(std::int64_t tasks, std::int64_t delay_us,
                                         std::int64_t bytes) {
  const std::int64_t us = delay_us + 1'000'000 + tasks * (50 + bytes * 4 / 1000);
  return std::chrono::milliseconds((us + 999) / 1000);
}

// Whether any of `fds` has something to read, an end of stream or an error:
// on a kept connection between runs, none should.
int first_readable(const std::vector<int>& fds) {
  std::vector<pollfd> polled;
  polled.reserve(fds.size());
  for (int fd : fds) polled.push_back({fd, POLLIN, 0});
  int ready = 0;
  while ((ready = ::poll(polled.data(), polled.size(), 0)) < 0 && errno == EINTR) {
  }
  if (ready < 0) throw std::system_error(errno, std::generic_category(), "poll");
  for (std::size_t i = 0; ready > 0 && i < polled.size(); ++i) {
    if (polled[i].revents != 0) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

NetRpc::NetRpc(std::int64_t tasks, std::int64_t delay_us, std::int64_t bytes, bool conn_per_task,
               rpc::ServerProcess& server)
    : Workload({check_tasks(tasks), check_range("sleep_us", delay_us, 0, rpc::kMaxDelayUs),
                check_reply_bytes(bytes), 0}),
      per_task_(conn_per_task),
      server_(server),
      port_(server.port()),
      idle_limit_(idle_limit_for(tasks, delay_us, bytes)) {
  check_fits(tasks, conn_per_task);
}

NetRpc::~NetRpc() {
  close_kept();
  if (g_open == this) g_open = nullptr;
}

rpc::ServerProcess& NetRpc::shared_server() {
  // A server that cannot start is the set-up's fault (CVP_RPC_SERVER, the
  // build), found before anything runs: bad input, not a failed benchmark.
  static rpc::ServerProcess server = [] {
    try {
      return rpc::ServerProcess(rpc::ServerProcess::default_path());
    } catch (const std::runtime_error& e) {
      throw std::invalid_argument(e.what());
    }
  }();
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
    e.idle_limit = idle_limit_;
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
  server_.check_running();
  if (const int busy = first_busy_kept(); busy >= 0) {
    throw std::runtime_error("net_rpc: kept connection " + std::to_string(busy) +
                             " is not idle between runs: the server sent more than a reply, "
                             "or closed it");
  }
  if (!per_task_ && kept_.empty()) open_kept();  // first, or after release or another workload
}

void NetRpc::before_run() const { open(); }

void NetRpc::release() const { close_kept(); }

std::optional<double> NetRpc::server_cpu_seconds() const { return server_.cpu_seconds(); }

int NetRpc::first_busy_kept() const { return kept_.empty() ? -1 : first_readable(kept_); }

void NetRpc::open_kept() const {
  if (g_open != nullptr && g_open != this) g_open->close_kept();
  g_open = this;
  kept_.reserve(static_cast<std::size_t>(tasks()));
  try {
    for (int i = 0; i < tasks(); ++i) kept_.push_back(rpc::connect_loopback(port_, idle_limit_));
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
