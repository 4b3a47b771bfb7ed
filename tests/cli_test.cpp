// Tests for bench/cli.cpp: strict flags, one-line errors, and the grid a command line asks for.
#include "cli.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>

#include "models/registry.hpp"

namespace cvp::bench {
namespace {

const Harness& harness() {
  static const Harness h{
      "io_sleep",
      "test harness",
      {AxisId::kSleepUs},
      {},
      {},
      {},
      {{AxisId::kTasks, {100}}, {AxisId::kWorkers, {2}}, {AxisId::kSleepUs, {7}}},
      nullptr};
  return h;
}

Options parse(std::vector<std::string> args, const FlagSpec& spec = {}) {
  std::vector<char*> argv{const_cast<char*>("io_sleep")};
  for (std::string& a : args) argv.push_back(a.data());
  return parse_options(static_cast<int>(argv.size()), argv.data(), harness(), spec);
}

std::string error_of(std::vector<std::string> args, const FlagSpec& spec = {}) {
  try {
    parse(std::move(args), spec);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(no exception)";
}

TEST(ParseOptions, ReadsProfileOutModelsAndAxes) {
  const Options o = parse({"--profile=quick", "--out=r.json", "--models=serial", "--tasks=1,2",
                           "--benchmark_filter=x"});
  EXPECT_EQ(o.profile, "quick");
  EXPECT_EQ(o.out->string(), "r.json");
  EXPECT_EQ(o.models->front(), "serial");
  EXPECT_EQ(o.axes.at(AxisId::kTasks), (std::vector<std::int64_t>{1, 2}));
  EXPECT_EQ(o.passthrough, (std::vector<std::string>{"--benchmark_filter=x"}));
}

TEST(ParseOptions, RefusesWhatALenientParserWouldGuess) {
  EXPECT_EQ(error_of({"--tasks=1", "--tasks=2"}),
            "--tasks is given twice; give it once (lists take commas)");
  EXPECT_EQ(error_of({"--bytes=64"}), "--bytes does not apply to io_sleep");
  EXPECT_EQ(error_of({"--tasks"}), "--tasks needs a value: --tasks=...");
  EXPECT_EQ(error_of({"--benchmark_min_time=-1"}),
            "--benchmark_min_time is '-1'; allowed: a number above 0");
  EXPECT_EQ(error_of({"--benchmark_repetitions=0"}),
            "--benchmark_repetitions is '0'; allowed: a whole number from 1 to 1000");
  EXPECT_EQ(error_of({"--benchmark_repetitions=1.5"}),
            "--benchmark_repetitions is '1.5'; allowed: a whole number from 1 to 1000");
  EXPECT_EQ(error_of({"--benchmark_out=x.json"}),
            "--benchmark_out is set by the harness; use --out=FILE.json");
  EXPECT_EQ(error_of({"--profile=fast"}), "profile is 'fast'; allowed: quick, default, full");
  EXPECT_EQ(error_of({"--what"}), "unknown argument '--what'; see io_sleep --help");
}

TEST(ParseOptions, RefusesAModelThatOnlyMpiexecStarts) {
  for (const ModelInfo& m : registry()) {
    if (m.launch == Launch::kInProcess) continue;
    const std::string msg = error_of({"--models=" + std::string(m.name)});
    EXPECT_EQ(msg.rfind("--models: model '" + std::string(m.name) + "' runs only under mpiexec", 0),
              0u)
        << msg;
  }
}

TEST(ParseOptions, AFlagSpecAddsOwnFlagsAndTakesAwayModelsAndWorkers) {
  const FlagSpec spec{.models = false,
                      .no_workers = "W is the number of ranks",
                      .own = {{"workloads", "which"}},
                      .launcher = ""};
  const Options o = parse({"--workloads=a,b", "--tasks=3"}, spec);
  EXPECT_EQ(o.own.at("workloads"), "a,b");
  EXPECT_EQ(o.axes.at(AxisId::kTasks), (std::vector<std::int64_t>{3}));
  EXPECT_EQ(error_of({"--workers=2"}, spec),
            "--workers is not a flag of the io_sleep harness; W is the number of ranks");
  EXPECT_EQ(error_of({"--models=serial"}, spec),
            "unknown argument '--models=serial'; see io_sleep --help");
  EXPECT_EQ(error_of({"--workloads"}, spec), "--workloads needs a value: --workloads=...");
  EXPECT_EQ(error_of({"--workloads=a"}), "unknown argument '--workloads=a'; see io_sleep --help");
}

TEST(GridPoints, FlagsReplaceTheDefaultsAxisByAxis) {
  // The last model a harness runs that takes W.
  const std::vector<std::string> models = all_models();
  const auto takes_w = std::find_if(models.rbegin(), models.rend(),
                                    [](const std::string& m) { return !fixed_workers(m); });
  ASSERT_NE(takes_w, models.rend());
  const Options o = parse({"--models=serial," + *takes_w, "--workers=3"});
  const auto points = grid_points(o, profile_named("default"), harness());
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].workers, 1);  // the baseline is fixed at one worker
  EXPECT_EQ(points[1].workers, 3);
  for (const Point& p : points) {
    EXPECT_EQ(p.tasks, 100);
    EXPECT_EQ(p.sleep_us, 7);
  }
}

TEST(BenchmarkFlags, BooleansAreReadAsGoogleBenchmarkReadsThem) {
  const auto on = [](const std::string& flag) {
    return benchmark_flag_on({flag}, "--benchmark_list_tests");
  };
  EXPECT_TRUE(on("--benchmark_list_tests"));
  EXPECT_TRUE(on("--benchmark_list_tests=true"));
  EXPECT_TRUE(on("--benchmark_list_tests=1"));
  EXPECT_TRUE(on("--benchmark_list_tests=yes"));
  for (const char* off : {"=0", "=f", "=N", "=false", "=No", "=OFF"}) {
    EXPECT_FALSE(on(std::string("--benchmark_list_tests") + off)) << off;
  }
  EXPECT_FALSE(on("--benchmark_list_tests_x"));  // another flag that starts alike
  EXPECT_FALSE(benchmark_flag_on({}, "--benchmark_list_tests"));
}

TEST(BenchmarkFlags, RepetitionsAreTheFlagsWhenGivenElseTheProfiles) {
  const Profile p = profile_named("default");
  EXPECT_EQ(repetitions({}, p), p.repetitions);
  EXPECT_EQ(repetitions({"--benchmark_filter=x", "--benchmark_repetitions=7"}, p), 7);
  EXPECT_EQ(benchmark_flag_value({"--benchmark_filter=a=b"}, "--benchmark_filter"), "a=b");
  EXPECT_EQ(benchmark_flag_value({"--benchmark_filter"}, "--benchmark_filter"), "");
  EXPECT_FALSE(benchmark_flag_value({"--benchmark_filter=a"}, "--benchmark_out").has_value());
}

}  // namespace
}  // namespace cvp::bench
