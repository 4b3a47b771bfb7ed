// Tests for src/children.cpp: children die with their parent, are killed on a fatal signal, and
// a stalled one is killed within the deadline.
#include "children.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <string>
#include <thread>

namespace cvp::children {
namespace {

using namespace std::chrono_literals;

// Gone, or a zombie nobody reaps yet (a container's pid 1 may not).
bool ended(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');
  return text.empty() || (paren != std::string::npos && text[paren + 2] == 'Z');
}

bool ends_within(pid_t pid, std::chrono::seconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!ended(pid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(10ms);
  }
  return true;
}

pid_t read_pid(int fd) {
  pid_t pid = 0;
  EXPECT_EQ(::read(fd, &pid, sizeof pid), static_cast<ssize_t>(sizeof pid));
  return pid;
}

TEST(Children, AChildDiesWithItsParent) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t parent = fork_owned();
  if (parent == 0) {
    const pid_t grandchild = fork_owned();
    if (grandchild == 0) {
      ::pause();
      ::_exit(0);
    }
    if (::write(fds[1], &grandchild, sizeof grandchild) != sizeof grandchild) ::_exit(1);
    ::_exit(0);  // no kill, no wait: only the parent-death signal ends the grandchild
  }
  const pid_t grandchild = read_pid(fds[0]);
  ::close(fds[0]);
  ::close(fds[1]);
  const std::vector<Ended> done = wait_all(std::vector<pid_t>{parent}, 10s, [] { return 0; });
  ASSERT_GT(grandchild, 0);
  EXPECT_TRUE(ends_within(grandchild, std::chrono::seconds(10))) << "pid " << grandchild;
  EXPECT_EQ(failures(done, 10s), "");
}

TEST(Children, AStoppedChildIsKilledAfterTheTimeoutAndSaidToBeStopped) {
  const pid_t pid = fork_owned();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  ASSERT_EQ(::kill(pid, SIGSTOP), 0);
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<Ended> done = wait_all(std::vector<pid_t>{pid}, 300ms, [] { return 0; });
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 30s);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_TRUE(done[0].stalled);
  EXPECT_EQ(failures(done, 300ms), "pid " + std::to_string(pid) +
                                       " made no progress within 0.3 s (it was stopped); killed");
  EXPECT_TRUE(registered().empty());
  EXPECT_TRUE(ended(pid));
}

TEST(Children, ProgressKeepsASlowChildAlive) {
  const pid_t pid = fork_owned();
  if (pid == 0) {
    ::usleep(600'000);
    ::_exit(3);
  }
  std::int64_t ticks = 0;
  const std::vector<Ended> done =
      wait_all(std::vector<pid_t>{pid}, 100ms, [&ticks] { return ++ticks; });
  ASSERT_EQ(done.size(), 1u);
  EXPECT_FALSE(done[0].stalled);
  EXPECT_EQ(done[0].failure(100ms), "pid " + std::to_string(pid) + " exited with status 3");
}

TEST(Children, AStoppedChildIsFoundWhileAnotherKeepsWorking) {
  // With one count over all children, the busy one's progress hid the
  // stopped one until the busy one had finished all its work.
  void* m = mmap(nullptr, sizeof(std::atomic<int>), PROT_READ | PROT_WRITE,
                 MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  ASSERT_NE(m, MAP_FAILED);
  auto* count = new (m) std::atomic<int>(0);
  const pid_t stopped = fork_owned();
  if (stopped == 0) {
    ::raise(SIGSTOP);
    ::_exit(0);
  }
  const pid_t busy = fork_owned();
  if (busy == 0) {
    for (int i = 0; i < 12'000; ++i) {  // two minutes of progress
      count->fetch_add(1);
      ::usleep(10'000);
    }
    ::_exit(0);
  }
  const auto t0 = std::chrono::steady_clock::now();
  const std::vector<Ended> done =
      wait_each(std::vector<pid_t>{stopped, busy}, 1s,
                [&](std::size_t i) { return i == 1 ? count->load() : 0; });
  EXPECT_LT(std::chrono::steady_clock::now() - t0, 60s);  // not the busy child's two minutes
  ASSERT_EQ(done.size(), 2u);
  EXPECT_TRUE(done[0].stalled);
  EXPECT_EQ(done[0].state_seen, 'T');
  EXPECT_TRUE(done[1].cancelled);
  EXPECT_FALSE(done[1].stalled);
  EXPECT_EQ(failures(done, 1s), "pid " + std::to_string(stopped) +
                                    " made no progress within 1.0 s (it was stopped); killed");
  EXPECT_TRUE(registered().empty());
  munmap(m, sizeof(std::atomic<int>));
}

TEST(Children, AKilledChildIsNamedWithItsSignal) {
  const pid_t pid = fork_owned();
  if (pid == 0) {
    ::pause();
    ::_exit(0);
  }
  ASSERT_EQ(::kill(pid, SIGKILL), 0);
  const std::vector<Ended> done = wait_all(std::vector<pid_t>{pid}, 10s, [] { return 0; });
  EXPECT_EQ(failures(done, 10s), "pid " + std::to_string(pid) + " was killed by signal 9 (Killed)");
}

TEST(Children, SigtermKillsAndReapsEveryChildThenEndsByTheSignal) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t harness = ::fork();
  ASSERT_GE(harness, 0);
  if (harness == 0) {
    install_exit_handlers();
    for (int k = 0; k < 2; ++k) {
      const pid_t pid = fork_owned();
      if (pid == 0) {
        ::signal(SIGTERM, SIG_IGN);  // only the harness's SIGKILL can end it
        ::pause();
        ::_exit(0);
      }
      if (::write(fds[1], &pid, sizeof pid) != sizeof pid) ::_exit(1);
    }
    for (;;) ::pause();
  }
  const pid_t a = read_pid(fds[0]), b = read_pid(fds[0]);
  ::close(fds[0]);
  ::close(fds[1]);
  ASSERT_EQ(::kill(b, SIGSTOP), 0);  // a stopped child is killed too
  ASSERT_EQ(::kill(harness, SIGTERM), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(harness, &status, 0), harness);
  ASSERT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGTERM);
  // Reaped by the harness before it ended: not even a zombie remains.
  EXPECT_NE(::access(("/proc/" + std::to_string(a)).c_str(), F_OK), 0);
  EXPECT_NE(::access(("/proc/" + std::to_string(b)).c_str(), F_OK), 0);
}

TEST(Children, TheCleanupFileIsRemovedOnRequestAndNotAfterItIsCleared) {
  const std::string path = ::testing::TempDir() + "cvp_cleanup_" + std::to_string(::getpid());
  std::ofstream(path) << "partial";
  set_cleanup_path(path.c_str());
  remove_cleanup_file();
  EXPECT_FALSE(std::ifstream(path).good());
  // Cleared (the file was renamed into place, say): nothing is removed.
  std::ofstream(path) << "published";
  set_cleanup_path(nullptr);
  remove_cleanup_file();
  EXPECT_TRUE(std::ifstream(path).good());
  ::unlink(path.c_str());
}

}  // namespace
}  // namespace cvp::children
