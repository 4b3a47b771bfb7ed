// Tests for src/net/blocking_socket.cpp: calls that fail, never hang, when the server stops
// answering.
#include "net/blocking_socket.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <chrono>
#include <string>
#include <system_error>

#include "loopback_ports.hpp"
#include "timing.hpp"

namespace cvp::rpc {
namespace {

using namespace std::chrono_literals;

constexpr std::array<std::uint8_t, 20> kRequest{};

// Runs `call`, expects std::system_error(ETIMEDOUT) and returns its message.
template <typename Call>
std::string timeout_of(Call call) {
  try {
    call();
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ETIMEDOUT) << e.what();
    return e.what();
  }
  return "(no exception)";
}

TEST(BlockingSocket, RecvFromAServerThatNeverAnswersFailsAtTheIdleLimit) {
  const cvp::testing::SilentServer silent;
  const int fd = connect_loopback(silent.port(), 200ms);
  send_all(fd, kRequest);  // the kernel takes it: nobody reads
  std::array<std::uint8_t, 8> reply{};
  const auto t0 = Clock::now();
  const std::string said = timeout_of([&] { recv_exact(fd, reply); });
  // At least the limit; the upper bound is only the test's own deadline.
  EXPECT_GE(seconds_since(t0), 0.15);
  EXPECT_LT(seconds_since(t0), 10.0);
  EXPECT_NE(said.find("recv: no byte moved for 0.2 s"), std::string::npos) << said;
  EXPECT_THROW(recv_eof(fd), std::system_error);
  ::close(fd);
}

TEST(BlockingSocket, ANonBlockingSocketWaitsInPollNoLongerThanItsIdleLimit) {
  // An event loop that shared the connection left it non-blocking.
  const cvp::testing::SilentServer silent;
  const int fd = connect_loopback(silent.port(), 200ms);
  ASSERT_EQ(::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK), 0);
  std::array<std::uint8_t, 8> reply{};
  const auto t0 = Clock::now();
  const std::string said = timeout_of([&] { recv_exact(fd, reply); });
  EXPECT_GE(seconds_since(t0), 0.15);
  EXPECT_LT(seconds_since(t0), 10.0);
  EXPECT_NE(said.find("no byte moved"), std::string::npos) << said;
  ::close(fd);
}

TEST(BlockingSocket, APortWithNothingListeningIsRefusedAtOnce) {
  const cvp::testing::DeadPort dead;
  try {
    connect_loopback(dead.port(), 10s);
    FAIL() << "connected";
  } catch (const std::system_error& e) {
    EXPECT_EQ(e.code().value(), ECONNREFUSED);
    EXPECT_NE(std::string(e.what()).find("connect 127.0.0.1:" + std::to_string(dead.port())),
              std::string::npos)
        << e.what();
  }
}

TEST(BlockingSocket, AbandonEndsTheConnectionForEveryHolder) {
  const cvp::testing::SilentServer silent;
  const int fd = connect_loopback(silent.port(), 10s);
  const int copy = ::dup(fd);  // a forked worker's, or an event loop's
  ASSERT_GE(copy, 0);
  abandon(fd);
  std::uint8_t byte = 0;
  EXPECT_EQ(::recv(copy, &byte, 1, MSG_DONTWAIT), 0);  // end of stream, at once
  std::array<std::uint8_t, 8> reply{};
  EXPECT_THROW(recv_exact(copy, reply), std::runtime_error);
  ::close(copy);
  ::close(fd);
}

}  // namespace
}  // namespace cvp::rpc
