// Tests for src/thread_probe.cpp: a thread that cannot be made is an exception with its errno.
#include "thread_probe.hpp"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <system_error>

namespace cvp {
namespace {

TEST(ThreadProbe, PassesWhenTheThreadsCanBeMade) { EXPECT_NO_THROW(probe_threads(8, "pool")); }

TEST(ThreadProbe, NamesTheThreadThatCouldNotBeMadeAndTheErrno) {
  // RLIMIT_NPROC binds only a user other than root: a child becomes nobody.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const rlimit one{1, 1};  // this process itself: no thread more
    if (::setgid(65534) != 0 || ::setuid(65534) != 0 || ::setrlimit(RLIMIT_NPROC, &one) != 0) {
      ::_exit(2);
    }
    std::string said = "no exception";
    try {
      probe_threads(4, "pool");
    } catch (const std::system_error& e) {
      said = e.what();
    }
    if (::write(fds[1], said.data(), said.size()) < 0) ::_exit(3);
    ::_exit(0);
  }
  ::close(fds[1]);
  char buf[256] = {};
  const ssize_t n = ::read(fds[0], buf, sizeof buf - 1);
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  EXPECT_EQ(std::string(buf, n > 0 ? static_cast<std::size_t>(n) : 0),
            std::string("pool: cannot create thread 1 of 4: ") + std::strerror(EAGAIN));
}

}  // namespace
}  // namespace cvp
