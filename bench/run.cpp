// Running the registered benchmarks and publishing their result file, the same way for every
// harness.
#include "run.hpp"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <deque>

#include "cli.hpp"
#include "conclude.hpp"
#include "context.hpp"
#include "error_line.hpp"
#include "interleave.hpp"
#include "noise_reporter.hpp"
#include "progress_reporter.hpp"

namespace cvp::bench {
std::vector<std::string> initialize_benchmark(const std::string& prog,
                                              std::vector<std::string> defaults, bool to_file,
                                              const std::vector<std::string>& passthrough) {
  std::vector<std::string> args{prog};
  args.insert(args.end(), defaults.begin(), defaults.end());
  if (to_file) args.emplace_back("--benchmark_out=/dev/null");
  args.insert(args.end(), passthrough.begin(), passthrough.end());
  // Google Benchmark keeps argv[0] as the context's executable name and reads
  // it when it reports, after this call: the strings must outlive it (a
  // dangling name once put a control character into the JSON). A deque never
  // moves what it holds.
  static std::deque<std::string> kept;
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(kept.emplace_back(std::move(a)).data());
  int argc = static_cast<int>(argv.size());
  argv.push_back(nullptr);
  benchmark::Initialize(&argc, argv.data());
  return {argv.begin() + 1, argv.begin() + argc};
}

int run_registered(const RunSetup& s, const std::atomic<int>& failures) {
  // Repetitions and minimum time go in as flags, not per benchmark: set per
  // benchmark, Google Benchmark writes them into every name.
  const std::vector<std::string> unknown =
      initialize_benchmark(s.prog,
                           {"--benchmark_repetitions=" + std::to_string(s.profile.repetitions),
                            "--benchmark_min_time=" + std::to_string(s.profile.min_time_s),
                            "--benchmark_enable_random_interleaving=true"},
                           s.out.has_value(), s.passthrough);
  for (const std::string& flag : unknown) {
    print_error(s.prog, "unrecognized command-line flag: " + flag);
  }
  if (!unknown.empty()) return 2;

  const bool listing = benchmark_flag_on(s.passthrough, "--benchmark_list_tests");
  const std::size_t selected = listing ? 0 : count_selected_benchmarks();
  if (!listing && selected == 0) {
    // A valid pattern that names nothing is bad input too: it ran nothing.
    const std::string filter =
        benchmark_flag_value(s.passthrough, "--benchmark_filter").value_or("");
    print_error(s.prog, "no benchmark matches --benchmark_filter=" + filter +
                            "; see --benchmark_list_tests");
    benchmark::Shutdown();
    return 2;
  }
  if (!listing) {
    std::fprintf(stderr, "%s: profile %s, %zu benchmarks x %d repetitions%s%s\n", s.prog.c_str(),
                 s.profile.name.c_str(), selected, repetitions(s.passthrough, s.profile),
                 s.out ? ", writing " : "", s.out ? s.out->c_str() : "");
  }
  const LoadMeter load;
  NoiseReporter file;
  ProgressReporter progress(selected);
  SessionReporter display(s.table ? *benchmark::CreateDefaultDisplayReporter() : progress);
  SessionReporter session(file);
  std::size_t ran = 0;
  if (listing) {
    benchmark::RunSpecifiedBenchmarks(&display, s.out ? &session : nullptr);
  } else {
    // One question at a time: Google Benchmark shuffles the repetitions of
    // the benchmarks one call runs, and reports each benchmark when its last
    // repetition is done, so a call per question keeps the progress lines
    // coming while every model of a question meets the same machine.
    const std::string filter =
        benchmark_flag_value(s.passthrough, "--benchmark_filter").value_or("");
    for (const std::string& question : question_filters(s.names, filter)) {
      ran += benchmark::RunSpecifiedBenchmarks(&display, s.out ? &session : nullptr, question);
    }
  }
  display.finish();
  if (s.out) session.finish();
  benchmark::Shutdown();
  if (listing) return 0;
  RunOutcome outcome{.ran = ran, .failed = failures.load(), .noisy = file.noisy_benchmarks()};
  if (ran > 0) outcome.machine = load.finish();
  return conclude_run(s.prog, s.out, s.out ? file.json() : "", outcome);
}

}  // namespace cvp::bench
