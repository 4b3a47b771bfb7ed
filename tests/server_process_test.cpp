// Tests for src/net/server_process.cpp: the server process starts ready, is measured and stopped.
#include "net/server_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <vector>

#include "net/blocking_socket.hpp"
#include "net/rpc_protocol.hpp"

namespace cvp::rpc {
namespace {

TEST(ServerProcess, StartsReadyAnswersAndIsMeasured) {
  ServerProcess server(ServerProcess::default_path());
  EXPECT_GT(server.port(), 0);
  const double cpu0 = server.cpu_seconds();
  const int fd = connect_loopback(server.port());
  for (std::uint32_t i = 0; i < 2'000; ++i) {
    send_all(fd, encode({i, 0, 4'096, 0}));
    std::vector<std::uint8_t> reply(4'096);
    recv_exact(fd, reply);
  }
  ::close(fd);
  EXPECT_GT(server.cpu_seconds(), cpu0);
}

TEST(ServerProcess, StopsAndReapsItsServer) {
  pid_t pid = -1;
  {
    ServerProcess server(ServerProcess::default_path());
    pid = server.pid();
    EXPECT_EQ(::kill(pid, 0), 0);
  }
  EXPECT_EQ(::kill(pid, 0), -1);  // reaped: no such process
}

TEST(ServerProcess, NamesAPathThatIsNotAnExecutable) {
  try {
    ServerProcess server("/nonexistent/net_rpc_server");
    FAIL() << "started";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("/nonexistent/net_rpc_server"), std::string::npos);
  }
}

TEST(ServerProcess, SaysWhenTheServerPrintsSomethingElse) {
  // /bin/echo prints an empty line and exits.
  EXPECT_THROW(ServerProcess("/bin/echo", std::chrono::seconds(5)), std::runtime_error);
}

}  // namespace
}  // namespace cvp::rpc
