// Tests for src/thread_probe.cpp: a thread that cannot be made is an exception with its errno.
#include "thread_probe.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstring>
#include <string>
#include <system_error>

#include "nobody_child.hpp"

namespace cvp {
namespace {

TEST(ThreadProbe, PassesWhenTheThreadsCanBeMade) { EXPECT_NO_THROW(probe_threads(8, "pool")); }

TEST(ThreadProbe, NamesTheThreadThatCouldNotBeMadeAndTheErrno) {
  // RLIMIT_NPROC binds only a user other than root: a child becomes nobody.
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  // 1: this process itself, no thread more.
  const std::string said = testing::said_by_nobody_child(1, [] {
    std::string what = "no exception";
    try {
      probe_threads(4, "pool");
    } catch (const std::system_error& e) {
      what = e.what();
    }
    return what;
  });
  EXPECT_EQ(said, std::string("pool: cannot create thread 1 of 4: ") + std::strerror(EAGAIN));
}

}  // namespace
}  // namespace cvp
