// shared_counter: each task reads a shared counter, waits, then writes it plus one.
#include "workloads/shared_counter.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <new>
#include <system_error>

#include "params.hpp"
#include "workloads/io_sleep.hpp"

namespace cvp {

SharedCounter::SharedCounter(std::int64_t tasks, std::int64_t sleep_us, bool locked,
                             bool wait_between)
    : Workload({check_tasks(tasks), check_sleep_us(sleep_us), 0, 0}),
      locked_(locked),
      wait_between_(wait_between),
      bytes_(sizeof(Shared) + static_cast<std::size_t>(tasks) * sizeof(std::atomic<std::int64_t>)) {
  void* p = mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
  shared_ = new (p) Shared;
  read_ = reinterpret_cast<std::atomic<std::int64_t>*>(static_cast<char*>(p) + sizeof(Shared));
  for (std::int64_t i = 0; i < tasks; ++i) new (&read_[i]) std::atomic<std::int64_t>(0);
  pthread_mutexattr_t attr;
  pthread_mutexattr_init(&attr);
  pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
  const int rc = pthread_mutex_init(&shared_->mutex, &attr);
  pthread_mutexattr_destroy(&attr);
  if (rc != 0) {
    munmap(p, bytes_);
    throw std::system_error(rc, std::generic_category(), "pthread_mutex_init");
  }
}

SharedCounter::~SharedCounter() {
  pthread_mutex_destroy(&shared_->mutex);
  munmap(shared_, bytes_);
}

Digest SharedCounter::compute(int index) const {
  read_[index].store(shared_->counter.load(std::memory_order_relaxed), std::memory_order_relaxed);
  if (!wait_between_) write(index);
  return IoSleep::token(index);
}

void SharedCounter::after_wait(int index) const {
  if (wait_between_) write(index);
}

void SharedCounter::write(int index) const {
  shared_->counter.store(read_[index].load(std::memory_order_relaxed) + 1,
                         std::memory_order_relaxed);
}

void SharedCounter::lock() const {
  if (const int rc = pthread_mutex_lock(&shared_->mutex); rc != 0) {
    throw std::system_error(rc, std::generic_category(), "pthread_mutex_lock");
  }
}

void SharedCounter::unlock() const { pthread_mutex_unlock(&shared_->mutex); }

void SharedCounter::before_run() const { shared_->counter.store(0, std::memory_order_relaxed); }

std::optional<std::int64_t> SharedCounter::lost_updates() const {
  return tasks() - shared_->counter.load(std::memory_order_relaxed);
}

}  // namespace cvp
