// mpi harness: io_sleep, cpu_hash and mixed under W ranks of Open MPI, rank 0 handing out chunks of
// tasks on demand.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <memory>
#include <optional>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "cli.hpp"
#include "comm.hpp"
#include "context.hpp"
#include "error_line.hpp"
#include "harness.hpp"
#include "interval.hpp"
#include "json_text.hpp"
#include "measure.hpp"
#include "models/model.hpp"
#include "models/registry.hpp"
#include "noise_reporter.hpp"
#include "out_lock.hpp"
#include "plan.hpp"
#include "progress_reporter.hpp"
#include "reporters.hpp"
#include "result_file.hpp"
#include "run.hpp"
#include "runner.hpp"
#include "sysinfo.hpp"
#include "timing.hpp"

namespace cvp::mpi {
namespace {

constexpr const char* kProg = "mpi";

// The mpi model's registry row (docs/result-format.md). The model is not in
// the C++ registry: its runs need ranks that mpiexec starts, so no
// in-process harness can make it, and this harness writes its row itself.
constexpr std::string_view kModelRow =
    R"json({"name": "mpi", "order": 50, "family": "processes", "language": "c++", )json"
    R"json("takes_workers": true, "fixed_workers": null, "fixed_why": "", "concurrency": "W", )json"
    R"json("parallelism": "min(W, cores in all hosts)", "twin": "mpi", )json"
    R"json("summary": "W ranks under mpiexec, chunks handed out by rank 0"})json";

struct PlanItem {
  Kind kind = Kind::kIoSleep;
  bench::Point point;
  std::int64_t iterations = 1;
  std::int64_t task_cpu_ns = 0;  // rank 0's calibration: every rank paces its runs by it
};

// What every benchmark of the harness shares.
struct Shared {
  const World& world;
  Runner& runner;
  int cpus = 1;  // usable CPUs over all hosts: the parallelism ceiling
  std::atomic<int> failures{0};
  int not_run = 0;     // rank 0: benchmarks skipped once the ranks were out of step
  std::string broken;  // rank 0: why the ranks are out of step, or ""
};

// How long rank 0 waits for the others where they have nothing else to do
// (the plan, the CPU times): a rank that takes longer is stopped or gone.
constexpr std::chrono::seconds kCollectiveTimeout{10};

// A failure is final for a benchmark: its later repetitions fail at once
// (Google Benchmark 1.7.1 cannot aggregate a failed repetition followed by
// a successful one). Every rank holds the same, since every rank learns of
// a failure through the same reduction.
struct Sticky {
  std::string error;
};

// One benchmark on one rank: the paired serial run (rank 0), the timed
// runs, the digest check (rank 0), the counters (rank 0).
class MpiBenchmark {
 public:
  MpiBenchmark(benchmark::State& state, const PlanItem& item, const Workload& w,
               const bench::Prepared* prep, Shared& shared, Sticky& sticky)
      : state_(state),
        item_(item),
        p_(item.point),
        w_(w),
        prep_(prep),
        shared_(shared),
        world_(shared.world),
        sticky_(sticky) {}

  void operator()() {
    if (!shared_.broken.empty()) {
      if (sticky_.error.empty()) {
        sticky_.error = "not run";
        ++shared_.not_run;
      }
      state_.SkipWithError(("not run: the ranks are out of step since: " + shared_.broken).c_str());
      return;
    }
    if (!sticky_.error.empty()) {
      state_.SkipWithError(("an earlier repetition failed: " + sticky_.error).c_str());
      return;
    }
    try {
      set_up();
      if (timed_runs() && rank0()) report();
    } catch (const std::exception& e) {
      if (!rank0() && term_received()) {
        // mpiexec is ending the job: leave rank 0 its time to report.
        std::_Exit(1);
      }
      if (!rank0()) {
        // Only rank 0 reports; a rank that cannot go on ends the job. When
        // another rank is at fault, say so: MPI_ABORT's own banner names
        // the rank that called it.
        const bool lost = dynamic_cast<const RankLost*>(&e) != nullptr;
        std::fprintf(
            stderr, "%s: %s: %s%s\n", kProg, world_.describe(world_.rank()).c_str(), e.what(),
            lost ? "; this rank ends the job (MPI_ABORT names it, not the rank at fault)" : "");
        world_.abort(1);
      }
      shared_.broken = e.what();
      fail(e.what());
    }
  }

 private:
  bool rank0() const { return world_.rank() == 0; }

  void fail(const std::string& message) {
    if (!sticky_.error.empty()) return;
    sticky_.error = message;
    if (rank0()) shared_.failures.fetch_add(1);
    state_.SkipWithError(message.c_str());
  }

  void set_up() {
    // Pure hashing is paired, as in bench/measure.cpp: rank 0 runs the
    // serial model right before each timed run (the other ranks wait in the
    // barrier), and the pair gives that run's speedup and ideal.
    paired_ = w_.params().bytes > 0 && w_.longest_wait().count() == 0;
    if (rank0()) {
      if (paired_) baseline_ = make_model(baseline_model().name, 1);
      out_.resize(static_cast<std::size_t>(w_.tasks()));
    }
    pace_ = pace_of(w_, world_.size(), static_cast<double>(item_.task_cpu_ns) * 1e-9);
  }

  // One run on every rank, then the reductions: the run's time is the
  // slowest rank's, CPU seconds are summed to rank 0, and a failure seen on
  // rank 0 (a worker's error, a digest mismatch) fails it on every rank.
  struct Step {
    double seconds = 0, cpu_s = 0;
    int peak = 0;
    bool ok = true;
    std::string error;
  };
  Step step(const Workload& w, std::span<Digest> out, const std::vector<Digest>* reference) {
    if (rank0()) std::fill(out.begin(), out.end(), Digest{});
    const RunOutcome r = shared_.runner.run(w, out, pace_);
    Step s;
    s.peak = r.peak_inflight;
    if (rank0()) {
      // Measure, then check: the comparison is outside the timed region.
      s.error = r.error;
      if (s.error.empty() && reference != nullptr) {
        if (const int bad = first_mismatch(out, *reference); bad >= 0) {
          s.error = "task " + std::to_string(bad) + ": digest differs from the serial model's";
        }
      }
    }
    // Non-blocking and watched: a rank that stops after its last message of
    // the run must not hang the others in a collective.
    double mine[2] = {r.seconds, s.error.empty() ? 0.0 : 1.0}, all[2] = {0, 0};
    MPI_Request reqs[2] = {MPI_REQUEST_NULL, MPI_REQUEST_NULL};
    check(MPI_Iallreduce(mine, all, 2, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD, &reqs[0]),
          "MPI_Iallreduce");
    check(MPI_Ireduce(&r.cpu_s, &s.cpu_s, 1, MPI_DOUBLE, MPI_SUM, 0, MPI_COMM_WORLD, &reqs[1]),
          "MPI_Ireduce");
    const Watch watch{"every rank's outcome of the run", world_.others(),
                      Clock::now() + pace_.progress_timeout, std::chrono::microseconds(100)};
    for (MPI_Request& req : reqs) wait(world_, req, MPI_STATUS_IGNORE, watch);
    s.seconds = all[0];
    s.ok = all[1] == 0;
    if (!s.ok && s.error.empty()) s.error = "the run failed on rank 0";
    return s;
  }

  bool timed_runs() {
    for (auto _ : state_) {
      double baseline_s = 0;
      if (rank0() && paired_) {
        const auto t0 = Clock::now();
        baseline_->run(w_, out_);
        baseline_s = seconds_since(t0);
      }
      const Step s = step(w_, out_, rank0() ? &prep_->reference : nullptr);
      state_.SetIterationTime(s.seconds);
      if (!s.ok) {
        fail(s.error);
        return false;
      }
      if (rank0()) record(s, baseline_s);
    }
    return true;
  }

  void record(const Step& s, double baseline_s) {
    wall_s_ += s.seconds;
    cpu_s_ += s.cpu_s;
    peak_ = std::max(peak_, s.peak);
    ++runs_;
    const double task_s = paired_ ? baseline_s / w_.tasks() : prep_->task_cpu_s;
    task_cpu_.push_back(task_s);
    efficiencies_.push_back(ideal_s(task_s) / s.seconds);
    if (paired_) speedups_.push_back(baseline_s / s.seconds);
    overheads_.push_back((s.seconds - ideal_s(task_s)) / w_.tasks());
  }

  double ideal_s(double task_cpu_s) const {
    const Limits limits{static_cast<int>(p_.workers),
                        std::min(static_cast<int>(p_.workers), shared_.cpus)};
    return ideal_run_time(limits, w_.tasks(), std::chrono::duration<double>(task_cpu_s),
                          w_.longest_wait())
        .count();
  }

  void report() {
    if (runs_ == 0) return;
    auto& c = state_.counters;
    for (const bench::Axis& a : bench::axes()) {
      if (a.in_name != bench::InName::kNever)
        c[std::string(a.name)] = static_cast<double>(p_.*a.field);
    }
    c["parallelism"] = wall_s_ > 0 ? cpu_s_ / wall_s_ : 0;
    c["peak_inflight"] = peak_;
    const double task_cpu_s = median(task_cpu_);
    c["task_cpu_us"] = task_cpu_s * 1e6;
    c["ideal_ms"] = ideal_s(task_cpu_s) * 1e3;
    c["efficiency"] = median(efficiencies_);
    const double wait_s = std::chrono::duration<double>(w_.longest_wait()).count();
    c["cpu_share"] = task_cpu_s / (task_cpu_s + wait_s);
    if (paired_) c["speedup"] = median(speedups_);
    // What a task costs beyond its share of the ideal: a chunk's request,
    // assignment and digests spread over its tasks, plus whatever else keeps
    // the run from its bound (rank 0's serving, an uneven last chunk). It is
    // plot.py's task_overhead arithmetic, so process_pool's figure is the
    // same expression over its rows.
    c["dispatch_us"] = median(overheads_) * 1e6;
    state_.SetItemsProcessed(runs_ * p_.tasks);
    if (p_.bytes > 0) state_.SetBytesProcessed(runs_ * p_.tasks * p_.bytes * p_.rounds);
  }

  benchmark::State& state_;
  const PlanItem& item_;
  const bench::Point& p_;
  const Workload& w_;
  const bench::Prepared* prep_;  // rank 0 only
  Shared& shared_;
  const World& world_;
  Sticky& sticky_;
  bool paired_ = false;
  std::unique_ptr<Model> baseline_;
  std::vector<Digest> out_;
  Pace pace_;
  double wall_s_ = 0, cpu_s_ = 0;
  int peak_ = 0;
  std::int64_t runs_ = 0;
  std::vector<double> task_cpu_, efficiencies_, speedups_, overheads_;
};

// The plan travels from rank 0 as 9 integers per benchmark: rank 0 alone
// sizes the grid (its CPUs) and calibrates (iterations, mixed's rounds, a
// task's CPU time).
constexpr int kFields = 9;

// MPI_Ibcast from rank 0, polled: the other ranks wait for rank 0's
// calibration without spinning on the cores it measures.
void broadcast(const World& world, std::vector<std::int64_t>& data) {
  MPI_Request req = MPI_REQUEST_NULL;
  check(
      MPI_Ibcast(data.data(), static_cast<int>(data.size()), MPI_INT64_T, 0, MPI_COMM_WORLD, &req),
      "MPI_Ibcast");
  // The other ranks wait for rank 0's calibration, however long it takes
  // (only its death ends the wait); rank 0 waits for them a bounded time.
  const Watch watch =
      world.rank() == 0
          ? Watch{"every rank to take the plan", world.others(), Clock::now() + kCollectiveTimeout,
                  std::chrono::microseconds(100)}
          : Watch{"rank 0's plan", {0}, Clock::time_point::max(), std::chrono::microseconds(2000)};
  wait(world, req, MPI_STATUS_IGNORE, watch);
}

// Rank 0: status (0, or the exit status to end with) and the plan, to all.
int share_plan(const World& world, int status, std::vector<PlanItem>& plan) {
  std::vector<std::int64_t> head{status, static_cast<std::int64_t>(plan.size())};
  broadcast(world, head);
  if (head[0] != 0) return static_cast<int>(head[0]);
  std::vector<std::int64_t> data(static_cast<std::size_t>(head[1]) * kFields);
  if (world.rank() == 0) {
    for (std::size_t i = 0; i < plan.size(); ++i) {
      const PlanItem& it = plan[i];
      const bench::Point& p = it.point;
      const std::int64_t row[kFields] = {static_cast<std::int64_t>(it.kind),
                                         p.tasks,
                                         p.workers,
                                         p.sleep_us,
                                         p.bytes,
                                         p.rounds,
                                         p.cpu_share_pct,
                                         it.iterations,
                                         it.task_cpu_ns};
      std::copy(row, row + kFields, data.begin() + static_cast<std::ptrdiff_t>(i * kFields));
    }
  }
  broadcast(world, data);
  if (world.rank() != 0) {
    plan.clear();
    for (std::size_t i = 0; i < static_cast<std::size_t>(head[1]); ++i) {
      const std::int64_t* row = data.data() + i * kFields;
      PlanItem it;
      it.kind = static_cast<Kind>(row[0]);
      it.point = {"mpi", row[1], row[2], row[3], row[4], row[5], row[6]};
      it.iterations = row[7];
      it.task_cpu_ns = row[8];
      plan.push_back(it);
    }
  }
  return 0;
}

// Rank 0: the grid of every chosen workload, its reference digests and
// calibrated task times, and each benchmark's iterations: enough runs to
// fill the profile's minimum time (fixed per benchmark, so that every rank
// runs the same number).
std::vector<PlanItem> make_plan(const Options& o, const bench::Profile& profile, const World& world,
                                std::vector<bench::Prepared>& prepared) {
  std::vector<PlanItem> plan;
  std::map<std::string, bench::Prepared> calibrations;
  for (Kind k : o.workloads) {
    const bench::Harness& h = harness_of(k);
    for (const bench::Point& p : grid(o, k, profile, world.size())) {
      auto one = bench::prepare_workloads({p}, h);
      const bench::Prepared& prep = one.begin()->second;
      const int workers = static_cast<int>(p.workers);
      const double est =
          ideal_run_time({workers, std::min(workers, world.cpus_all_hosts())},
                         static_cast<int>(p.tasks), std::chrono::duration<double>(prep.task_cpu_s),
                         prep.workload->longest_wait())
              .count();
      const auto iterations = static_cast<std::int64_t>(
          std::clamp(std::ceil(profile.min_time_s / std::max(est, 1e-6)), 1.0, 1000.0));
      plan.push_back({k, p, iterations, std::llround(prep.task_cpu_s * 1e9)});
      prepared.push_back(prep);
      calibrations.insert(one.begin(), one.end());
    }
  }
  if (plan.empty()) throw std::invalid_argument("the grid is empty");
  bench::add_calibration_context(calibrations);
  return plan;
}

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

// The result's context with the mpi model's registry row: add_context knows
// only the C++ registry's models and wrote an empty list.
std::string with_model_row(std::string json) {
  const std::string empty = "\"cvp_models\": \"[]\"";
  const std::size_t at = json.find(empty);
  if (at == std::string::npos) throw std::runtime_error("the result has no cvp_models entry");
  json.replace(at, empty.size(),
               "\"cvp_models\": " + json_quoted("[" + std::string(kModelRow) + "]"));
  return json;
}

// "1 benchmark", "3 benchmarks".
std::string benchmarks(int n) {
  return std::to_string(n) + (n == 1 ? " benchmark" : " benchmarks");
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

int run_harness(const World& world, const Options& o) {
  const bench::Profile profile = bench::profile_named(o.profile);
  const bool rank0 = world.rank() == 0;
  std::vector<PlanItem> plan;
  std::vector<bench::Prepared> prepared;
  int status = 0;
  if (rank0) {
    print_ranks(world);
    try {
      plan = make_plan(o, profile, world, prepared);
      bench::add_context(kProg, profile.name, {});
      benchmark::AddCustomContext("mpi_library", world.library());
      benchmark::AddCustomContext("mpi_ranks", std::to_string(world.size()));
      benchmark::AddCustomContext("mpi_hosts", world.hosts());
      benchmark::AddCustomContext("mpi_cpus_all_hosts", std::to_string(world.cpus_all_hosts()));
    } catch (const std::invalid_argument& e) {
      cvp::bench::print_error(kProg, e.what());
      status = 2;
    } catch (const std::exception& e) {
      cvp::bench::print_error(kProg, e.what());
      status = 1;
    }
  }
  if (const int s = share_plan(world, status, plan); s != 0) return rank0 ? s : 0;

  std::vector<std::unique_ptr<Workload>> workloads;
  for (const PlanItem& it : plan) {
    workloads.push_back(rank0 ? nullptr : harness_of(it.kind).make_workload(it.point));
  }
  Runner runner(world);
  Shared shared{world, runner, world.cpus_all_hosts(), {0}, 0, ""};
  for (std::size_t i = 0; i < plan.size(); ++i) {
    const PlanItem* item = &plan[i];
    const Workload* w = rank0 ? prepared[i].workload.get() : workloads[i].get();
    const bench::Prepared* prep = rank0 ? &prepared[i] : nullptr;
    auto sticky = std::make_shared<Sticky>();
    const std::string name =
        bench::benchmark_name(workload_name(item->kind), item->point, harness_of(item->kind).names);
    auto* b = benchmark::RegisterBenchmark(name.c_str(),
                                           [item, w, prep, sticky, &shared](benchmark::State& s) {
                                             MpiBenchmark(s, *item, *w, prep, shared, *sticky)();
                                           });
    b->UseManualTime()->Unit(benchmark::kMillisecond)->Iterations(item->iterations);
    bench::add_interval_statistics(b);
  }

  // Repetitions as a flag, not per benchmark (a per-benchmark count goes
  // into every name).
  const std::vector<std::string> unknown = bench::initialize_benchmark(
      kProg, {"--benchmark_repetitions=" + std::to_string(profile.repetitions)}, o.out.has_value(),
      o.passthrough);
  if (!unknown.empty()) {
    if (rank0)
      std::fprintf(stderr, "%s: error: unrecognized flag '%s'\n", kProg, unknown[0].c_str());
    return rank0 ? 2 : 0;
  }
  if (bench::benchmark_flag_on(o.passthrough, "--benchmark_list_tests")) {
    return list_benchmarks(rank0);
  }
  const std::size_t selected = rank0 ? bench::count_selected_benchmarks() : 0;
  if (rank0) {
    std::fprintf(stderr, "%s: profile %s, %zu benchmarks x %d repetitions on %d ranks%s%s\n", kProg,
                 profile.name.c_str(), selected, bench::repetitions(o.passthrough, profile),
                 world.size(), o.out ? ", writing " : "", o.out ? o.out->c_str() : "");
  }

  bool gather = true;
  const bench::LoadMeter load([&world, &gather] { return ranks_cpu_s(world, gather); });
  bench::NoiseReporter file;
  PlainNames plain_file(file);
  // No colours in the table: under mpiexec a rank's stdout is a pseudo-terminal
  // even when mpiexec's own output goes to a pipe or a file.
  benchmark::ConsoleReporter console(benchmark::ConsoleReporter::OO_None);
  bench::ProgressReporter progress(selected);
  PlainNames plain_console(o.table ? static_cast<benchmark::BenchmarkReporter&>(console)
                                   : progress);
  SilentReporter silent;
  std::size_t ran = 0;
  if (rank0) {
    ran = benchmark::RunSpecifiedBenchmarks(&plain_console, o.out ? &plain_file : nullptr);
  } else {
    ran = benchmark::RunSpecifiedBenchmarks(&silent, nullptr);
  }
  benchmark::Shutdown();

  // Here every rank is in step unless rank 0 lost one; then the others
  // still wait inside a benchmark, and only rank 0 goes on.
  // The CPU-time gather is also the run's last collective: a rank lost
  // before it (stopped or killed after its last benchmark) keeps the
  // results from being published, as a failed benchmark would.
  gather = shared.broken.empty();
  bench::LoadMeter::Summary machine;
  try {
    machine = load.finish();
  } catch (const RankLost& e) {
    if (!rank0) throw;
    shared.broken = std::string("after the last benchmark: ") + e.what();
    gather = false;
    machine = load.finish();
  }
  const bool broken = !shared.broken.empty();
  if (!rank0) return 0;
  if (ran == 0) {
    std::fprintf(stderr, "%s: error: no benchmark matched; nothing written\n", kProg);
    return 1;
  }
  if (machine.loaded) {
    std::fprintf(stderr,
                 "%s: warning: the machine was busy with other work (see cvp_load in the JSON)\n",
                 kProg);
  }
  const int failed = shared.failures.load();
  if (failed > 0 || shared.not_run > 0) {
    std::fprintf(stderr, "%s: error: %s failed and %s not run (see error_message above)\n", kProg,
                 benchmarks(failed).c_str(), benchmarks(shared.not_run).c_str());
  }
  if (o.out) {
    const std::string json =
        with_model_row(bench::with_context_entry(file.json(), "cvp_load", machine.json));
    if (failed > 0 || broken) {
      bench::keep_failed(*o.out, json);
      std::fprintf(stderr, "%s: %s left unchanged; this run's JSON is in %s.failed\n", kProg,
                   o.out->c_str(), o.out->c_str());
    } else {
      bench::publish(*o.out, json);
      std::fprintf(stderr, "%s: wrote %s\n", kProg, o.out->c_str());
    }
  }
  if (broken) {
    // The other ranks wait for a message that will not come: end them all.
    std::fprintf(stderr, "%s: ending the job: %s\n", kProg, shared.broken.c_str());
    std::fflush(nullptr);
    world.abort(1);
  }
  return failed > 0 || broken ? 1 : 0;
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
    if (o.help) {
      if (first_rank()) print_help(argv[0]);
      return 0;
    }
    if (o.out) cvp::bench::check_out_file(*o.out);
    // Rank 0 writes the result, so rank 0 holds the lock; the others refuse
    // nothing, and mpiexec ends them when rank 0 exits with status 2.
    if (o.out && first_rank()) lock.emplace(*o.out);
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
