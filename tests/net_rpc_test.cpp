// Tests for src/workloads/net_rpc.cpp: every kind of model gets the serial digests over real sockets.
#include "workloads/net_rpc.hpp"

#include <gtest/gtest.h>

#include "models/event_loop.hpp"
#include "models/registry.hpp"
#include "net/rpc_protocol.hpp"
#include "net/server_process.hpp"
#include "test_support.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;

int port() { return NetRpc::shared_server().port(); }

TEST(NetRpc, EveryModelGetsTheSerialDigestsOnKeptConnections) {
  const NetRpc w(40, 500, 1'000, false, port());
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
  const NetRpc w(40, 0, 3'000, true, port());
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
  const NetRpc w(200, 20'000, 64, true, port());
  m.prepare(w);
  const auto t0 = Clock::now();
  const RunReport r = expect_serial_digests(m, w);
  EXPECT_EQ(r.peak_inflight, 200);
  // 200 delays of 20 ms back to back take 4 s; overlapped, about 20 ms.
  EXPECT_LT(testing::seconds_since(t0), 200 * 0.020 / 5);
}

TEST(NetRpc, RefusesMoreConnectionsThanTheDescriptorLimit) {
  try {
    const NetRpc w(200'000, 0, 64, false, port());
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("RLIMIT_NOFILE"), std::string::npos);
  }
}

TEST(NetRpc, ReferenceDigestIsTheHashOfTheReply) {
  const NetRpc w(3, 0, 100, false, port());
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

}  // namespace
}  // namespace cvp
