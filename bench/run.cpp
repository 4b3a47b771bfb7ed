// Running the registered benchmarks and publishing their result file, the same way for every
// harness.
#include "run.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>

#include "context.hpp"
#include "noise_reporter.hpp"
#include "result_file.hpp"

namespace cvp::bench {
namespace {

bool lists_only(const std::vector<std::string>& flags) {
  return std::any_of(flags.begin(), flags.end(), [](const std::string& f) {
    return f == "--benchmark_list_tests" || f == "--benchmark_list_tests=true" ||
           f == "--benchmark_list_tests=1";
  });
}

}  // namespace

int run_registered(const RunSetup& s, const std::atomic<int>& failures) {
  // Repetitions and minimum time go in as flags, not per benchmark: set per
  // benchmark, Google Benchmark writes them into every name. Flags given on
  // the command line come later and win. The JSON goes to our reporter; the
  // file Google Benchmark insists on opening for a file reporter is /dev/null.
  std::vector<std::string> args{s.prog,
                                "--benchmark_repetitions=" + std::to_string(s.profile.repetitions),
                                "--benchmark_min_time=" + std::to_string(s.profile.min_time_s)};
  if (s.out) args.emplace_back("--benchmark_out=/dev/null");
  args.insert(args.end(), s.passthrough.begin(), s.passthrough.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  int argc = static_cast<int>(argv.size());
  argv.push_back(nullptr);
  benchmark::Initialize(&argc, argv.data());
  if (benchmark::ReportUnrecognizedArguments(argc, argv.data())) return 2;

  const bool listing = lists_only(s.passthrough);
  if (!listing) {
    std::fprintf(stderr, "%s: profile %s, %zu benchmarks x %d repetitions%s%s\n", s.prog.c_str(),
                 s.profile.name.c_str(), s.benchmarks, s.profile.repetitions,
                 s.out ? ", writing " : "", s.out ? s.out->c_str() : "");
  }
  const LoadMeter load;
  NoiseReporter file;
  const std::size_t ran = benchmark::RunSpecifiedBenchmarks(nullptr, s.out ? &file : nullptr);
  benchmark::Shutdown();
  if (listing) return 0;
  if (ran == 0) {
    std::fprintf(stderr, "%s: error: no benchmark matched; nothing written\n", s.prog.c_str());
    return 1;
  }
  const LoadMeter::Summary machine = load.finish();
  if (machine.loaded || file.noisy_benchmarks() > 0) {
    std::fprintf(stderr,
                 "%s: warning: %s%d noisy benchmarks (see cvp_load and noisy in the JSON)\n",
                 s.prog.c_str(), machine.loaded ? "the machine was busy with other work; " : "",
                 file.noisy_benchmarks());
  }
  const int failed = failures.load();
  if (failed > 0) {
    std::fprintf(stderr, "%s: error: %d benchmarks failed (see error_message above)\n",
                 s.prog.c_str(), failed);
  }
  if (!s.out) return failed > 0 ? 1 : 0;
  const std::string json = with_context_entry(file.json(), "cvp_load", machine.json);
  if (failed > 0) {
    keep_failed(*s.out, json);
    std::fprintf(stderr, "%s: %s left unchanged; this run's JSON is in %s.failed\n", s.prog.c_str(),
                 s.out->c_str(), s.out->c_str());
    return 1;
  }
  publish(*s.out, json);
  std::fprintf(stderr, "%s: wrote %s\n", s.prog.c_str(), s.out->c_str());
  return 0;
}

}  // namespace cvp::bench
