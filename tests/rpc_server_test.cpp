// Tests for src/net/rpc_server.cpp: the server answers kept and one-shot connections, refuses junk.
#include "net/rpc_server.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "net/blocking_socket.hpp"

namespace cvp::rpc {
namespace {

// Far longer than any call here takes: only a hang reaches it.
constexpr std::chrono::milliseconds kIdleLimit{10'000};

// A server on a loop of its own thread, closed from that thread.
class ServerThread {
 public:
  ServerThread() {
    uv_loop_init(&loop_);
    uv_async_init(&loop_, &stop_, stop_cb);
    stop_.data = this;
    server_ = std::make_unique<Server>(&loop_);
    port_ = server_->listen();
    thread_ = std::thread([this] { uv_run(&loop_, UV_RUN_DEFAULT); });
  }
  ~ServerThread() {
    uv_async_send(&stop_);
    thread_.join();
    server_.reset();
    uv_loop_close(&loop_);
  }
  int port() const { return port_; }
  Server& server() { return *server_; }

 private:
  static void stop_cb(uv_async_t* a) {
    auto& self = *static_cast<ServerThread*>(a->data);
    self.server_->close();
    uv_close(reinterpret_cast<uv_handle_t*>(&self.stop_), nullptr);
  }
  uv_loop_t loop_{};
  uv_async_t stop_{};
  std::unique_ptr<Server> server_;
  int port_ = 0;
  std::thread thread_;
};

std::vector<std::uint8_t> ask(int fd, const Request& r) {
  send_all(fd, encode(r));
  std::vector<std::uint8_t> reply(r.reply_bytes);
  recv_exact(fd, reply);
  return reply;
}

std::vector<std::uint8_t> expected(std::uint32_t index, std::size_t bytes) {
  std::vector<std::uint8_t> out(bytes);
  fill_reply(index, out);
  return out;
}

TEST(RpcServer, AnswersManyRequestsOnOneKeptConnection) {
  ServerThread s;
  const int fd = connect_loopback(s.port(), kIdleLimit);
  for (std::uint32_t i = 0; i < 50; ++i) EXPECT_EQ(ask(fd, {i, 0, 100, 0}), expected(i, 100));
  ::close(fd);
}

TEST(RpcServer, ClosesFirstAfterAOneShotReply) {
  ServerThread s;
  const int fd = connect_loopback(s.port(), kIdleLimit);
  EXPECT_EQ(ask(fd, {3, 0, 70'000, kCloseAfterReply}), expected(3, 70'000));
  EXPECT_TRUE(recv_eof(fd));
  ::close(fd);
}

TEST(RpcServer, RepliesNoSoonerThanTheDelay) {
  ServerThread s;
  const int fd = connect_loopback(s.port(), kIdleLimit);
  const auto t0 = std::chrono::steady_clock::now();
  ask(fd, {1, 20'000, 8, 0});
  EXPECT_GE(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(20));
  ::close(fd);
}

TEST(RpcServer, DropsAConnectionThatSendsJunkAndServesTheOthers) {
  ServerThread s;
  const int bad = connect_loopback(s.port(), kIdleLimit);
  const int good = connect_loopback(s.port(), kIdleLimit);
  std::vector<std::uint8_t> junk(kRequestBytes, 0xab);
  send_all(bad, junk);
  EXPECT_TRUE(recv_eof(bad));
  EXPECT_EQ(ask(good, {9, 0, 16, 0}), expected(9, 16));
  ::close(bad);
  ::close(good);
}

}  // namespace
}  // namespace cvp::rpc
