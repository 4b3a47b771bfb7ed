// Tests for bench/out_lock.cpp: one writer per --out, the holder named, odd lock files refused.
#include "out_lock.hpp"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/file.h>
#include <unistd.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <stdexcept>

#include "test_support.hpp"

namespace cvp::bench {
namespace {

namespace fs = std::filesystem;

using cvp::testing::read_file;

class OutLockTest : public cvp::testing::ScratchDirTest {};

TEST_F(OutLockTest, HoldsThePidAndIsRemovedOnRelease) {
  const fs::path out = dir_ / "sub" / "r.json";
  {
    const OutLock lock(out);
    EXPECT_EQ(read_file(out.string() + ".lock"), std::to_string(getpid()) + "\n");
  }
  EXPECT_FALSE(fs::exists(out.string() + ".lock"));
}

TEST_F(OutLockTest, ASecondWriterIsRefusedNamingTheHolder) {
  const fs::path out = dir_ / "r.json";
  // Another process's lock: flock is per open file, so a second open here
  // conflicts as another run's would.
  const int fd = ::open((out.string() + ".lock").c_str(), O_RDWR | O_CREAT, 0644);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::flock(fd, LOCK_EX), 0);
  ASSERT_EQ(::write(fd, "4242\n", 5), 5);
  try {
    const OutLock lock(out);
    FAIL() << "a second writer took the lock";
  } catch (const std::invalid_argument& e) {
    EXPECT_EQ(std::string(e.what()),
              out.string() + " is being written by another run (pid 4242); nothing was run");
  }
  ::close(fd);  // the holder ends without removing the file: the next run takes it over
  EXPECT_NO_THROW(OutLock{out});
}

TEST_F(OutLockTest, RefusesALinkOrAHardLinkedLockFile) {
  const fs::path outside = dir_ / "outside";
  std::ofstream(outside) << "not yours";
  fs::create_symlink(outside, dir_ / "a.json.lock");
  EXPECT_THROW(OutLock{dir_ / "a.json"}, std::invalid_argument);
  fs::create_hard_link(outside, dir_ / "b.json.lock");
  EXPECT_THROW(OutLock{dir_ / "b.json"}, std::invalid_argument);
  EXPECT_EQ(read_file(outside), "not yours");
}

}  // namespace
}  // namespace cvp::bench
