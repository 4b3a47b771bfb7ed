// Tests for src/net/server_process.cpp: the server process starts ready, is measured and stopped.
#include "net/server_process.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "children.hpp"
#include "net/blocking_socket.hpp"
#include "net/rpc_protocol.hpp"
#include "timing.hpp"

namespace cvp::rpc {
namespace {

// Far longer than any call here takes: only a hang reaches it.
constexpr std::chrono::milliseconds kIdleLimit{10'000};

TEST(ServerProcess, StartsReadyAnswersAndIsMeasured) {
  ServerProcess server(ServerProcess::default_path());
  EXPECT_GT(server.port(), 0);
  const double cpu0 = server.cpu_seconds();
  const int fd = connect_loopback(server.port(), kIdleLimit);
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

// Waits (up to the test's own 10 s) until `pid`'s /proc state is `state`.
bool reaches_state(pid_t pid, char state) {
  const auto t0 = Clock::now();
  while (children::proc_state(pid) != state) {
    if (seconds_since(t0) > 10.0) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

// The message check_running throws, or "(running)".
std::string check_of(ServerProcess& server) {
  try {
    server.check_running();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(running)";
}

TEST(ServerProcess, CheckRunningPassesWhileTheServerRuns) {
  ServerProcess server(ServerProcess::default_path());
  EXPECT_EQ(check_of(server), "(running)");
}

TEST(ServerProcess, CheckRunningSaysHowAKilledServerEndedAndReapsIt) {
  ServerProcess server(ServerProcess::default_path());
  const pid_t pid = server.pid();
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  ASSERT_TRUE(reaches_state(pid, 'Z'));
  const std::string said = "net_rpc server: pid " + std::to_string(pid) +
                           " was killed by signal 9 (Killed); nothing answers on port " +
                           std::to_string(server.port());
  EXPECT_EQ(check_of(server), said);
  EXPECT_EQ(::kill(pid, 0), -1);      // reaped: no zombie left
  EXPECT_EQ(check_of(server), said);  // and said again by every later check
  EXPECT_THROW(server.cpu_seconds(), std::runtime_error);
}

TEST(ServerProcess, CheckRunningSaysAStoppedServerIsStoppedAndStopEndsIt) {
  pid_t pid = -1;
  const auto t0 = Clock::now();
  {
    ServerProcess server(ServerProcess::default_path());
    pid = server.pid();
    ASSERT_EQ(::kill(pid, SIGSTOP), 0);
    ASSERT_TRUE(reaches_state(pid, 'T'));
    EXPECT_EQ(check_of(server), "net_rpc server: pid " + std::to_string(pid) +
                                    " is stopped (SIGSTOP or SIGTSTP): it answers nothing");
  }
  // A stopped server kept SIGTERM pending for ever, and the destructor's
  // waitpid with it: now it is continued, or killed after 2 s.
  EXPECT_LT(seconds_since(t0), 10.0);
  EXPECT_EQ(::kill(pid, 0), -1);
}

}  // namespace
}  // namespace cvp::rpc
