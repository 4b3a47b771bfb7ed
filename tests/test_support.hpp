// Helpers shared by the unit tests: workloads that misbehave on purpose, and process checks.
#pragma once

#include <dirent.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "timing.hpp"
#include "workloads/io_sleep.hpp"

namespace cvp::testing {

// The whole text of the file at `p` (empty when it cannot be opened).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Writes `text` as the whole of the file at `p`.
inline void write_file(const std::filesystem::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

// A test with a fresh folder of its own (named for its suite and this
// process), removed after it.
class ScratchDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           (std::string("cvp_") +
            ::testing::UnitTest::GetInstance()->current_test_info()->test_suite_name() + "_" +
            std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// A task of three CPU steps with a sleep of sleep_us between each two: its
// digest is built across the steps, so a model that skipped a step, or
// resumed a task with another task's state, returns a wrong digest.
class ThreeStepWorkload final : public Workload {
 public:
  ThreeStepWorkload(int tasks, std::int64_t sleep_us) : Workload({tasks, sleep_us, 0, 0}) {}
  std::string_view name() const override { return "three_step"; }
  Digest compute(int index) const override {
    Digest d = IoSleep::token(index);
    d[0] ^= 1;
    d[1] ^= 2;
    return d;
  }
  Wait resume(TaskState& s) const override {
    switch (s.step++) {
      case 0:
        s.digest = IoSleep::token(s.index);
        return SleepFor{longest_wait()};
      case 1:
        s.digest[0] ^= 1;
        return SleepFor{longest_wait()};
      default:
        s.digest[1] ^= 2;
        return TaskDone{};
    }
  }
};

// An io_sleep workload whose compute phase runs `hook(index)` first: a way to
// make one task crash, exit, hang or throw inside whichever model runs it.
class HookedWorkload final : public Workload {
 public:
  HookedWorkload(int tasks, std::int64_t sleep_us, std::function<void(int)> hook)
      : Workload({tasks, sleep_us, 0, 0}), inner_(tasks, sleep_us), hook_(std::move(hook)) {}
  std::string_view name() const override { return "hooked"; }
  Digest compute(int index) const override {
    hook_(index);
    return inner_.compute(index);
  }

 private:
  IoSleep inner_;
  std::function<void(int)> hook_;
};

// A file of `n` bytes, byte i being i mod 251, open for reading (a memfd:
// no name, gone with its descriptor). The caller closes it.
inline int pattern_file(std::size_t n) {
  const int fd = memfd_create("cvp_pattern", MFD_CLOEXEC);
  if (fd < 0) throw std::runtime_error("memfd_create failed");
  std::string bytes(n, '\0');
  for (std::size_t i = 0; i < n; ++i) bytes[i] = static_cast<char>(i % 251);
  if (::write(fd, bytes.data(), n) != static_cast<ssize_t>(n)) throw std::runtime_error("write");
  return fd;
}

// What pattern_file holds from `offset`, `n` bytes of it.
inline std::vector<std::uint8_t> pattern_bytes(std::size_t offset, std::size_t n) {
  std::vector<std::uint8_t> out(n);
  for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::uint8_t>((offset + i) % 251);
  return out;
}

// The pages of the first `bytes` of the file open as `fd` that are in the
// page cache, by mincore on a mapping of the test's own.
inline std::size_t resident_pages(int fd, std::size_t bytes) {
  void* m = mmap(nullptr, bytes, PROT_READ, MAP_SHARED, fd, 0);
  if (m == MAP_FAILED) throw std::runtime_error("mmap failed");
  const auto page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core((bytes + page - 1) / page);
  const int rc = mincore(m, bytes, in_core.data());
  munmap(m, bytes);
  if (rc != 0) throw std::runtime_error("mincore failed");
  std::size_t n = 0;
  for (unsigned char c : in_core) n += c & 1u;
  return n;
}

inline int open_fd_count() {
  int n = 0;
  DIR* d = opendir("/proc/self/fd");
  if (d == nullptr) throw std::runtime_error("cannot list /proc/self/fd");
  while (readdir(d) != nullptr) ++n;
  closedir(d);
  return n;
}

// True when this process has no child left, reaped or not.
inline bool no_children_left() { return waitpid(-1, nullptr, WNOHANG) == -1 && errno == ECHILD; }

using cvp::seconds_since;

}  // namespace cvp::testing

#include <gtest/gtest.h>

#include "models/model.hpp"

namespace cvp::testing {

// Runs `w` on `m` and expects exactly the serial model's digests.
inline RunReport expect_serial_digests(Model& m, const Workload& w) {
  std::vector<Digest> out(static_cast<std::size_t>(w.tasks()));
  const RunReport r = m.run(w, out);
  EXPECT_EQ(first_mismatch(out, reference_digests(w)), -1)
      << m.name() << " with " << m.workers() << " workers, " << w.tasks() << " tasks";
  return r;
}

// Runs `w` on `m`, expects a std::runtime_error, and returns its message.
inline std::string failure_of(Model& m, const Workload& w) {
  std::vector<Digest> out(static_cast<std::size_t>(w.tasks()));
  try {
    m.run(w, out);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "(no exception)";
}

}  // namespace cvp::testing
