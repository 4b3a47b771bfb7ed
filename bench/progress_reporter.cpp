// The console: one line per finished benchmark on stderr, with where the run is.
#include "progress_reporter.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include "noise_reporter.hpp"
#include "timing.hpp"

namespace cvp::bench {
namespace {

using Run = benchmark::BenchmarkReporter::Run;

std::string format(const char* fmt, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, fmt, v);
  return buf;
}

// "1:05": minutes and seconds.
std::string clock_text(double s) {
  const long whole = std::lround(std::max(s, 0.0));
  char buf[32];
  std::snprintf(buf, sizeof buf, "%ld:%02ld", whole / 60, whole % 60);
  return buf;
}

// The values of counter `name` over the repetitions that have it.
std::vector<double> counter_values(const std::vector<const Run*>& runs, const char* name) {
  std::vector<double> values;
  for (const Run* r : runs) {
    if (const auto c = r->counters.find(name); c != r->counters.end()) {
      values.push_back(c->second.value);
    }
  }
  return values;
}

std::string measured(const std::vector<const Run*>& ok, const std::vector<Run>& runs) {
  std::vector<double> ms;
  for (const Run* r : ok) {
    ms.push_back(r->iterations > 0
                     ? r->real_accumulated_time / static_cast<double>(r->iterations) * 1e3
                     : 0);
  }
  std::string text = format("%.3f ms", median(ms));
  const auto add = [&](const char* name, const char* fmt, bool largest) {
    std::vector<double> v = counter_values(ok, name);
    if (v.empty()) return;
    text += std::string(", ") + name + " " +
            format(fmt, largest ? *std::max_element(v.begin(), v.end()) : median(v));
  };
  add("parallelism", "%.2f", false);
  add("peak_inflight", "%.0f", true);
  add("efficiency", "%.2f", false);
  add("speedup", "%.2f", false);
  add("lost_updates", "%.1f", false);
  if (const std::optional<NoiseReporter::Noise> n = NoiseReporter::noise_of(runs); n && n->noisy) {
    text += format(", noisy (cv %.1f%%)", n->cv_pct);
  }
  return text;
}

}  // namespace

ProgressReporter::ProgressReporter(std::size_t total, std::FILE* out) : total_(total), out_(out) {}

bool ProgressReporter::ReportContext(const Context&) {
  start_ = std::chrono::steady_clock::now();
  return true;
}

void ProgressReporter::ReportRuns(const std::vector<Run>& runs) {
  // Google Benchmark reports a benchmark's repetitions, then (with more
  // than one) their aggregates in a second call: only the first counts.
  const bool repetitions = std::any_of(
      runs.begin(), runs.end(), [](const Run& r) { return r.run_type == Run::RT_Iteration; });
  if (!repetitions) return;
  ++done_;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(out_, "%s\n", line(done_, std::max(total_, done_), runs, elapsed).c_str());
  std::fflush(out_);
}

std::string ProgressReporter::line(std::size_t k, std::size_t total, const std::vector<Run>& runs,
                                   double elapsed_s) {
  std::vector<const Run*> ok;
  const Run* failed = nullptr;
  for (const Run& r : runs) {
    if (r.run_type != Run::RT_Iteration) continue;
    if (r.error_occurred && failed == nullptr) failed = &r;  // the first says why
    if (!r.error_occurred) ok.push_back(&r);
  }
  const std::string name = runs.empty() ? "" : runs.front().run_name.function_name;
  const std::string body =
      failed != nullptr ? "error: " + failed->error_message : measured(ok, runs);
  return progress_line(k, total, name + ": " + body, elapsed_s);
}

std::string progress_line(std::size_t k, std::size_t total, const std::string& what,
                          double elapsed_s) {
  // What is left is guessed from the mean so far: the steps are alike enough.
  const double left =
      k > 0 ? elapsed_s / static_cast<double>(k) * static_cast<double>(total - k) : 0;
  char head[64];
  std::snprintf(head, sizeof head, "[%zu/%zu] ", k, total);
  std::string text = head;
  text.append(what);
  text.append("  (elapsed ").append(clock_text(elapsed_s));
  text.append(", ~").append(clock_text(left)).append(" left)");
  return text;
}

CountingReporter::CountingReporter() {
  SetOutputStream(&null_);
  SetErrorStream(&null_);
}

std::size_t count_selected_benchmarks() {
  CountingReporter counter;
  return benchmark::RunSpecifiedBenchmarks(&counter);
}

}  // namespace cvp::bench
