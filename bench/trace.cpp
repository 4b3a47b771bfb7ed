// Chrome trace event JSON for one traced run: opens in Perfetto and chrome://tracing.
#include "trace.hpp"

#include <unistd.h>

#include <cstdio>
#include <map>
#include <set>
#include <utility>

#include "json_text.hpp"

namespace cvp::bench {
namespace {

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.3f", v);
  return buf;
}

}  // namespace

std::string chrome_trace_json(const TraceInfo& info, const std::vector<TaskSpan>& spans) {
  const int self = static_cast<int>(getpid());
  std::set<int> pids;
  std::map<std::pair<int, int>, int> threads;  // (pid, tid) -> lane number in first-seen order
  for (const TaskSpan& s : spans) {
    pids.insert(s.pid);
    threads.emplace(std::make_pair(s.pid, s.tid), static_cast<int>(threads.size()));
  }
  std::string events;
  const auto add = [&events](const std::string& e) {
    events += (events.empty() ? "\n    " : ",\n    ") + e;
  };
  for (int pid : pids) {
    const std::string name = pid == self ? info.model + " (benchmark process)"
                                         : info.model + " worker process " + std::to_string(pid);
    add(R"({"name": "process_name", "ph": "M", "pid": )" + std::to_string(pid) +
        R"(, "args": {"name": )" + json_quoted(name) + "}}");
  }
  for (const auto& [key, lane] : threads) {
    const std::string name =
        key.second == self ? "main thread" : "thread " + std::to_string(key.second);
    add(R"({"name": "thread_name", "ph": "M", "pid": )" + std::to_string(key.first) +
        R"(, "tid": )" + std::to_string(key.second) + R"(, "args": {"name": )" + json_quoted(name) +
        "}}");
  }
  for (const TaskSpan& s : spans) {
    const double ts = static_cast<double>(s.start_ns - info.origin_ns) / 1e3;
    const double dur = static_cast<double>(s.end_ns - s.start_ns) / 1e3;
    add(R"({"name": "task )" + std::to_string(s.index) + R"(", "cat": )" +
        json_quoted(info.scenario) + R"(, "ph": "X", "ts": )" + number(ts) + R"(, "dur": )" +
        number(dur) + R"(, "pid": )" + std::to_string(s.pid) + R"(, "tid": )" +
        std::to_string(s.tid) + R"(, "args": {"index": )" + std::to_string(s.index) + "}}");
  }
  return "{\n  \"displayTimeUnit\": \"ms\",\n  \"otherData\": {\"scenario\": " +
         json_quoted(info.scenario) + ", \"model\": " + json_quoted(info.model) +
         ", \"workers\": " + std::to_string(info.workers) +
         ", \"wall_ms\": " + number(info.wall_ms) +
         ", \"model_facts\": " + (info.model_facts.empty() ? "null" : info.model_facts) +
         "},\n  \"traceEvents\": [" + events + "\n  ]\n}\n";
}

}  // namespace cvp::bench
