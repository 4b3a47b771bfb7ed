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
#include <utility>

#include "cvp/version.hpp"
#include "json_text.hpp"
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

LoadMeter::LoadMeter(std::function<double()> own_cpu_s)
    : own_cpu_s_(std::move(own_cpu_s)), start_(read()) {}

LoadMeter::Reading LoadMeter::read() const {
  return {std::chrono::duration<double>(Clock::now().time_since_epoch()).count(), own_cpu_s_(),
          loadavg_1m(), machine_cpu()};
}

LoadMeter::Summary LoadMeter::finish() const {
  const Reading end = read();
  const double wall = end.wall_s - start_.wall_s;
  const double total = end.machine.total_s - start_.machine.total_s;
  const double other =
      end.machine.busy_s - start_.machine.busy_s - (end.own_cpu_s - start_.own_cpu_s);
  const double other_cpus = wall > 0 ? std::max(other, 0.0) / wall : 0;
  const double steal_pct =
      total > 0 ? 100 * (end.machine.steal_s - start_.machine.steal_s) / total : 0;
  Summary s;
  s.loaded = other_cpus > 0.25 || steal_pct > 5;
  s.json = "{\"interval_s\": " + fixed3(wall) + ", \"other_busy_cpus\": " + fixed3(other_cpus) +
           ", \"steal_pct\": " + fixed3(steal_pct) +
           ", \"loadavg_start\": " + fixed3(start_.loadavg) +
           ", \"loadavg_end\": " + fixed3(end.loadavg) +
           ", \"loaded\": " + (s.loaded ? "true" : "false") + "}";
  return s;
}

std::string with_context_entry(std::string json, std::string_view key, std::string_view value) {
  const std::string anchor = "\"context\": {";
  const std::size_t at = json.find(anchor);
  if (at == std::string::npos) throw std::runtime_error("the result has no context object");
  json.insert(at + anchor.size(), "\n    " + json_quoted(key) + ": " + json_quoted(value) + ",");
  return json;
}

}  // namespace cvp::bench
