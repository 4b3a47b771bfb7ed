// Finding out before a library does that a thread cannot be made: libuv aborts and oneTBB
// ends the process when pthread_create fails.
#include "thread_probe.hpp"

#include <pthread.h>

#include <condition_variable>
#include <mutex>
#include <system_error>
#include <vector>

namespace cvp {
namespace {

// The probe threads wait here until all were made (or one failed), so
// they count against the limit at the same time, as a pool's threads do.
struct Gate {
  std::mutex mutex;
  std::condition_variable cv;
  bool open = false;
};

void* wait_at_gate(void* arg) {
  Gate& gate = *static_cast<Gate*>(arg);
  std::unique_lock lock(gate.mutex);
  gate.cv.wait(lock, [&gate] { return gate.open; });
  return nullptr;
}

}  // namespace

void probe_threads(int n, const std::string& what) {
  Gate gate;
  std::vector<pthread_t> made;
  int failed = 0;
  for (int k = 0; k < n && failed == 0; ++k) {
    pthread_t t{};
    failed = ::pthread_create(&t, nullptr, wait_at_gate, &gate);
    if (failed == 0) made.push_back(t);
  }
  {
    std::lock_guard lock(gate.mutex);
    gate.open = true;
  }
  gate.cv.notify_all();
  for (pthread_t t : made) ::pthread_join(t, nullptr);
  if (failed != 0) {
    throw std::system_error(failed, std::generic_category(),
                            what + ": cannot create thread " + std::to_string(made.size() + 1) +
                                " of " + std::to_string(n));
  }
}

}  // namespace cvp
