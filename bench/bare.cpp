// The bare primitives under the models, timed with none of the suite's code in the path.
#include "bare.hpp"

#include <fcntl.h>
#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>
#include <oneapi/tbb/task_arena.h>
#include <openssl/evp.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <semaphore>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "bare_checks.hpp"
#include "children.hpp"
#include "models/event_loop_offload.hpp"
#include "models/task_threads.hpp"
#include "models/worker_processes.hpp"
#include "timing.hpp"
#include "workloads/cpu_hash.hpp"

namespace cvp::bench {
namespace {

using bare_checks::fail;
using bare_checks::uv_ok;

// One thread's raw SHA-256: the loop `openssl speed -evp sha256` runs, with
// each digest started from a copied initialised context (EVP_DigestInit_ex
// takes a global lock per call in OpenSSL 3.0).
class RawHasher {
 public:
  RawHasher()
      : md_(EVP_MD_fetch(nullptr, "SHA256", nullptr)),
        tmpl_(EVP_MD_CTX_new()),
        ctx_(EVP_MD_CTX_new()) {
    if (md_ == nullptr || tmpl_ == nullptr || ctx_ == nullptr ||
        EVP_DigestInit_ex2(tmpl_, md_, nullptr) != 1) {
      throw std::runtime_error("bare SHA-256: OpenSSL set-up failed");
    }
  }
  ~RawHasher() {
    EVP_MD_CTX_free(ctx_);
    EVP_MD_CTX_free(tmpl_);
    EVP_MD_free(md_);
  }
  RawHasher(const RawHasher&) = delete;
  RawHasher& operator=(const RawHasher&) = delete;

  // Task `index`'s work: its message, hashed `rounds` times chained.
  void task(int index, const WorkloadParams& p) {
    if (p.bytes == 0) return;
    CpuHash::message(index, p.bytes, buf_);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    for (int r = 0; r < p.rounds; ++r) {
      if (r > 0) std::memcpy(buf_.data(), md, std::min<std::size_t>(buf_.size(), len));
      if (EVP_MD_CTX_copy_ex(ctx_, tmpl_) != 1 ||
          EVP_DigestUpdate(ctx_, buf_.data(), buf_.size()) != 1 ||
          EVP_DigestFinal_ex(ctx_, md, &len) != 1) {
        throw std::runtime_error("bare SHA-256 failed");
      }
    }
  }

 private:
  EVP_MD* md_;
  EVP_MD_CTX* tmpl_;
  EVP_MD_CTX* ctx_;
  std::vector<std::uint8_t> buf_;
};

void raw_sleep(std::int64_t us) {
  if (us <= 0) return;
  timespec t{};
  clock_gettime(CLOCK_MONOTONIC, &t);
  t.tv_sec += us / 1'000'000;
  t.tv_nsec += (us % 1'000'000) * 1000;
  if (t.tv_nsec >= 1'000'000'000) {
    t.tv_nsec -= 1'000'000'000;
    ++t.tv_sec;
  }
  while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, nullptr) == EINTR) {
  }
}

double loop(const WorkloadParams& p) {
  RawHasher h;
  const auto t0 = Clock::now();
  for (int i = 0; i < p.tasks; ++i) {
    h.task(i, p);
    raw_sleep(p.sleep_us);
  }
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

struct TimerRun {
  uv_loop_t loop;
  std::vector<uv_timer_t> timers;
  std::vector<std::uint64_t> started;
  const WorkloadParams* p;
  RawHasher hasher;
  bool chain;
  bool never_early;
  int next = 0;
};

void arm(TimerRun& r, int i, std::uint64_t wait_ns);

void timer_cb(uv_timer_t* t) {
  auto& r = *static_cast<TimerRun*>(t->data);
  const int i = static_cast<int>(t - r.timers.data());
  const std::uint64_t want = static_cast<std::uint64_t>(r.p->sleep_us) * 1000;
  const std::uint64_t waited = uv_hrtime() - r.started[static_cast<std::size_t>(i)];
  if (r.never_early && waited < want) {
    uv_update_time(&r.loop);
    uv_ok(uv_timer_start(t, timer_cb, (want - waited + 999'999) / 1'000'000, 0), "uv_timer_start");
    return;
  }
  if (r.chain && r.next < r.p->tasks) arm(r, r.next++, want);
}

void arm(TimerRun& r, int i, std::uint64_t wait_ns) {
  r.hasher.task(i, *r.p);
  r.started[static_cast<std::size_t>(i)] = uv_hrtime();
  uv_update_time(&r.loop);
  uv_ok(uv_timer_start(&r.timers[static_cast<std::size_t>(i)], timer_cb,
                       (wait_ns + 999'999) / 1'000'000, 0),
        "uv_timer_start");
}

double uv_timers(const WorkloadParams& p, bool chain, bool never_early) {
  TimerRun r{{},
             std::vector<uv_timer_t>(static_cast<std::size_t>(p.tasks)),
             std::vector<std::uint64_t>(static_cast<std::size_t>(p.tasks)),
             &p,
             {},
             chain,
             never_early};
  uv_ok(uv_loop_init(&r.loop), "uv_loop_init");
  for (uv_timer_t& t : r.timers) {
    uv_ok(uv_timer_init(&r.loop, &t), "uv_timer_init");
    t.data = &r;
  }
  const std::uint64_t want = static_cast<std::uint64_t>(p.sleep_us) * 1000;
  const auto t0 = Clock::now();
  if (chain) {
    r.next = 1;
    arm(r, 0, want);
  } else {
    for (int i = 0; i < p.tasks; ++i) arm(r, i, want);
  }
  uv_run(&r.loop, UV_RUN_DEFAULT);
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  for (uv_timer_t& t : r.timers) uv_close(reinterpret_cast<uv_handle_t*>(&t), nullptr);
  uv_run(&r.loop, UV_RUN_DEFAULT);
  uv_ok(uv_loop_close(&r.loop), "uv_loop_close");
  return s;
}

// The threads of the bare runs: pthreads with the thread-per-task models'
// stack (task_threads.hpp), so a bare thread costs what a model's thread
// costs to make (with the default 8 MiB stacks, 10 000 bare threads took
// 2.4 s where the model's took 1.6 s: a floor above the model).
struct SharedTasks {
  const WorkloadParams* p;
  std::atomic<int> next{0};
};

void* take_tasks(void* arg) {
  auto& work = *static_cast<SharedTasks*>(arg);
  // No OpenSSL set-up (EVP_MD_fetch takes a lock) where nothing is hashed:
  // 10 000 threads waiting on it made the floor of 10 000 waits.
  std::optional<RawHasher> h;
  if (work.p->bytes > 0) h.emplace();
  for (int i = work.next++; i < work.p->tasks; i = work.next++) {
    if (h) h->task(i, *work.p);
    raw_sleep(work.p->sleep_us);
  }
  return nullptr;
}

double threads(const WorkloadParams& p, int workers) {
  SharedTasks work{&p};
  const auto t0 = Clock::now();
  TaskThreads pool("bare threads");
  try {
    for (int k = 0; k < workers; ++k)
      pool.start(take_tasks, &work, static_cast<std::size_t>(workers));
  } catch (const std::system_error&) {
    // The ones made must end and be joined before the error leaves.
    work.next = p.tasks;
    pool.join_all();
    throw;
  }
  pool.join_all();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// N threads made before the clock starts (threads_n's own shape), each
// blocked on a semaphore of its own. An untimed first round wakes every
// thread once with no task, as the model's threads have run before a timed
// run (fresh threads' first wake took 1.5x the model's whole run at 10 000);
// the second is timed from the first release until every thread has done
// its task. Creation and join are outside the time, as the model's are. A
// semaphore each, not one latch for all: 10 000 threads woken by one futex
// took twice the model's time.
struct MadeThread {
  struct MadeTasks* work;
  int index;
  std::binary_semaphore go{0};
};

struct MadeTasks {
  const WorkloadParams* p;
  std::atomic<int> remaining;
  std::binary_semaphore done{0};
  bool abandon = false;  // set before release when not every thread could be made

  void finished_one() {
    if (remaining.fetch_sub(1, std::memory_order_acq_rel) == 1) done.release();
  }
};

void* one_task_after_release(void* arg) {
  auto& me = *static_cast<MadeThread*>(arg);
  MadeTasks& work = *me.work;
  std::optional<RawHasher> h;  // made before the release, as the model's threads are
  if (work.p->bytes > 0) h.emplace();
  me.go.acquire();  // the warm-up round
  if (work.abandon) return nullptr;
  work.finished_one();
  me.go.acquire();
  if (h) h->task(me.index, *work.p);
  raw_sleep(work.p->sleep_us);
  work.finished_one();
  return nullptr;
}

double release_all(MadeTasks& work, std::vector<std::unique_ptr<MadeThread>>& made) {
  work.remaining.store(work.p->tasks, std::memory_order_relaxed);
  const auto t0 = Clock::now();
  for (auto& t : made) t->go.release();
  work.done.acquire();
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

double threads_made(const WorkloadParams& p) {
  MadeTasks work{.p = &p, .remaining{p.tasks}};
  std::vector<std::unique_ptr<MadeThread>> made;
  made.reserve(static_cast<std::size_t>(p.tasks));
  TaskThreads pool("bare threads made before timing");
  try {
    for (int i = 0; i < p.tasks; ++i) {
      made.push_back(std::make_unique<MadeThread>(&work, i));
      pool.start(one_task_after_release, made.back().get(), static_cast<std::size_t>(p.tasks));
    }
  } catch (const std::system_error&) {
    work.abandon = true;
    for (auto& t : made) t->go.release();
    pool.join_all();
    throw;
  }
  release_all(work, made);  // warm-up
  const double s = release_all(work, made);
  pool.join_all();
  return s;
}

// The bare children's wait: the process models' own rule (10 s plus four
// times a chunk's waits without progress), so a stopped child fails the
// benchmark in bounded time instead of hanging the harness.
std::chrono::milliseconds bare_timeout(const WorkloadParams& p, int chunk) {
  return std::chrono::seconds(10) + 4 * chunk * std::chrono::milliseconds(p.sleep_us / 1000 + 1);
}

// The shared mapping: the next chunk to take, then one count of tasks done
// per child, so a stalled child is told from the others by its own count.
struct SharedCounts {
  explicit SharedCounts(int workers)
      : bytes((1 + static_cast<std::size_t>(workers)) * sizeof(std::atomic<int>)) {
    void* m = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) fail("mmap");
    counts = static_cast<std::atomic<int>*>(m);
    for (int k = 0; k <= workers; ++k) new (counts + k) std::atomic<int>(0);
  }
  ~SharedCounts() { munmap(counts, bytes); }
  SharedCounts(const SharedCounts&) = delete;
  SharedCounts& operator=(const SharedCounts&) = delete;
  std::atomic<int>& next() { return counts[0]; }
  std::atomic<int>& done(std::size_t k) { return counts[k + 1]; }

  std::size_t bytes;
  std::atomic<int>* counts = nullptr;
};

[[noreturn]] void bare_child(SharedCounts& shared, std::size_t k, const WorkloadParams& p,
                             int chunk) {
  try {
    RawHasher h;
    for (int b = shared.next().fetch_add(chunk); b < p.tasks; b = shared.next().fetch_add(chunk)) {
      for (int i = b; i < std::min(b + chunk, p.tasks); ++i) {
        h.task(i, p);
        raw_sleep(p.sleep_us);
        shared.done(k).fetch_add(1);
      }
    }
  } catch (...) {
    _exit(70);
  }
  _exit(0);
}

double processes(const WorkloadParams& p, int workers) {
  SharedCounts shared(workers);
  // The same chunks as the process models: the rule, not their code.
  const int chunk = workers::chunk_size(p.tasks, workers);
  const auto t0 = Clock::now();
  std::vector<pid_t> pids;
  std::vector<children::Ended> ended;
  try {
    for (int k = 0; k < workers; ++k) {
      const pid_t pid = children::fork_owned();
      if (pid == 0) bare_child(shared, static_cast<std::size_t>(k), p, chunk);
      pids.push_back(pid);
    }
    // Each child's own count: one that stops is found within the deadline
    // whatever the others do (a count over all of them kept moving while
    // the others worked, and a stopped child was found only after them).
    ended = children::wait_each(pids, bare_timeout(p, chunk),
                                [&](std::size_t k) { return shared.done(k).load(); });
  } catch (...) {
    // A fork failed: the children made so far must not outlive the run.
    for (pid_t pid : pids) ::kill(pid, SIGKILL);
    children::wait_all(pids, std::chrono::seconds(10), [] { return 0; });
    throw;
  }
  const double s = std::chrono::duration<double>(Clock::now() - t0).count();
  const std::string why = children::failures(ended, bare_timeout(p, chunk));
  if (!why.empty()) throw std::runtime_error("bare processes: child " + why);
  return s;
}

}  // namespace

double bare_run_seconds(Primitive primitive, CapacityRule concurrency, const WorkloadParams& params,
                        int workers, bool never_early) {
  switch (primitive) {
    case Primitive::kLoop:
      return loop(params);
    case Primitive::kUvTimers:
      return uv_timers(params, concurrency == CapacityRule::kOne, never_early);
    case Primitive::kOsThreads:
      // A model that holds every task at once (a thread per task) stands on N threads.
      return threads(params, concurrency == CapacityRule::kTasks ? params.tasks : workers);
    case Primitive::kOsThreadsMade:
      return threads_made(params);
    case Primitive::kForked:
      return processes(params, std::min(workers, params.tasks));
    case Primitive::kNone:
      break;
  }
  throw std::invalid_argument("no bare primitive is measured for this model");
}

}  // namespace cvp::bench
