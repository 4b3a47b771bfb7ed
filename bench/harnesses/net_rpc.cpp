// net_rpc harness: real IO, requests over loopback TCP to a server process, under every model.
#include "workloads/net_rpc.hpp"

#include <cmath>

#include "harnesses.hpp"
#include "net/server_process.hpp"

namespace {

using cvp::LimitRule;
using cvp::ModelInfo;
using cvp::bench::AxisId;
using cvp::bench::Point;

constexpr std::int64_t kDelayUs = 1'000;  // 1 ms: a fast service behind the socket
constexpr std::int64_t kReplyBytes = 1'024;

// The io_sleep harness's cap on one run of a worker series, for the same
// reason: five repetitions of every point within the profile's budget.
constexpr double kMaxRunS = 0.25;

bool one_at_a_time(const ModelInfo& m) { return m.concurrency == LimitRule::kOne; }
bool all_at_once(const ModelInfo& m) { return m.concurrency == LimitRule::kTasks; }
bool w_at_a_time(const ModelInfo& m) { return m.concurrency == LimitRule::kWorkers; }

bool fits_budget(const Point& p) {
  if (!w_at_a_time(cvp::model_info(p.model))) return true;
  const double rounds = std::ceil(static_cast<double>(p.tasks) / static_cast<double>(p.workers));
  return rounds * static_cast<double>(p.sleep_us) * 1e-6 <= kMaxRunS;
}

}  // namespace

namespace cvp::bench {

Harness net_rpc_harness() {
  return Harness{
      "net_rpc",
      "real IO: each task asks a server process over loopback TCP and hashes its reply",
      {AxisId::kSleepUs, AxisId::kBytes, AxisId::kConnPerTask},
      {.workload_waits = true, .names_connections = true},
      {
          {one_at_a_time,
           {{AxisId::kTasks, {{4}, {10}, {10, 100}}},
            {AxisId::kSleepUs, {kDelayUs}},
            {AxisId::kBytes, {kReplyBytes}},
            {AxisId::kConnPerTask, {0, 1}}}},
          {all_at_once,
           {{AxisId::kTasks, {{1, 100}, {1, 100, 1000}, {1, 100, 1000, 10000}}},
            {AxisId::kSleepUs, {kDelayUs}},
            {AxisId::kBytes, {kReplyBytes}},
            {AxisId::kConnPerTask, {0, 1}}}},
          {w_at_a_time,
           {{AxisId::kWorkers, {{2}, {2, 8}, {2, 8, 64}}},
            {AxisId::kTasks, {{8}, {100}, {100, 1000}}},
            {AxisId::kSleepUs, {kDelayUs}},
            {AxisId::kBytes, {kReplyBytes}},
            {AxisId::kConnPerTask, {0, 1}}}},
      },
      {.keep = fits_budget},
      {{AxisId::kTasks, {100}},
       {AxisId::kWorkers, {2}},
       {AxisId::kSleepUs, {kDelayUs}},
       {AxisId::kBytes, {kReplyBytes}},
       {AxisId::kConnPerTask, {0}}},
      [](const Point& p) -> std::unique_ptr<cvp::Workload> {
        // The server starts with the first workload: before any timing.
        return std::make_unique<cvp::NetRpc>(p.tasks, p.sleep_us, p.bytes, p.conn_per_task != 0,
                                             cvp::NetRpc::shared_server().port());
      }};
}

}  // namespace cvp::bench
