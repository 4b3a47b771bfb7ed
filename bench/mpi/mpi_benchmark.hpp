// One mpi benchmark on one rank: the paired serial run (rank 0), the timed runs across the ranks,
// the digest check and the counters (rank 0), all through the suite's measurement core.
#pragma once

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "comm.hpp"
#include "failure_policy.hpp"
#include "measure.hpp"
#include "plan.hpp"
#include "runner.hpp"
#include "tally.hpp"

namespace cvp::mpi {

// What every benchmark of the harness shares.
struct Shared {
  const World& world;
  Runner& runner;
  std::atomic<int> failures{0};
  int not_run = 0;       // rank 0: benchmarks skipped once the ranks were out of step
  std::string broken{};  // rank 0: why the ranks are out of step, or ""
};

// A benchmark's state across its repetitions: the error that ends it (the
// same on every rank, since every rank learns of a failure through the
// same reduction) and rank 0's baseline model.
struct Sticky {
  std::string error;
  std::unique_ptr<Model> baseline;
};

class MpiBenchmark {
 public:
  // `prep` is rank 0's reference and calibration (null on the other ranks).
  MpiBenchmark(benchmark::State& state, const PlanItem& item, const Workload& w,
               const bench::Prepared* prep, Shared& shared, Sticky& sticky);

  void operator()();

 private:
  bool rank0() const { return shared_.world.rank() == 0; }
  bool skipped_out_of_step();
  [[noreturn]] void end_job(const std::exception& e);
  void set_up();
  bench::RunRecord step(std::string& error);
  bool timed_runs();
  void report();

  benchmark::State& state_;
  const PlanItem& item_;
  const Workload& w_;
  const bench::Prepared* prep_;
  Shared& shared_;
  Sticky& sticky_;
  bench::FailurePolicy policy_;
  bench::Tally tally_;
  std::vector<Digest> out_;
  std::vector<std::int64_t> task_ns_;  // rank 0: every task's latency in the last run
  Pace pace_;
};

}  // namespace cvp::mpi
