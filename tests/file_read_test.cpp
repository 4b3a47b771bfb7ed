// Tests for src/workloads/file_read.cpp: offsets, known digests, every model's reads, cold runs.
#include "workloads/file_read.hpp"

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cstdio>
#include <memory>
#include <stdexcept>
#include <string>

#include "models/registry.hpp"
#include "test_support.hpp"

namespace cvp {
namespace {

using testing::expect_serial_digests;

std::string hex(const Digest& d) {
  std::string out;
  char two[3];
  for (std::uint8_t b : d) {
    std::snprintf(two, sizeof two, "%02x", b);
    out += two;
  }
  return out;
}

// The file every test that only reads shares: making one writes 64 MiB.
std::shared_ptr<const DataFile> shared_file() {
  static const auto file = std::make_shared<const DataFile>(default_data_dir());
  return file;
}

TEST(FileRead, OffsetsFollowTheFormula) {
  // ((i * 2654435761) mod (16384 - ceil(B / 4096))) * 4096, worked out in Python.
  EXPECT_EQ(FileRead::offset(0, 4096), 0);
  EXPECT_EQ(FileRead::offset(1, 4096), 53'051'392);
  EXPECT_EQ(FileRead::offset(2, 4096), 38'998'016);
  EXPECT_EQ(FileRead::offset(9999, 4096), 64'782'336);
  EXPECT_EQ(FileRead::offset(1, 5000), 45'690'880);  // two pages: mod 16382
  EXPECT_EQ(FileRead::offset(999'999, FileRead::kMaxReadBytes) % DataFile::kPageBytes, 0);
  EXPECT_LE(FileRead::offset(999'999, FileRead::kMaxReadBytes) + FileRead::kMaxReadBytes,
            DataFile::kBytes);
}

TEST(FileRead, DigestsOfTheFirstTasksAreKnown) {
  // From Python's hashlib, on pages sha256(k.to_bytes(8, "little")).digest() * 128.
  const FileRead w(4, 4096, false, shared_file());
  EXPECT_EQ(hex(w.compute(0)), "cad642bfda4d4331c230cbbdb0ade3ea829ca6cb66b5b9f42a0b2718771db4ba");
  EXPECT_EQ(hex(w.compute(1)), "a857b1c0d3c654c6df89973935a151f8a518ae8749963b0a273dd3511d44055f");
  const FileRead small(4, 100, false, shared_file());
  EXPECT_EQ(hex(small.compute(3)),
            "67326b5169e29590eb411ecddb8882e91cdfbb93739c949c0d5e593332fd8ed4");
  const FileRead two_pages(4, 5000, false, shared_file());
  EXPECT_EQ(hex(two_pages.compute(1)),
            "84b13a81b9d53898e907b65b4fcc033ebc9e1fb6d7fe5928c496266f4427c179");
}

TEST(FileRead, ATaskReadsThenHashesWhatCame) {
  const FileRead w(4, 5000, false, shared_file());
  TaskState s;
  s.restart(1);
  const Wait first = w.resume(s);
  ASSERT_TRUE(std::holds_alternative<ReadAt>(first));
  const ReadAt r = std::get<ReadAt>(first);
  EXPECT_EQ(r.fd, shared_file()->fd());
  EXPECT_EQ(r.offset, FileRead::offset(1, 5000));
  EXPECT_EQ(r.bytes, 5000u);
  FileRead::expected_bytes(1, 5000, s.received);
  EXPECT_TRUE(finished(w.resume(s)));
  EXPECT_EQ(s.digest, w.compute(1));
}

TEST(FileRead, AShortReadIsAnError) {
  const FileRead w(4, 4096, false, shared_file());
  TaskState s;
  s.restart(2);
  w.resume(s);
  s.received.assign(4095, 0);
  try {
    w.resume(s);
    FAIL() << "a short read was taken";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("short read: task 2 got 4095 of 4096 bytes"),
              std::string::npos)
        << e.what();
  }
}

void expect_every_model_reads(bool cold) {
  const FileRead w(40, 4096, cold, shared_file());
  for (const ModelInfo& m : registry()) {
    if (m.launch != Launch::kInProcess) continue;  // mpi ranks share no descriptors
    SCOPED_TRACE(std::string(m.name));
    auto model = make_model(m.name, fixed_workers(m.name).value_or(2));
    model->prepare(w);
    for (int run = 0; run < 2; ++run) {
      w.before_run();
      expect_serial_digests(*model, w);
    }
  }
}

TEST(FileRead, EveryModelGetsTheSerialDigestsWarm) { expect_every_model_reads(false); }
TEST(FileRead, EveryModelGetsTheSerialDigestsCold) { expect_every_model_reads(true); }

TEST(FileRead, BeforeAColdRunThePagesAreOutOfTheCache) {
  const FileRead cold(10, 4096, true, shared_file());
  const FileRead warm(10, 4096, false, shared_file());
  const auto system_pages = static_cast<std::size_t>(DataFile::kBytes / ::sysconf(_SC_PAGESIZE));
  warm.before_run();
  EXPECT_EQ(testing::resident_pages(shared_file()->fd(), DataFile::kBytes), system_pages);
  cold.before_run();
  // At most 1% left, by a mapping of the test's own.
  EXPECT_LE(testing::resident_pages(shared_file()->fd(), DataFile::kBytes) * 100, system_pages);
  warm.before_run();
  EXPECT_EQ(testing::resident_pages(shared_file()->fd(), DataFile::kBytes), system_pages);
}

// A file cut to half its length: the tasks that read past its end get
// short reads, an error under either form of the wait (pread on the
// calling thread, uv_fs_read on libuv's pool) and on a pool of threads.
TEST(FileRead, AShortReadFailsTheRunUnderEveryFormOfRead) {
  const auto file = std::make_shared<const DataFile>(default_data_dir());
  ASSERT_EQ(::ftruncate(file->fd(), DataFile::kBytes / 2), 0);
  const FileRead w(64, 4096, false, file);
  for (const char* name : {"serial", "event_loop", "event_loop_offload", "threads_n"}) {
    SCOPED_TRACE(name);
    auto model = make_model(name, fixed_workers(name).value_or(2));
    model->prepare(w);
    EXPECT_NE(testing::failure_of(*model, w).find("short read"), std::string::npos);
  }
}

TEST(FileRead, RefusesReadsAboveOneMiB) {
  EXPECT_THROW(FileRead(1, FileRead::kMaxReadBytes + 1, false, shared_file()),
               std::invalid_argument);
  EXPECT_THROW(FileRead(1, 0, false, shared_file()), std::invalid_argument);
}

TEST(FileRead, RefusesColdOnTmpfs) {
  struct statfs shm {};
  if (::statfs("/dev/shm", &shm) != 0 || shm.f_type != TMPFS_MAGIC) {
    GTEST_SKIP() << "no tmpfs at /dev/shm";
  }
  const auto file = std::make_shared<const DataFile>("/dev/shm");
  EXPECT_NO_THROW(FileRead(4, 4096, false, file));
  EXPECT_THROW(FileRead(4, 4096, true, file), std::invalid_argument);
}

}  // namespace
}  // namespace cvp
