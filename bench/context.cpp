// What a result file says about the run: versions, CPUs, the models' registry rows, the machine's
// load.
#include "context.hpp"

#include <benchmark/benchmark.h>
#include <oneapi/tbb/info.h>
#include <oneapi/tbb/version.h>
#include <openssl/crypto.h>
#include <uv.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>

#include "cvp/version.hpp"
#include "models/event_loop_offload.hpp"
#include "models/registry.hpp"
#include "params.hpp"
#include "timing.hpp"

namespace cvp::bench {
namespace {

std::string fixed3(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

std::string escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

void add_context(std::string_view harness, std::string_view profile,
                 std::span<const std::string> models) {
  // Read here, at start, so that a bad value stops the run before anything
  // is measured; the models read it through the same function.
  check_uv_threadpool_size_env();
  const CpuBudget cpus = cpu_budget();
  benchmark::AddCustomContext("cvpbench_version", kVersion);
  benchmark::AddCustomContext("cvp_harness", std::string(harness));
  benchmark::AddCustomContext("cvp_language", "c++");
  benchmark::AddCustomContext("cvp_profile", std::string(profile));
  benchmark::AddCustomContext("cvp_models", registry_json(models));
  benchmark::AddCustomContext("libuv_version", uv_version_string());
  benchmark::AddCustomContext("tbb_version", TBB_runtime_version());
  benchmark::AddCustomContext("openssl_version", OpenSSL_version(OPENSSL_VERSION));
  benchmark::AddCustomContext("uv_threadpool_size",
                              std::to_string(uv_threadpool_size()) +
                                  (std::getenv("UV_THREADPOOL_SIZE") ? "" : " (libuv default)"));
  benchmark::AddCustomContext("tbb_default_concurrency",
                              std::to_string(tbb::info::default_concurrency()));
  benchmark::AddCustomContext("cpus_affinity", std::to_string(cpus.affinity));
  benchmark::AddCustomContext("cpus_cgroup_quota",
                              cpus.cgroup_quota ? std::to_string(*cpus.cgroup_quota) : "none");
  benchmark::AddCustomContext("cpus_usable", std::to_string(cpus.usable));
  benchmark::AddCustomContext("timer_slack_ns", std::to_string(timer_slack().count()));
}

LoadMeter::LoadMeter() : start_(read()) {}

LoadMeter::Reading LoadMeter::read() {
  return {std::chrono::duration<double>(Clock::now().time_since_epoch()).count(),
          cpu_seconds_with_children(), loadavg_1m(), machine_cpu()};
}

LoadMeter::Interval LoadMeter::interval() const {
  const Reading end = read();
  const double wall = end.wall_s - start_.wall_s;
  const double total = end.machine.total_s - start_.machine.total_s;
  const double other =
      end.machine.busy_s - start_.machine.busy_s - (end.own_cpu_s - start_.own_cpu_s);
  const double steal = end.machine.steal_s - start_.machine.steal_s;
  return {wall, wall > 0 ? std::max(other, 0.0) / wall : 0, total > 0 ? 100 * steal / total : 0,
          end.loadavg};
}

bool LoadMeter::loaded() const {
  const Interval i = interval();
  return i.other_busy_cpus > 0.25 || i.steal_pct > 5;
}

std::string LoadMeter::json() const {
  const Interval i = interval();
  const bool loaded = i.other_busy_cpus > 0.25 || i.steal_pct > 5;
  return "{\"interval_s\": " + fixed3(i.wall_s) +
         ", \"other_busy_cpus\": " + fixed3(i.other_busy_cpus) +
         ", \"steal_pct\": " + fixed3(i.steal_pct) +
         ", \"loadavg_start\": " + fixed3(start_.loadavg) +
         ", \"loadavg_end\": " + fixed3(i.loadavg_end) +
         ", \"loaded\": " + (loaded ? "true" : "false") + "}";
}

std::string with_context_entry(std::string json, std::string_view key, std::string_view value) {
  const std::string anchor = "\"context\": {";
  const std::size_t at = json.find(anchor);
  if (at == std::string::npos) throw std::runtime_error("the result has no context object");
  json.insert(at + anchor.size(), "\n    \"" + escaped(key) + "\": \"" + escaped(value) + "\",");
  return json;
}

}  // namespace cvp::bench
