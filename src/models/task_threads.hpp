// Joinable threads with a small stack, made with pthread_create so that a thread the machine
// cannot make is an errno (an error row), never an abort.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <string>
#include <vector>

namespace cvp {

// The stack of every thread a thread-per-task model makes. The default (8
// MiB, RLIMIT_STACK) reserves 80 GB of address space for 10 000 threads;
// a task here is a few frames deep (a hash into a heap buffer, a sleep), so
// 256 KiB leaves ample room (sanitizer builds included) and 10 000 threads
// reserve 2.5 GB, of which they touch a few pages each.
inline constexpr std::size_t kTaskThreadStackBytes = 256 * 1024;

// A group of threads, each running `body(arg)`; joined by join_all() or the
// destructor. Not thread-safe: one thread starts and joins them.
class TaskThreads {
 public:
  // `what` names the model in a failure: "thread_per_task".
  explicit TaskThreads(std::string what);
  ~TaskThreads();
  TaskThreads(const TaskThreads&) = delete;
  TaskThreads& operator=(const TaskThreads&) = delete;

  // Starts one more thread. Throws std::system_error with pthread_create's
  // errno ("thread_per_task: cannot create thread 3 of 10000: Resource
  // temporarily unavailable"); `of` is how many the caller means to make.
  void start(void* (*body)(void*), void* arg, std::size_t of);
  // Joins every thread started; the group is empty after.
  void join_all();
  std::size_t size() const { return threads_.size(); }

 private:
  std::string what_;
  pthread_attr_t attr_;
  std::vector<pthread_t> threads_;
};

}  // namespace cvp
