// Blocking TCP client calls on loopback, each checked where it is made.
#include "net/blocking_socket.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>

namespace cvp::rpc {
namespace {

[[noreturn]] void throw_errno(const char* call) {
  throw std::system_error(errno, std::generic_category(), call);
}

// The idle limit connect_loopback set on the socket (0: none).
std::chrono::milliseconds idle_limit_of(int fd) {
  timeval tv{};
  socklen_t len = sizeof tv;
  if (::getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len) != 0) {
    throw_errno("getsockopt SO_RCVTIMEO");
  }
  return std::chrono::milliseconds(tv.tv_sec * 1000 + tv.tv_usec / 1000);
}

std::string seconds_text(std::chrono::milliseconds d) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f s", static_cast<double>(d.count()) / 1e3);
  return text;
}

[[noreturn]] void throw_idle(const char* call, int fd) {
  throw std::system_error(ETIMEDOUT, std::generic_category(),
                          std::string(call) + ": no byte moved for " +
                              seconds_text(idle_limit_of(fd)) + " (is the server stopped?)");
}

void set_timeout(int fd, int option, const char* name, std::chrono::milliseconds d) {
  const timeval tv{static_cast<time_t>(d.count() / 1000),
                   static_cast<suseconds_t>((d.count() % 1000) * 1000)};
  if (::setsockopt(fd, SOL_SOCKET, option, &tv, sizeof tv) != 0) {
    const int e = errno;
    throw std::system_error(e, std::generic_category(), std::string("setsockopt ") + name);
  }
}

// After EAGAIN. A blocking socket says so only when its idle limit passed;
// a non-blocking one (shared with an event loop) is waited on in poll(),
// for the same limit.
void wait_for(int fd, short events, const char* call) {
  const int flags = ::fcntl(fd, F_GETFL);
  if (flags < 0) throw_errno("fcntl F_GETFL");
  if ((flags & O_NONBLOCK) == 0) throw_idle(call, fd);
  const auto limit = idle_limit_of(fd);
  pollfd p{fd, events, 0};
  for (;;) {
    const int rc = ::poll(&p, 1, limit.count() > 0 ? static_cast<int>(limit.count()) : -1);
    if (rc > 0) return;
    if (rc == 0) throw_idle(call, fd);
    if (errno != EINTR) throw_errno("poll");
  }
}

void connect_within(int fd, int port, std::chrono::milliseconds idle_limit) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const std::string what = "connect 127.0.0.1:" + std::to_string(port);
  while (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
    if (errno == EINTR) continue;
    // With SO_SNDTIMEO a blocking connect gives up with EINPROGRESS: a
    // server that stopped accepting and whose backlog is full.
    if (errno == EINPROGRESS) {
      throw std::system_error(ETIMEDOUT, std::generic_category(),
                              what + ": not accepted within " + seconds_text(idle_limit));
    }
    throw_errno(what.c_str());
  }
}

}  // namespace

int connect_loopback(int port, std::chrono::milliseconds idle_limit) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw_errno("socket");
  try {
    const int one = 1;
    if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
      throw_errno("setsockopt TCP_NODELAY");
    }
    set_timeout(fd, SO_RCVTIMEO, "SO_RCVTIMEO", idle_limit);
    set_timeout(fd, SO_SNDTIMEO, "SO_SNDTIMEO", idle_limit);
    connect_within(fd, port, idle_limit);
  } catch (...) {
    ::close(fd);
    throw;
  }
  return fd;
}

void send_all(int fd, std::span<const std::uint8_t> bytes) {
  std::size_t sent = 0;
  while (sent < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n >= 0) {
      sent += static_cast<std::size_t>(n);
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for(fd, POLLOUT, "send");
    } else if (errno != EINTR) {
      throw_errno("send");
    }
  }
}

void recv_exact(int fd, std::span<std::uint8_t> out) {
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::recv(fd, out.data() + got, out.size() - got, 0);
    if (n > 0) {
      got += static_cast<std::size_t>(n);
    } else if (n == 0) {
      throw std::runtime_error("recv: the server closed the connection after " +
                               std::to_string(got) + " of " + std::to_string(out.size()) +
                               " bytes");
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for(fd, POLLIN, "recv");
    } else if (errno != EINTR) {
      throw_errno("recv");
    }
  }
}

bool recv_eof(int fd) {
  std::uint8_t byte = 0;
  for (;;) {
    const ssize_t n = ::recv(fd, &byte, 1, 0);
    if (n >= 0) return n == 0;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      wait_for(fd, POLLIN, "recv");
    } else if (errno != EINTR) {
      throw_errno("recv");
    }
  }
}

void abandon(int fd) noexcept {
  // ENOTCONN (the server reset it already) leaves it as wanted: unusable.
  if (::shutdown(fd, SHUT_RDWR) != 0 && errno != ENOTCONN) {
    std::perror("net_rpc: shutdown of an abandoned connection");
  }
}

}  // namespace cvp::rpc
