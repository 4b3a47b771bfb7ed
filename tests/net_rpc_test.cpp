// Tests for src/workloads/net_rpc.cpp: every kind of model gets the serial digests over real sockets.
#include "workloads/net_rpc.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <uv.h>

#include <filesystem>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "children.hpp"
#include "models/event_loop.hpp"
#include "models/registry.hpp"
#include "net/rpc_protocol.hpp"
#include "net/server_process.hpp"
#include "test_support.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;

rpc::ServerProcess& server() { return NetRpc::shared_server(); }

TEST(NetRpc, EveryModelGetsTheSerialDigestsOnKeptConnections) {
  const NetRpc w(40, 500, 1'000, false, server());
  for (const ModelInfo& m : registry()) {
    if (m.launch != Launch::kInProcess) continue;  // mpi ranks share no descriptors
    SCOPED_TRACE(std::string(m.name));
    w.open();  // as the harness does: before the model, so forked workers inherit them
    auto model = make_model(m.name, fixed_workers(m.name).value_or(2));
    model->prepare(w);
    expect_serial_digests(*model, w);
    expect_serial_digests(*model, w);  // the connections serve the next run too
  }
}

TEST(NetRpc, EveryModelGetsTheSerialDigestsWithAConnectionPerTask) {
  const NetRpc w(40, 0, 3'000, true, server());
  for (const ModelInfo& m : registry()) {
    if (m.launch != Launch::kInProcess) continue;  // mpi ranks share no descriptors
    SCOPED_TRACE(std::string(m.name));
    auto model = make_model(m.name, fixed_workers(m.name).value_or(2));
    model->prepare(w);
    expect_serial_digests(*model, w);
  }
}

TEST(NetRpc, GatheredLoopKeepsEveryRequestInFlight) {
  EventLoopModel m;
  const NetRpc w(200, 20'000, 64, true, server());
  m.prepare(w);
  const auto t0 = Clock::now();
  const RunReport r = expect_serial_digests(m, w);
  EXPECT_EQ(r.peak_inflight, 200);
  // 200 delays of 20 ms back to back take 4 s; overlapped, about 20 ms.
  EXPECT_LT(testing::seconds_since(t0), 200 * 0.020 / 5);
}

TEST(NetRpc, RefusesMoreConnectionsThanTheDescriptorLimit) {
  try {
    const NetRpc w(200'000, 0, 64, false, server());
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("RLIMIT_NOFILE"), std::string::npos);
  }
}

TEST(NetRpc, ReferenceDigestIsTheHashOfTheReply) {
  const NetRpc w(3, 0, 100, false, server());
  TaskState s;
  s.restart(2);
  const Wait e = w.resume(s);
  ASSERT_TRUE(std::holds_alternative<Exchange>(e));
  EXPECT_EQ(std::get<Exchange>(e).reply_bytes, 100u);
  s.received.resize(100);
  rpc::fill_reply(2, s.received);
  EXPECT_TRUE(finished(w.resume(s)));
  EXPECT_EQ(s.digest, w.compute(2));
}

// A server lost in the middle of a run, for every model and both kinds of
// connection: stopped (it holds its connections open and answers nothing)
// or killed.
struct Lost {
  std::string model;
  bool per_task;
  int sig;
};

std::vector<Lost> lost_cases() {
  std::vector<Lost> out;
  for (const ModelInfo& m : registry()) {
    if (m.launch != Launch::kInProcess) continue;  // mpi ranks share no descriptors
    for (const bool per_task : {false, true}) {
      for (const int sig : {SIGSTOP, SIGKILL}) out.push_back({std::string(m.name), per_task, sig});
    }
  }
  return out;
}

void PrintTo(const Lost& c, std::ostream* os) {
  *os << c.model << (c.per_task ? ", a connection per task, " : ", kept connections, ")
      << (c.sig == SIGSTOP ? "server stopped" : "server killed");
}

std::string lost_name(const ::testing::TestParamInfo<Lost>& info) {
  return info.param.model + (info.param.per_task ? "_PerTask" : "_Kept") +
         (info.param.sig == SIGSTOP ? "_Stopped" : "_Killed");
}

std::string before_run_error(const NetRpc& w) {
  try {
    w.before_run();
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no exception)";
}

// This process's children (every thread's), zombies included.
std::set<pid_t> children_now() {
  std::set<pid_t> out;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::istringstream in(testing::read_file(task.path() / "children"));
    for (pid_t pid = 0; in >> pid;) out.insert(pid);
  }
  return out;
}

// Waits, up to the test's own 10 s, until `pid`'s /proc state is (or is not) `state`.
void wait_for_state(pid_t pid, char state, bool is) {
  const auto t0 = Clock::now();
  while ((children::proc_state(pid) == state) != is && testing::seconds_since(t0) < 10.0) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
}

class NetRpcServerLost : public ::testing::TestWithParam<Lost> {
 protected:
  void SetUp() override {
    // As the harness (children::install_exit_handlers): a write to a
    // connection the server reset is EPIPE, not the end of the test.
    ::signal(SIGPIPE, SIG_IGN);
    // The first libuv loop of a process opens libuv's signal pipe and keeps
    // it for the process: made before the descriptors are counted.
    uv_loop_t loop;
    ASSERT_EQ(uv_loop_init(&loop), 0);
    ASSERT_EQ(uv_loop_close(&loop), 0);
  }
};

TEST_P(NetRpcServerLost, FailsTheRunInBoundedTimeAndLeavesNothingBehind) {
  const Lost& c = GetParam();
  const int workers = fixed_workers(c.model).value_or(2);
  const int fds0 = testing::open_fd_count();
  const std::set<pid_t> children0 = children_now();
  {
    rpc::ServerProcess own(rpc::ServerProcess::default_path());
    const NetRpc w(4, 200'000, 64, c.per_task, own);
    w.open();
    auto model = make_model(c.model, workers);
    model->prepare(w);
    // 50 ms into the run: every request waits for its 200 ms reply.
    std::thread signaller([&] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      ::kill(own.pid(), c.sig);
    });
    const auto t0 = Clock::now();
    const std::string said = testing::failure_of(*model, w);
    const double took = testing::seconds_since(t0);
    signaller.join();
    EXPECT_NE(said, "(no exception)");
    // Stopped: the idle limit, about 1.2 s here; killed: at once. 10 s is
    // the test's own deadline, not a figure.
    EXPECT_LT(took, 10.0) << said;
    // A killed server's sockets close before it is a zombie: the check below
    // is about the next run, which comes once it is one.
    if (c.sig == SIGKILL) wait_for_state(own.pid(), 'Z', true);
    const std::string next = before_run_error(w);
    EXPECT_NE(next.find(c.sig == SIGSTOP ? "is stopped" : "was killed by signal 9"),
              std::string::npos)
        << next;
    if (c.sig == SIGSTOP) {
      // Continued, the server answers the failed run's requests late; the
      // next benchmark must get connections of its own, idle after its run.
      ::kill(own.pid(), SIGCONT);
      wait_for_state(own.pid(), 'T', false);
      model.reset();
      w.release();  // as the harness does after a failed run
      w.open();
      auto fresh = make_model(c.model, workers);
      fresh->prepare(w);
      testing::expect_serial_digests(*fresh, w);
      std::this_thread::sleep_for(std::chrono::milliseconds(400));  // any late reply has come
      EXPECT_EQ(before_run_error(w), "(no exception)");
    }
  }
  EXPECT_EQ(testing::open_fd_count(), fds0);
  EXPECT_EQ(children_now(), children0);  // the server and every worker reaped: no zombie
}

INSTANTIATE_TEST_SUITE_P(EveryModel, NetRpcServerLost, ::testing::ValuesIn(lost_cases()),
                         lost_name);

}  // namespace
}  // namespace cvp
