// threads_n: a pool of N threads made before timing, each running one task per run.
#include "models/threads_n.hpp"

#include <atomic>
#include <exception>
#include <mutex>
#include <semaphore>
#include <vector>

#include "models/blocking_task.hpp"
#include "models/task_threads.hpp"

namespace cvp {

// The threads and what a run hands them. The fields of a run are written
// before the workers' semaphores are released and read after the done
// semaphore is acquired: the semaphores order them, no lock is needed.
struct ThreadsNModel::Pool {
  struct Worker {
    Pool* pool;
    int index;
    // One semaphore per thread, not one condition variable for all: a run
    // wakes each thread once, instead of N threads racing for one mutex.
    std::binary_semaphore go{0};
  };

  Pool() : threads("threads_n") {}
  ~Pool() {
    stopping = true;
    for (std::size_t k = 0; k < threads.size(); ++k) workers[k]->go.release();
    threads.join_all();
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;

  // Makes n threads; throws std::system_error (with pthread_create's errno)
  // when one cannot be made: the destructor then ends the ones made.
  void grow(int n) {
    const auto count = static_cast<std::size_t>(n);
    workers.reserve(count);
    for (std::size_t k = 0; k < count; ++k) {
      workers.push_back(std::make_unique<Worker>(this, static_cast<int>(k)));
      threads.start(thread_main, workers.back().get(), count);
    }
  }
  int size() const { return static_cast<int>(workers.size()); }

  static void* thread_main(void* arg) {
    Worker& me = *static_cast<Worker*>(arg);
    Pool& p = *me.pool;
    for (;;) {
      me.go.acquire();
      if (p.stopping) return nullptr;
      try {
        p.out[static_cast<std::size_t>(me.index)] = run_task_blocking(*p.w, me.index, *p.gauge);
      } catch (...) {
        std::lock_guard lock(p.error_mutex);
        if (!p.error) p.error = std::current_exception();
      }
      if (p.remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) p.done.release();
    }
  }

  RunReport run(const Workload& workload, std::span<Digest> digests, bool tracing) {
    InflightGauge g(workload.tasks(), tracing);
    w = &workload;
    out = digests;
    gauge = &g;
    error = nullptr;
    remaining.store(size(), std::memory_order_relaxed);
    for (auto& worker : workers) worker->go.release();
    done.acquire();
    if (error) std::rethrow_exception(error);
    return g.report();
  }

  std::vector<std::unique_ptr<Worker>> workers;
  TaskThreads threads;  // joined by ~Pool, before the workers go
  bool stopping = false;
  const Workload* w = nullptr;
  std::span<Digest> out;
  InflightGauge* gauge = nullptr;
  std::atomic<int> remaining{0};
  std::binary_semaphore done{0};
  std::mutex error_mutex;
  std::exception_ptr error;
};

ThreadsNModel::ThreadsNModel() : Model(1) {}

ThreadsNModel::~ThreadsNModel() = default;

void ThreadsNModel::prepare(const Workload& w) {
  if (pool_ && pool_->size() == w.tasks()) return;
  pool_.reset();
  auto pool = std::make_unique<Pool>();
  pool->grow(w.tasks());  // a throw ends the threads made so far in ~Pool
  pool_ = std::move(pool);
}

RunReport ThreadsNModel::run(const Workload& w, std::span<Digest> out) {
  prepare(w);
  return pool_->run(w, out, tracing());
}

}  // namespace cvp
