// One writer per --out at a time: an flock on `<out>.lock` holding the writer's pid.
#pragma once

#include <filesystem>

namespace cvp::bench {

// Taken after the command line is checked and before anything runs; held
// until the result is published or kept as .failed. Creates the out's
// folder when it is missing (the lock file lives beside the result).
// The protocol, shared with the Python harness and compare.py:
//  - `<out>.lock` opened O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC, 0644; it must
//    be a regular file with one link, or the run is refused;
//  - flock(LOCK_EX|LOCK_NB); when another run holds it, its pid is read
//    from the file and the run is refused;
//  - the path must still name the locked inode (the holder unlinks it when
//    done), else the open is retried;
//  - the file then holds "PID\n"; on release the path is unlinked while
//    still locked, then closed. A run that dies leaves the file unlocked:
//    the next run takes it over.
class OutLock {
 public:
  // Throws std::invalid_argument (exit 2) with one line when another run
  // holds the lock ("OUT is being written by another run (pid PID); nothing
  // was run") or the lock path is not a plain file; std::system_error when
  // a call fails.
  explicit OutLock(const std::filesystem::path& out);
  ~OutLock();
  OutLock(const OutLock&) = delete;
  OutLock& operator=(const OutLock&) = delete;

  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
};

}  // namespace cvp::bench
