// event_loop_offload: tasks run on libuv's threadpool (uv_queue_work), results back on the loop.
#include "models/event_loop_offload.hpp"

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "models/blocking_task.hpp"
#include "models/loop_run.hpp"
#include "models/uv_check.hpp"
#include "params.hpp"
#include "thread_probe.hpp"
#include "timing.hpp"
#include "workloads/io_sleep.hpp"

namespace cvp {

int uv_threadpool_size() {
  // As libuv 1.44's init_threads(): atoi into an unsigned count, so "-1"
  // wraps to the cap, "abc" and "0" become 1, and the cap is 1024.
  static const int size = [] {
    const char* env = std::getenv("UV_THREADPOOL_SIZE");
    unsigned n = env != nullptr ? static_cast<unsigned>(std::atoi(env)) : 4;
    if (n == 0) n = 1;
    return static_cast<int>(std::min(n, 1024u));
  }();
  return size;
}

void check_uv_threadpool_size_env() {
  const char* env = std::getenv("UV_THREADPOOL_SIZE");
  if (env == nullptr) return;
  const std::string_view v(env);
  long long n = 0;
  const auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), n);
  if (v.empty() || ec != std::errc() || end != v.data() + v.size() || n < 1 || n > kMaxWorkers) {
    throw std::invalid_argument("UV_THREADPOOL_SIZE is '" + std::string(v) + "'; allowed: 1 to " +
                                std::to_string(kMaxWorkers) + " (libuv would start " +
                                std::to_string(uv_threadpool_size()) + " threads)");
  }
}

EventLoopOffloadModel::EventLoopOffloadModel() : Model(uv_threadpool_size()) {
  check_uv(uv_loop_init(&loop_), "uv_loop_init");
}

EventLoopOffloadModel::~EventLoopOffloadModel() {
  // Work requests are not handles: nothing to close, and none is pending
  // once run() has returned.
  if (int rc = uv_loop_close(&loop_); rc != 0) {
    std::fprintf(stderr, "event_loop_offload: uv_loop_close: %s\n", uv_strerror(rc));
  }
}

void EventLoopOffloadModel::ensure_tasks(int n) {
  while (static_cast<int>(tasks_.size()) < n) {
    Task& t = tasks_.emplace_back();
    t.req.data = &t;
  }
}

void EventLoopOffloadModel::work_cb(uv_work_t* req) {
  // On a pool thread: exceptions must not cross into libuv.
  Task& t = *static_cast<Task*>(req->data);
  try {
    t.run->out[static_cast<std::size_t>(t.index)] =
        run_task_blocking(*t.run->workload, t.index, *t.run->gauge);
  } catch (...) {
    t.error = std::current_exception();
  }
}

void EventLoopOffloadModel::after_work_cb(uv_work_t* req, int status) {
  Task& t = *static_cast<Task*>(req->data);
  LoopRun& run = *t.run;
  if (!run.error && t.error) run.error = t.error;
  if (!run.error && status != 0) {
    run.error = std::make_exception_ptr(
        std::runtime_error(std::string("event_loop_offload: task ") + std::to_string(t.index) +
                           ": " + uv_strerror(status)));
  }
  --run.remaining;
}

void ensure_uv_threadpool_can_start() {
  // libuv starts its pool once per process, at the first uv_queue_work, and
  // calls abort() when a thread of it cannot be made (init_threads in
  // threadpool.c): the threads are tried here first, once, so that a
  // process limit becomes an error row instead of a silent exit 134.
  static bool checked = false;
  if (checked) return;
  probe_threads(uv_threadpool_size(),
                "event_loop_offload: libuv's threadpool (UV_THREADPOOL_SIZE=" +
                    std::to_string(uv_threadpool_size()) + ")");
  checked = true;
}

void EventLoopOffloadModel::prepare(const Workload& w) {
  ensure_uv_threadpool_can_start();
  ensure_tasks(std::max(w.tasks(), workers()));
  // Start every pool thread before timing: a job per thread, each blocking
  // briefly so that no thread can take two.
  const IoSleep warmup(workers(), 2'000);
  std::vector<Digest> out(static_cast<std::size_t>(workers()));
  run(warmup, out);
}

RunReport EventLoopOffloadModel::run(const Workload& w, std::span<Digest> out) {
  ensure_tasks(w.tasks());
  InflightGauge gauge(w.tasks(), tracing());
  LoopRun run{&w, out, &gauge, w.tasks(), nullptr};
  bind_tasks(tasks_, run, w, [](Task& t) { t.error = nullptr; });
  for (int i = 0; i < w.tasks(); ++i) {
    Task& t = tasks_[static_cast<std::size_t>(i)];
    if (int rc = uv_queue_work(&loop_, &t.req, work_cb, after_work_cb); rc != 0) {
      // The requests already queued still complete: let them, then report.
      run.remaining -= w.tasks() - i;
      run.error = std::make_exception_ptr(
          std::runtime_error(std::string("uv_queue_work: ") + uv_strerror(rc)));
      break;
    }
  }
  finish_loop_run(run, uv_run(&loop_, UV_RUN_DEFAULT), name());
  return gauge.report();
}

}  // namespace cvp
