// Blocking TCP client calls on loopback, each checked where it is made.
#pragma once

#include <cstdint>
#include <span>

namespace cvp::rpc {

// A connected TCP socket to 127.0.0.1:port, blocking, close-on-exec, with
// Nagle off (requests are small and latency is measured). Throws
// std::system_error naming the call.
int connect_loopback(int port);

// Sends every byte. Throws std::system_error.
void send_all(int fd, std::span<const std::uint8_t> bytes);

// Receives exactly out.size() bytes. Throws std::runtime_error when the
// peer closes first, std::system_error on an error.
void recv_exact(int fd, std::span<std::uint8_t> out);

// True when the peer has closed (the next read returns end of file); false
// when it sent more. Throws std::system_error on an error.
bool recv_eof(int fd);

// Both calls above also work on a socket another user set non-blocking (an
// event loop that shared it): on EAGAIN they wait in poll().

}  // namespace cvp::rpc
