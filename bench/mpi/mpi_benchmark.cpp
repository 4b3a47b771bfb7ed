// One mpi benchmark on one rank: the paired serial run (rank 0), the timed runs across the ranks,
// the digest check and the counters (rank 0), all through the suite's measurement core.
#include "mpi_benchmark.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "models/registry.hpp"
#include "paired_run.hpp"

namespace cvp::mpi {
namespace {

constexpr const char* kProg = "mpi";

Limits mpi_limits(const bench::Point& p, const World& world) {
  return limits_of(mpi_model(), static_cast<int>(p.tasks), static_cast<int>(p.workers),
                   world.cpus_all_hosts());
}

}  // namespace

MpiBenchmark::MpiBenchmark(benchmark::State& state, const PlanItem& item, const Workload& w,
                           const bench::Prepared* prep, Shared& shared, Sticky& sticky)
    : state_(state),
      item_(item),
      w_(w),
      prep_(prep),
      shared_(shared),
      sticky_(sticky),
      // Only rank 0 reports, so only rank 0 counts a failure.
      policy_(state, sticky.error, shared.world.rank() == 0 ? &shared.failures : nullptr),
      tally_(w, mpi_limits(item.point, shared.world), prep != nullptr ? prep->task_cpu_s : 0) {}

void MpiBenchmark::operator()() {
  if (skipped_out_of_step() || policy_.failed_before()) return;
  try {
    set_up();
    if (timed_runs() && rank0() && tally_.runs() > 0) report();
  } catch (const std::exception& e) {
    if (!rank0()) end_job(e);
    shared_.broken = e.what();
    policy_.fail(e.what());
  }
}

// Once the ranks are out of step no run can be made: rank 0 reports the
// benchmarks left as not run.
bool MpiBenchmark::skipped_out_of_step() {
  if (shared_.broken.empty()) return false;
  if (sticky_.error.empty()) {
    sticky_.error = "not run";
    ++shared_.not_run;
  }
  state_.SkipWithError(("not run: the ranks are out of step since: " + shared_.broken).c_str());
  return true;
}

// A rank other than 0 that cannot go on: only rank 0 reports.
void MpiBenchmark::end_job(const std::exception& e) {
  // mpiexec is ending the job: leave rank 0 its time to report.
  if (term_received()) std::_Exit(1);
  // This rank ends the job. When another rank is at fault, say so:
  // MPI_ABORT's own banner names the rank that called it.
  const bool lost = dynamic_cast<const RankLost*>(&e) != nullptr;
  const World& world = shared_.world;
  std::fprintf(stderr, "%s: %s: %s%s\n", kProg, world.describe(world.rank()).c_str(), e.what(),
               lost ? "; this rank ends the job (MPI_ABORT names it, not the rank at fault)" : "");
  world.abort(1);
}

void MpiBenchmark::set_up() {
  // Pure hashing is paired, as in every harness: rank 0 runs the serial
  // model right before each timed run (the other ranks wait in the barrier).
  if (rank0()) {
    if (bench::is_paired(w_) && !sticky_.baseline) sticky_.baseline = bench::make_baseline();
    out_.resize(static_cast<std::size_t>(w_.tasks()));
    task_ns_.resize(static_cast<std::size_t>(w_.tasks()));
  }
  pace_ = pace_of(w_, shared_.world.size(), static_cast<double>(item_.task_cpu_ns) * 1e-9);
}

// One run on every rank, then the reductions: the run's time is the
// slowest rank's, CPU seconds are summed to rank 0, and a failure seen on
// rank 0 (a worker's error, a digest mismatch) fails it on every rank.
bench::RunRecord MpiBenchmark::step(std::string& error) {
  bench::RunRecord r;
  if (rank0() && sticky_.baseline) {
    r.baseline_s = bench::time_baseline_run(*sticky_.baseline, w_, out_);
  }
  if (rank0()) std::fill(out_.begin(), out_.end(), Digest{});
  const RunOutcome run = shared_.runner.run(w_, out_, task_ns_, pace_);
  if (rank0()) {
    // Measure, then check: the comparison is outside the timed region.
    error = run.error.empty() ? bench::digest_error(out_, prep_->reference) : run.error;
  }
  const Reduced all = reduce_run(shared_.world, run, !error.empty(), pace_);
  if (all.failed && error.empty()) error = "the run failed on rank 0";
  r.seconds = all.seconds;
  r.cpu_s = all.cpu_s;
  r.peak_inflight = run.peak_inflight;
  if (rank0()) r.task_ns = task_ns_;
  return r;
}

bool MpiBenchmark::timed_runs() {
  for (auto _ : state_) {
    std::string error;
    const bench::RunRecord r = step(error);
    state_.SetIterationTime(r.seconds);
    if (!error.empty()) {
      policy_.fail(error);
      return false;
    }
    if (rank0()) tally_.record(r);
  }
  return true;
}

void MpiBenchmark::report() {
  tally_.report(state_, item_.point, {.every_named_axis = true});
  // What a task costs beyond its share of the ideal: a chunk's request,
  // assignment and digests spread over its tasks, plus whatever else keeps
  // the run from its bound (rank 0's serving, an uneven last chunk). It is
  // plot.py's task_overhead arithmetic, so process_pool's figure is the
  // same expression over its rows.
  state_.counters["dispatch_us"] = tally_.median_overhead_per_task_s() * 1e6;
}

}  // namespace cvp::mpi
