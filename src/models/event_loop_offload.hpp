// event_loop_offload: tasks run on libuv's threadpool (uv_queue_work), results back on the loop.
#pragma once

#include <uv.h>

#include <deque>
#include <exception>

#include "models/loop_run.hpp"
#include "models/model.hpp"

namespace cvp {

// loop.run_in_executor: the loop hands every task to libuv's threadpool with
// uv_queue_work; a pool thread computes and blocks through the wait, and the
// result comes back to the loop thread in after_work_cb. The pool has
// UV_THREADPOOL_SIZE threads (default 4), fixed when libuv first uses it, so
// its size is this model's worker count and is changed per process.
class EventLoopOffloadModel final : public Model {
 public:
  EventLoopOffloadModel();
  ~EventLoopOffloadModel() override;

  std::string_view name() const override { return "event_loop_offload"; }
  void prepare(const Workload& w) override;
  RunReport run(const Workload& w, std::span<Digest> out) override;

 private:
  struct Task {
    uv_work_t req;
    LoopRun* run = nullptr;
    int index = 0;
    std::exception_ptr error;  // set on the pool thread, read on the loop thread
  };

  static void work_cb(uv_work_t* req);
  static void after_work_cb(uv_work_t* req, int status);
  void ensure_tasks(int n);

  uv_loop_t loop_;
  std::deque<Task> tasks_;
};

// libuv's threadpool size for this process: UV_THREADPOOL_SIZE, read the way
// libuv 1.44 reads it (default 4; atoi, so "-1" wraps to the cap; 0 and
// garbage become 1; at most 1024).
int uv_threadpool_size();

// Throws std::invalid_argument when UV_THREADPOOL_SIZE is set but is not a
// whole number from 1 to kMaxWorkers: libuv would read it silently as
// something else.
void check_uv_threadpool_size_env();

// Throws std::system_error once per process, before libuv's threadpool is
// first used, when its threads cannot all be made (libuv would abort).
void ensure_uv_threadpool_can_start();

}  // namespace cvp
