// The end of every harness's run: its last lines, and its result file published or kept as failed.
#include "conclude.hpp"

#include <cstdio>

#include "result_file.hpp"

namespace cvp::bench {
namespace {

// "1 benchmark", "3 benchmarks".
std::string benchmarks(int n) {
  return std::to_string(n) + (n == 1 ? " benchmark" : " benchmarks");
}

void print_lines(const std::string& prog, const RunOutcome& o) {
  if (o.machine.loaded || o.noisy > 0) {
    std::string what = o.machine.loaded ? "the machine was busy with other work" : "";
    if (o.noisy > 0) what += (what.empty() ? "" : "; ") + benchmarks(o.noisy) + " noisy";
    std::fprintf(stderr, "%s: warning: %s (see cvp_load and noisy in the JSON)\n", prog.c_str(),
                 what.c_str());
  }
  if (o.failed > 0 || o.not_run > 0) {
    std::fprintf(stderr, "%s: error: %s failed%s (see error_message above)\n", prog.c_str(),
                 benchmarks(o.failed).c_str(),
                 o.not_run > 0 ? (" and " + benchmarks(o.not_run) + " not run").c_str() : "");
  }
}

int keep_as_failed(const std::string& prog, const std::filesystem::path& out,
                   const std::string& json) {
  keep_failed(out, json);
  std::fprintf(stderr, "%s: %s left unchanged; this run's JSON is in %s.failed\n", prog.c_str(),
               out.c_str(), out.c_str());
  return 1;
}

}  // namespace

int conclude_run(const std::string& prog, const std::optional<std::filesystem::path>& out,
                 const std::string& json, const RunOutcome& outcome,
                 const std::function<bool()>& stopping) {
  if (outcome.ran == 0) {
    std::fprintf(stderr, "%s: error: no benchmark matched; nothing written\n", prog.c_str());
    return 1;
  }
  print_lines(prog, outcome);
  const bool failed = outcome.failed > 0 || outcome.not_run > 0 || outcome.broken;
  if (!out) return failed ? 1 : 0;
  const std::string result = with_context_entry(json, "cvp_load", outcome.machine.json);
  if (failed || stopping()) return keep_as_failed(prog, *out, result);
  try {
    publish(*out, result);
  } catch (const std::exception&) {
    // A stop signal that came while the file was written removed it (see
    // children::set_cleanup_path): what is left is this run's failure.
    if (!stopping()) throw;
    return keep_as_failed(prog, *out, result);
  }
  std::fprintf(stderr, "%s: wrote %s\n", prog.c_str(), out->c_str());
  return 0;
}

}  // namespace cvp::bench
