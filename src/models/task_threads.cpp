// Joinable threads with a small stack, made with pthread_create so that a thread the machine
// cannot make is an errno (an error row), never an abort.
#include "models/task_threads.hpp"

#include <cstdio>
#include <cstring>
#include <system_error>

namespace cvp {

TaskThreads::TaskThreads(std::string what) : what_(std::move(what)) {
  if (int rc = pthread_attr_init(&attr_); rc != 0) {
    throw std::system_error(rc, std::generic_category(), what_ + ": pthread_attr_init");
  }
  if (int rc = pthread_attr_setstacksize(&attr_, kTaskThreadStackBytes); rc != 0) {
    pthread_attr_destroy(&attr_);
    throw std::system_error(rc, std::generic_category(), what_ + ": pthread_attr_setstacksize");
  }
}

TaskThreads::~TaskThreads() {
  join_all();
  pthread_attr_destroy(&attr_);
}

void TaskThreads::start(void* (*body)(void*), void* arg, std::size_t of) {
  if (threads_.capacity() < of) threads_.reserve(of);
  pthread_t t{};
  if (int rc = pthread_create(&t, &attr_, body, arg); rc != 0) {
    throw std::system_error(rc, std::generic_category(),
                            what_ + ": cannot create thread " + std::to_string(size() + 1) +
                                " of " + std::to_string(of));
  }
  threads_.push_back(t);
}

void TaskThreads::join_all() {
  for (pthread_t t : threads_) {
    // Only a bad handle fails here, which would be a bug in this class:
    // said, never thrown (the destructor calls this).
    if (int rc = pthread_join(t, nullptr); rc != 0) {
      std::fprintf(stderr, "%s: pthread_join: %s\n", what_.c_str(), std::strerror(rc));
    }
  }
  threads_.clear();
}

}  // namespace cvp
