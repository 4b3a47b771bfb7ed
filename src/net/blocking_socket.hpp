// Blocking TCP client calls on loopback, each checked where it is made.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>

namespace cvp::rpc {

// A connected TCP socket to 127.0.0.1:port, blocking, close-on-exec, with
// Nagle off (requests are small and latency is measured). Its idle limit is
// set on the socket (SO_RCVTIMEO, SO_SNDTIMEO): a call below that moves no
// byte for that long fails, so a server that is stopped (it never closes
// its end) cannot hang its client. The connect itself waits no longer.
// A zero limit sets none.
// Throws std::system_error naming the call.
int connect_loopback(int port, std::chrono::milliseconds idle_limit);

// Sends every byte. Throws std::system_error.
void send_all(int fd, std::span<const std::uint8_t> bytes);

// Receives exactly out.size() bytes. Throws std::runtime_error when the
// peer closes first, std::system_error on an error.
void recv_exact(int fd, std::span<std::uint8_t> out);

// True when the peer has closed (the next read returns end of file); false
// when it sent more. Throws std::system_error on an error.
bool recv_eof(int fd);

// All three fail with std::system_error(ETIMEDOUT) when the socket's idle
// limit passes with no byte moved. They also work on a socket another user
// set non-blocking (an event loop that shared it): on EAGAIN they wait in
// poll(), for no longer than the idle limit.

// After an exchange on a kept connection failed or was left unfinished: a
// reply may still come, or part of one be left, so the connection is shut
// down for every process and handle that holds it (a forked worker, an
// event loop's copy), and no later exchange can read these bytes as its
// own. The harness then releases the workload's connections (release()).
void abandon(int fd) noexcept;

}  // namespace cvp::rpc
