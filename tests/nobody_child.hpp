// Runs a piece of a test as nobody with a low RLIMIT_NPROC, in a child, for the tests of what
// happens when a thread cannot be made.
#pragma once

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <string>

namespace cvp::testing {

// Forks a child that becomes nobody (RLIMIT_NPROC binds only a user other
// than root, so the caller skips unless root) with RLIMIT_NPROC at `nproc`
// threads, runs `body` there and returns what it returned, as the child
// wrote it over a pipe. A child that could not become nobody, or did not
// exit 0, is a test failure.
inline std::string said_by_nobody_child(rlim_t nproc, const std::function<std::string()>& body) {
  int fds[2];
  if (::pipe(fds) != 0) {
    ADD_FAILURE() << "pipe: " << std::strerror(errno);
    return "";
  }
  const pid_t pid = ::fork();
  if (pid < 0) {
    ADD_FAILURE() << "fork: " << std::strerror(errno);
    ::close(fds[0]);
    ::close(fds[1]);
    return "";
  }
  if (pid == 0) {
    ::close(fds[0]);
    const rlimit limit{nproc, nproc};
    if (::setgid(65534) != 0 || ::setuid(65534) != 0 || ::setrlimit(RLIMIT_NPROC, &limit) != 0) {
      ::_exit(2);
    }
    const std::string said = body();
    if (::write(fds[1], said.data(), said.size()) < 0) ::_exit(3);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string said;
  char buf[256];
  for (ssize_t n = 0; (n = ::read(fds[0], buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) break;
    said.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  int status = 0;
  EXPECT_EQ(::waitpid(pid, &status, 0), pid);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
      << "the child ended with status " << status << " (2: it could not become nobody)";
  return said;
}

}  // namespace cvp::testing
