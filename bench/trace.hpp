// Chrome trace event JSON for one traced run: opens in Perfetto and chrome://tracing.
#pragma once

#include <string>
#include <vector>

#include "models/model.hpp"

namespace cvp::bench {

struct TraceInfo {
  std::string scenario;  // "io_sleep", "two_sleepers", ...
  std::string model;
  int workers = 1;
  std::int64_t origin_ns = 0;  // CLOCK_MONOTONIC time the run started: ts 0
  double wall_ms = 0;
  std::string model_facts;  // the model's registry row, a JSON object
};

// One complete ("ph":"X") event per task, named "task <i>", on the process
// and thread that ran it, with timestamps in microseconds from origin_ns;
// metadata events name each process and thread; "otherData" carries `info`.
std::string chrome_trace_json(const TraceInfo& info, const std::vector<TaskSpan>& spans);

}  // namespace cvp::bench
