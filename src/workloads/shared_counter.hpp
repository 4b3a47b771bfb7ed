// shared_counter: each task reads a shared counter, waits, then writes it plus one.
#pragma once

#include <pthread.h>

#include <atomic>
#include <cstdint>

#include "workloads/workload.hpp"

namespace cvp {

// The race the claim "concurrency on one thread avoids race conditions" is
// about. Task i reads the counter, waits sleep_us (with `wait_between`; else
// it writes at once and waits after), then writes what it read plus one. Two
// tasks whose read-write windows overlap lose an update. The loads and
// stores are relaxed atomics, not read-modify-writes: the program stays
// defined and the lost updates still show. With `locked`, each task holds a
// process-shared mutex (threads, processes) or the loop's turn (event
// loops) across the whole task. The counter lives in shared memory, so
// forked workers update the parent's.
class SharedCounter final : public Workload {
 public:
  SharedCounter(std::int64_t tasks, std::int64_t sleep_us, bool locked, bool wait_between);
  ~SharedCounter() override;
  SharedCounter(const SharedCounter&) = delete;
  SharedCounter& operator=(const SharedCounter&) = delete;

  std::string_view name() const override { return "shared_counter"; }
  Digest compute(int index) const override;   // the read (and the write, without wait_between)
  void after_wait(int index) const override;  // the write, with wait_between

  bool exclusive() const override { return locked_; }
  void lock() const override;
  void unlock() const override;

  void before_run() const override;
  std::optional<std::int64_t> lost_updates() const override;

 private:
  struct Shared {
    std::atomic<std::int64_t> counter{0};
    pthread_mutex_t mutex;
  };
  void write(int index) const;

  bool locked_;
  bool wait_between_;
  std::size_t bytes_;
  Shared* shared_;
  std::atomic<std::int64_t>* read_;  // the value each task read, after the counter
};

}  // namespace cvp
