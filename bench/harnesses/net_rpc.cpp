// net_rpc harness: real IO, requests over loopback TCP to a server process, under every model.
#include "workloads/net_rpc.hpp"

#include "grid_facts.hpp"
#include "harnesses.hpp"
#include "net/server_process.hpp"
#include "sysinfo.hpp"

namespace {

using cvp::bench::AxisId;
using cvp::bench::Point;

// The worker series is capped as io_sleep's is (max_run_s in
// bench/grid_facts.json): N delays of T, W at a time.
bool fits_budget(const Point& p) {
  static const double max_run_s = cvp::bench::fact_number("net_rpc.max_run_s");
  return cvp::bench::worker_series_fits(p, max_run_s);
}

}  // namespace

namespace cvp::bench {

Harness net_rpc_harness() {
  const std::int64_t delay_us = fact_int("net_rpc.axes.sleep_us");
  const std::int64_t bytes = fact_int("net_rpc.axes.bytes");
  return Harness{
      "net_rpc",
      "real IO: each task asks a server process over loopback TCP and hashes its reply",
      {AxisId::kSleepUs, AxisId::kBytes, AxisId::kConnPerTask},
      {.workload_waits = true, .names_connections = true},
      grid_rows("net_rpc", cvp::usable_cpus()),
      {.keep = [](const Point& p) { return worth_running(p) && fits_budget(p); }},
      {{AxisId::kTasks, {100}},
       {AxisId::kWorkers, {2}},
       {AxisId::kSleepUs, {delay_us}},
       {AxisId::kBytes, {bytes}},
       {AxisId::kConnPerTask, {0}}},
      [](const Point& p) -> std::unique_ptr<cvp::Workload> {
        // The server starts with the first workload: before any timing.
        return std::make_unique<cvp::NetRpc>(p.tasks, p.sleep_us, p.bytes, p.conn_per_task != 0,
                                             cvp::NetRpc::shared_server());
      }};
}

}  // namespace cvp::bench
