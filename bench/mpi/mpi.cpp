// mpi harness: io_sleep, cpu_hash and mixed under W ranks of Open MPI, rank 0 handing out chunks of
// tasks on demand.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"
#include "comm.hpp"
#include "conclude.hpp"
#include "context.hpp"
#include "error_line.hpp"
#include "interval.hpp"
#include "models/registry.hpp"
#include "mpi_benchmark.hpp"
#include "noise_reporter.hpp"
#include "out_lock.hpp"
#include "plan.hpp"
#include "plan_share.hpp"
#include "progress_reporter.hpp"
#include "reporters.hpp"
#include "result_file.hpp"
#include "run.hpp"
#include "runner.hpp"
#include "timing.hpp"

namespace cvp::mpi {
namespace {

constexpr const char* kProg = "mpi";

// How long rank 0 waits for the others' CPU times: a rank that takes
// longer is stopped or gone.
constexpr std::chrono::seconds kCollectiveTimeout{10};

// The run's own CPU seconds for the load meter: every rank's on rank 0's
// host (a collective gather while `gather` holds), or this rank's alone
// (rank 0 after the ranks fell out of step).
double ranks_cpu_s(const World& world, bool gather) {
  const double mine = cpu_seconds_with_children();
  if (!gather) return mine;
  std::vector<double> all(static_cast<std::size_t>(world.size()), 0);
  MPI_Request req = MPI_REQUEST_NULL;
  check(MPI_Igather(&mine, 1, MPI_DOUBLE, all.data(), 1, MPI_DOUBLE, 0, MPI_COMM_WORLD, &req),
        "MPI_Igather (CPU time)");
  wait(world, req, MPI_STATUS_IGNORE,
       {"every rank's CPU time", world.others(), Clock::now() + kCollectiveTimeout,
        std::chrono::microseconds(100)});
  if (world.rank() != 0) return mine;
  double total = 0;
  for (int k = 0; k < world.size(); ++k) {
    if (world.local(k)) total += all[static_cast<std::size_t>(k)];
  }
  return total;
}

// --benchmark_list_tests: the grid as the result rows name it, on rank 0.
// Google Benchmark writes the list to the display reporter's stream with
// the fixed iteration count in every name; the count is taken out here.
int list_benchmarks(bool rank0) {
  std::ostringstream listed;
  benchmark::ConsoleReporter console(benchmark::ConsoleReporter::OO_None);
  console.SetOutputStream(&listed);
  SilentReporter silent;
  const std::size_t n = benchmark::RunSpecifiedBenchmarks(
      rank0 ? static_cast<benchmark::BenchmarkReporter*>(&console) : &silent);
  benchmark::Shutdown();
  if (!rank0) return 0;
  static const std::regex iterations("/iterations:[0-9]+");
  std::string line;
  for (std::istringstream in(listed.str()); std::getline(in, line);) {
    std::printf("%s\n", std::regex_replace(line, iterations, "").c_str());
  }
  return n > 0 ? 0 : 1;
}

// The ranks and where they run, on stderr: which process is which rank (a
// test kills one by its pid).
void print_ranks(const World& world) {
  std::string line;
  for (int r = 0; r < world.size(); ++r) line += (r == 0 ? "" : ", ") + world.describe(r);
  std::fprintf(stderr, "%s: %d ranks: %s\n", kProg, world.size(), line.c_str());
}

// Rank 0: the plan and the result's context; the exit status every rank
// ends with when it cannot be made (2 bad input, 1 anything else), or 0.
int make_plan_on_rank0(const World& world, const Options& o, const bench::Profile& profile,
                       std::vector<PlanItem>& plan, std::vector<bench::Prepared>& prepared) {
  print_ranks(world);
  try {
    plan = make_plan(o, profile, world.size(), world.cpus_all_hosts(), prepared);
    bench::add_context(kProg, profile.name, std::vector{std::string(mpi_model().name)});
    benchmark::AddCustomContext("mpi_library", world.library());
    benchmark::AddCustomContext("mpi_ranks", std::to_string(world.size()));
    benchmark::AddCustomContext("mpi_hosts", world.hosts());
    benchmark::AddCustomContext("mpi_cpus_all_hosts", std::to_string(world.cpus_all_hosts()));
    return 0;
  } catch (const std::invalid_argument& e) {
    bench::print_error(kProg, e.what());
    return 2;
  } catch (const std::exception& e) {
    bench::print_error(kProg, e.what());
    return 1;
  }
}

// What each rank runs: rank 0 its calibrated workloads, the others their own.
struct Benchmarks {
  std::vector<PlanItem> plan;
  std::vector<bench::Prepared> prepared;             // rank 0
  std::vector<std::unique_ptr<Workload>> workloads;  // the other ranks
};

// One Google Benchmark per plan item, with the fixed iteration count every
// rank must run.
void register_plan(const World& world, Benchmarks& b, Shared& shared) {
  const bool rank0 = world.rank() == 0;
  for (std::size_t i = 0; i < b.plan.size(); ++i) {
    const PlanItem* item = &b.plan[i];
    b.workloads.push_back(rank0 ? nullptr : item->harness().make_workload(item->point));
    const Workload* w = rank0 ? b.prepared[i].workload.get() : b.workloads[i].get();
    const bench::Prepared* prep = rank0 ? &b.prepared[i] : nullptr;
    auto sticky = std::make_shared<Sticky>();
    const std::string name =
        bench::benchmark_name(item->harness().workload, item->point, item->harness().names);
    auto* bm = benchmark::RegisterBenchmark(name.c_str(),
                                            [item, w, prep, sticky, &shared](benchmark::State& s) {
                                              MpiBenchmark(s, *item, *w, prep, shared, *sticky)();
                                            });
    bm->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(item->iterations);
    bench::add_interval_statistics(bm);
  }
}

// Runs the registered benchmarks on every rank; rank 0 reports them.
std::size_t run_benchmarks(const World& world, const Options& o, bench::NoiseReporter& file) {
  const bool rank0 = world.rank() == 0;
  const std::size_t selected = rank0 ? bench::count_selected_benchmarks() : 0;
  if (rank0) {
    const bench::Profile profile = bench::profile_named(o.common.profile);
    const auto& out = o.common.out;
    std::fprintf(stderr, "%s: profile %s, %zu benchmarks x %d repetitions on %d ranks%s%s\n", kProg,
                 profile.name.c_str(), selected, bench::repetitions(o.common.passthrough, profile),
                 world.size(), out ? ", writing " : "", out ? out->c_str() : "");
  }
  PlainNames plain_file(file);
  // No colours in the table: under mpiexec a rank's stdout is a pseudo-terminal
  // even when mpiexec's own output goes to a pipe or a file.
  benchmark::ConsoleReporter console(benchmark::ConsoleReporter::OO_None);
  bench::ProgressReporter progress(selected);
  PlainNames plain_console(o.common.table ? static_cast<benchmark::BenchmarkReporter&>(console)
                                          : progress);
  SilentReporter silent;
  const std::size_t ran = rank0 ? benchmark::RunSpecifiedBenchmarks(
                                      &plain_console, o.common.out ? &plain_file : nullptr)
                                : benchmark::RunSpecifiedBenchmarks(&silent, nullptr);
  benchmark::Shutdown();
  return ran;
}

// The machine's load over the run. The CPU-time gather is also the run's
// last collective: a rank lost before it (stopped or killed after its last
// benchmark) keeps the results from being published, as a failed benchmark
// would. Only rank 0 goes on when the ranks are out of step.
bench::LoadMeter::Summary finish_load(const World& world, const bench::LoadMeter& load,
                                      bool& gather, Shared& shared) {
  gather = shared.broken.empty();
  try {
    return load.finish();
  } catch (const RankLost& e) {
    if (world.rank() != 0) throw;
    shared.broken = std::string("after the last benchmark: ") + e.what();
    gather = false;
    return load.finish();
  }
}

// Rank 0: the last lines and the result file, then the end of the job when
// the other ranks wait for a message that will not come.
int conclude_on_rank0(const World& world, const Options& o, const bench::NoiseReporter& file,
                      std::size_t ran, const bench::LoadMeter::Summary& machine,
                      const Shared& shared) {
  const bool broken = !shared.broken.empty();
  const bench::RunOutcome outcome{.ran = ran,
                                  .failed = shared.failures.load(),
                                  .not_run = shared.not_run,
                                  .noisy = file.noisy_benchmarks(),
                                  .broken = broken,
                                  .machine = machine};
  // mpiexec is ending the job (SIGTERM): nothing it stopped is published.
  const int status = bench::conclude_run(kProg, o.common.out, o.common.out ? file.json() : "",
                                         outcome, term_received);
  if (broken) {
    std::fprintf(stderr, "%s: ending the job: %s\n", kProg, shared.broken.c_str());
    std::fflush(nullptr);
    world.abort(1);
  }
  return status;
}

int run_harness(const World& world, const Options& o) {
  const bench::Profile profile = bench::profile_named(o.common.profile);
  const bool rank0 = world.rank() == 0;
  Benchmarks b;
  const int status = rank0 ? make_plan_on_rank0(world, o, profile, b.plan, b.prepared) : 0;
  if (const int s = share_plan(world, status, b.plan); s != 0) return rank0 ? s : 0;
  Runner runner(world);
  Shared shared{world, runner};
  register_plan(world, b, shared);
  // Repetitions as a flag, not per benchmark (a per-benchmark count goes
  // into every name).
  const std::vector<std::string> unknown = bench::initialize_benchmark(
      kProg, {"--benchmark_repetitions=" + std::to_string(profile.repetitions)},
      o.common.out.has_value(), o.common.passthrough);
  if (!unknown.empty()) {
    if (rank0) bench::print_error(kProg, "unrecognized command-line flag: " + unknown[0]);
    return rank0 ? 2 : 0;
  }
  if (bench::benchmark_flag_on(o.common.passthrough, "--benchmark_list_tests")) {
    return list_benchmarks(rank0);
  }
  bool gather = true;
  const bench::LoadMeter load([&world, &gather] { return ranks_cpu_s(world, gather); });
  bench::NoiseReporter file;
  const std::size_t ran = run_benchmarks(world, o, file);
  const bench::LoadMeter::Summary machine = finish_load(world, load, gather, shared);
  if (!rank0) return 0;
  return conclude_on_rank0(world, o, file, ran, machine, shared);
}

// The rank this process will have, before MPI_Init: only rank 0 prints
// errors in the command line, which every rank finds alike.
bool first_rank() {
  for (const char* var : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK"}) {
    if (const char* v = std::getenv(var)) return std::string_view(v) == "0";
  }
  return true;
}

}  // namespace
}  // namespace cvp::mpi

int main(int argc, char** argv) {
  using namespace cvp::mpi;
  // Before MPI starts threads of its own, so that every thread has it.
  cvp::set_timer_slack(std::chrono::nanoseconds(1));
  // A write beyond RLIMIT_FSIZE fails with EFBIG, said in one line, instead
  // of SIGXFSZ ending the rank without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  Options o;
  std::optional<cvp::bench::OutLock> lock;
  try {
    // Everything the command line can get wrong is refused here, before
    // MPI starts and before anything is measured or written.
    o = parse_options(argc, argv);
    if (o.common.help) {
      if (first_rank()) print_help(argv[0]);
      return 0;
    }
    if (o.common.out) cvp::bench::check_out_file(*o.common.out);
    // Rank 0 writes the result, so rank 0 holds the lock; the others refuse
    // nothing, and mpiexec ends them when rank 0 exits with status 2.
    if (o.common.out && first_rank()) lock.emplace(*o.common.out);
  } catch (const std::invalid_argument& e) {
    if (first_rank()) cvp::bench::print_error(kProg, e.what());
    return 2;
  }
  install_term_handler();
  std::unique_ptr<World> world;
  try {
    world = std::make_unique<World>(argc, argv);
    return run_harness(*world, o);
  } catch (const std::exception& e) {
    cvp::bench::print_error(kProg, e.what());
    if (world) world->abort(1);
    return 1;
  }
}
