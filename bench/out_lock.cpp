// One writer per --out at a time: an flock on `<out>.lock` holding the writer's pid.
#include "out_lock.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

namespace cvp::bench {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

int open_lock(const fs::path& path) {
  int fd = -1;
  do {
    fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  } while (fd < 0 && errno == EINTR);
  if (fd < 0 && errno == ELOOP) {
    throw std::invalid_argument(path.string() + " is a symbolic link, which is never followed; " +
                                "remove it");
  }
  if (fd < 0) throw_errno(errno, "open " + path.string());
  struct stat st {};
  if (::fstat(fd, &st) != 0) {
    const int err = errno;
    ::close(fd);
    throw_errno(err, "fstat " + path.string());
  }
  if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
    ::close(fd);
    throw std::invalid_argument(path.string() +
                                " is not a plain file with one link; remove it (nothing was run)");
  }
  return fd;
}

// The holder's pid. It writes it right after taking the lock: a file still
// empty is read again for a moment.
std::string holder_pid(int fd) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    char buf[32] = {};
    ssize_t n = -1;
    do {
      n = ::pread(fd, buf, sizeof buf - 1, 0);
    } while (n < 0 && errno == EINTR);
    std::string text(buf, n > 0 ? static_cast<std::size_t>(n) : 0);
    if (const std::size_t nl = text.find('\n'); nl != std::string::npos && nl > 0) {
      text.resize(nl);
      bool digits = true;
      for (char c : text) digits = digits && std::isdigit(static_cast<unsigned char>(c)) != 0;
      return digits ? text : "unknown";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return "unknown";
}

bool names_inode(const fs::path& path, int fd) {
  struct stat by_path {
  }, by_fd{};
  return ::stat(path.c_str(), &by_path) == 0 && ::fstat(fd, &by_fd) == 0 &&
         by_path.st_dev == by_fd.st_dev && by_path.st_ino == by_fd.st_ino;
}

void write_pid(int fd, const fs::path& path) {
  if (::ftruncate(fd, 0) != 0) throw_errno(errno, "ftruncate " + path.string());
  const std::string text = std::to_string(::getpid()) + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n =
        ::pwrite(fd, text.data() + done, text.size() - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(errno, "write " + path.string());
    done += static_cast<std::size_t>(n);
  }
}

}  // namespace

OutLock::OutLock(const fs::path& out) : path_(out.string() + ".lock") {
  if (out.has_parent_path()) fs::create_directories(out.parent_path());
  // Bounded: each retry means a holder released the lock meanwhile.
  for (int attempt = 0; attempt < 10; ++attempt) {
    const int fd = open_lock(path_);
    int rc = 0;
    while ((rc = ::flock(fd, LOCK_EX | LOCK_NB)) != 0 && errno == EINTR) {
    }
    if (rc != 0) {
      const int err = errno;
      const std::string pid = err == EWOULDBLOCK ? holder_pid(fd) : "";
      ::close(fd);
      if (err != EWOULDBLOCK) throw_errno(err, "flock " + path_.string());
      throw std::invalid_argument(out.string() + " is being written by another run (pid " + pid +
                                  "); nothing was run");
    }
    if (!names_inode(path_, fd)) {
      ::close(fd);  // the holder unlinked it after we opened it: take the new one
      continue;
    }
    try {
      write_pid(fd, path_);
    } catch (...) {
      ::close(fd);
      throw;
    }
    fd_ = fd;
    return;
  }
  throw std::runtime_error(path_.string() + " was replaced 10 times while being locked; nothing " +
                           "was run");
}

OutLock::~OutLock() {
  // Unlinked while still locked, so a run waiting on this inode sees it gone
  // and opens a new one; only if it is still ours.
  if (names_inode(path_, fd_)) ::unlink(path_.c_str());
  ::close(fd_);
}

}  // namespace cvp::bench
