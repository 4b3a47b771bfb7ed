// The workload interface: what one task computes and what it waits on.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "sha256.hpp"
#include "workloads/task.hpp"

namespace cvp {

// What a workload asks of every task: CPU steps and the waits between them
// (resume). Models differ only in how they wait: a thread or a process blocks
// through a wait, an event loop starts it and moves on to other tasks.
struct WorkloadParams {
  int tasks = 1;
  std::int64_t sleep_us = 0;  // the wait after compute; 0 for none
  std::int64_t bytes = 0;     // message size hashed by compute; 0 for none
  int rounds = 0;             // chained hash rounds; 0 when bytes is 0
};

class Workload {
 public:
  explicit Workload(WorkloadParams params);
  virtual ~Workload() = default;

  virtual std::string_view name() const = 0;

  // The CPU phase of task `index`, run on the calling thread. Its result
  // depends on the index alone, so every model must reproduce the serial
  // digests exactly. Safe to call from several threads at once.
  virtual Digest compute(int index) const = 0;

  // Runs task `s.index` up to its next wait and returns that wait, or
  // TaskDone with the task's digest in s.digest. Every model calls it until
  // the task is done, waiting between calls in its own way. By default a
  // task is compute, then a sleep of wait(index) (none when it is zero),
  // then after_wait. Safe to call from several threads at once, each with
  // its own TaskState.
  virtual Wait resume(TaskState& s) const;

  // The default task's sleep after task `index`'s compute: sleep_us for
  // every task unless a workload says otherwise.
  virtual std::chrono::nanoseconds wait(int index) const;

  // After task `index`'s wait: the write of a read-wait-write task
  // (shared_counter). Nothing for the other workloads.
  virtual void after_wait(int index) const;

  // The connection task `index`'s exchanges use, opened before timing and
  // kept across runs; -1 when its waits need none (every workload but
  // net_rpc with kept connections). A loop model wraps it before timing.
  virtual int kept_fd(int) const { return -1; }

  // True when each task must hold a lock across its compute, wait and
  // after_wait: a blocking model takes a mutex, an event loop lets one task
  // at a time through (asyncio.Lock), so no update is lost.
  virtual bool exclusive() const { return false; }
  virtual void lock() const {}
  virtual void unlock() const {}

  // CPU seconds used so far by a process the workload talks to (net_rpc's
  // server), read before and after each run and kept out of the model's
  // parallelism; nullopt when there is none.
  virtual std::optional<double> server_cpu_seconds() const { return std::nullopt; }

  // True when a task is CPU work alone, with no wait of any kind: such a
  // workload is paired with a serial run (bench/paired_run.hpp). By
  // default, when its tasks sleep for no time; a workload of real IO says
  // false.
  virtual bool cpu_only() const { return longest_wait().count() == 0; }

  // Before a model is prepared for this workload (before timing): opens
  // what its tasks use across runs (net_rpc's kept connections), so that
  // workers forked in prepare() inherit it.
  virtual void open() const {}
  // After a failed run: lets go of what open() made, which the failed run
  // may have left half used (a kept connection with a reply on its way), so
  // that the next benchmark opens it afresh.
  virtual void release() const {}

  // Before each run: resets shared state (the counter). After a run: the
  // updates it lost, for the workloads that count them.
  virtual void before_run() const {}
  virtual std::optional<std::int64_t> lost_updates() const { return std::nullopt; }

  const WorkloadParams& params() const { return params_; }
  int tasks() const { return params_.tasks; }
  // sleep_us: the longest wait of any task.
  std::chrono::nanoseconds longest_wait() const {
    return std::chrono::microseconds(params_.sleep_us);
  }

 private:
  WorkloadParams params_;
};

// The serial model's digests for `w`: every task's compute phase, in index
// order, on the calling thread. The waits are skipped; they do not change a
// digest (a workload whose wait brings data back computes, in compute(), the
// digest of what a correct wait brings). This is the reference every
// model's run is checked against.
std::vector<Digest> reference_digests(const Workload& w);

// The index of the first task whose digest differs, or -1 when all match.
int first_mismatch(std::span<const Digest> got, std::span<const Digest> want);

}  // namespace cvp
