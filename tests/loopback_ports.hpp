// Loopback ports that misbehave on purpose, for the tests of net_rpc's clients: one that never
// answers, one where nothing listens; and an exchange with a short idle limit to ask them.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <system_error>

#include "workloads/task.hpp"

namespace cvp::testing {

// A socket bound to 127.0.0.1 on a free port; listening or not.
class LoopbackPort {
 public:
  explicit LoopbackPort(bool listen) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (::bind(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0 ||
        (listen && ::listen(fd_, 64) != 0) ||
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      const int e = errno;
      ::close(fd_);
      throw std::system_error(e, std::generic_category(), "a loopback port for a test");
    }
    port_ = ntohs(addr.sin_port);
  }
  ~LoopbackPort() { ::close(fd_); }
  LoopbackPort(const LoopbackPort&) = delete;
  LoopbackPort& operator=(const LoopbackPort&) = delete;
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

// What a stopped server looks like to a client: the kernel completes its
// connections into the backlog, and nothing is ever read or sent.
class SilentServer : public LoopbackPort {
 public:
  SilentServer() : LoopbackPort(true) {}
};

// A port where nothing listens: bound and never listened on, so that no
// other program takes it during the test.
class DeadPort : public LoopbackPort {
 public:
  DeadPort() : LoopbackPort(false) {}
};

// An exchange of a 16-byte reply from `port` (on `kept_fd`, or on a
// connection of its own when -1) that fails after 200 ms with no byte moved.
inline Exchange exchange_within(int port, int kept_fd) {
  Exchange e;
  e.kept_fd = kept_fd;
  e.port = port;
  e.reply_bytes = 16;
  e.idle_limit = std::chrono::milliseconds(200);
  return e;
}

}  // namespace cvp::testing
