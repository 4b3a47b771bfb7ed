// Tests for src/io/data_file.cpp: the file's pages, where it may be made, and its page cache.
#include "io/data_file.hpp"

#include <gtest/gtest.h>
#include <linux/magic.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "test_support.hpp"

namespace cvp {
namespace {

namespace fs = std::filesystem;

// The expected text of an error: the message, then whether it names `part`.
bool names(const std::invalid_argument& e, const std::string& part) {
  return std::string(e.what()).find(part) != std::string::npos;
}

std::string refusal(const fs::path& dir) {
  try {
    const DataFile f(dir);
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "(made)";
}

std::vector<std::uint8_t> page(std::int64_t k) {
  std::vector<std::uint8_t> out(DataFile::kPageBytes);
  DataFile::fill_page(k, out);
  return out;
}

TEST(DataFile, PageIsTheHashOfItsIndexRepeated) {
  // SHA-256 of eight zero bytes (Python: hashlib.sha256(bytes(8)).hexdigest()).
  const std::uint8_t sha0[] = {0xaf, 0x55, 0x70, 0xf5, 0xa1, 0x81, 0x0b, 0x7a};
  const auto p0 = page(0);
  for (std::size_t at = 0; at < p0.size(); at += 32) {
    EXPECT_TRUE(std::equal(std::begin(sha0), std::end(sha0), p0.begin() + static_cast<long>(at)))
        << "at " << at;
  }
  EXPECT_NE(page(1), p0);
}

// One file shared by the tests that only read it: making it writes 64 MiB.
const DataFile& shared() {
  static const DataFile file(default_data_dir());
  return file;
}

TEST(DataFile, HoldsEveryPageOfTheFormula) {
  std::vector<std::uint8_t> got(DataFile::kPageBytes);
  for (const std::int64_t k :
       {std::int64_t{0}, std::int64_t{1}, std::int64_t{5'000}, DataFile::kPages - 1}) {
    ASSERT_EQ(::pread(shared().fd(), got.data(), got.size(), k * DataFile::kPageBytes),
              static_cast<ssize_t>(got.size()));
    EXPECT_EQ(got, page(k)) << "page " << k;
  }
  EXPECT_EQ(::lseek(shared().fd(), 0, SEEK_END), DataFile::kBytes);
}

TEST(DataFile, DropLeavesThePagesOutAndWarmBringsThemBack) {
  // Checked by a mapping of the test's own, and by the file's count.
  const auto system_pages = static_cast<std::size_t>(DataFile::kBytes / ::sysconf(_SC_PAGESIZE));
  shared().warm_cache();
  EXPECT_EQ(testing::resident_pages(shared().fd(), DataFile::kBytes), system_pages);
  EXPECT_EQ(shared().resident_pages(), DataFile::kPages);
  shared().drop_cache();
  EXPECT_LE(testing::resident_pages(shared().fd(), DataFile::kBytes) * 100, system_pages);
  EXPECT_LE(shared().resident_pages() * 100, DataFile::kPages);
  shared().warm_cache();
  EXPECT_EQ(testing::resident_pages(shared().fd(), DataFile::kBytes), system_pages);
}

class DataFileDirTest : public testing::ScratchDirTest {};

TEST_F(DataFileDirTest, LeavesNoFileBehind) {
  // A directory on the same disk as the default one, where O_TMPFILE or the
  // unlinked name is what the harness gets.
  const fs::path dir = default_data_dir() / ("cvp_data_file_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  {
    const DataFile f(dir);
    EXPECT_TRUE(fs::is_empty(dir));
  }
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

TEST_F(DataFileDirTest, RefusesAMissingDirectoryNamingIt) {
  const std::string why = refusal(dir_ / "missing");
  EXPECT_NE(why.find((dir_ / "missing").string()), std::string::npos) << why;
  EXPECT_NE(why.find("No such file or directory"), std::string::npos) << why;
  EXPECT_TRUE(fs::is_empty(dir_));
}

TEST_F(DataFileDirTest, RefusesAFileForADirectory) {
  testing::write_file(dir_ / "plain", "x");
  const std::string why = refusal(dir_ / "plain");
  EXPECT_NE(why.find("Not a directory"), std::string::npos) << why;
}

TEST(DataFile, RefusesToBeColdOnTmpfs) {
  struct statfs shm {};
  if (::statfs("/dev/shm", &shm) != 0 || shm.f_type != TMPFS_MAGIC) {
    GTEST_SKIP() << "no tmpfs at /dev/shm";
  }
  const DataFile f("/dev/shm");
  try {
    f.check_droppable();
    FAIL() << "accepted";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(names(e, "/dev/shm")) << e.what();
    EXPECT_TRUE(names(e, "tmpfs")) << e.what();
  }
}

TEST(DataFile, DefaultDirectoryIsTheEnvironmentsOrVarTmp) {
  const char* old = std::getenv("CVP_DATA_DIR");
  const std::string kept = old != nullptr ? old : "";
  ::setenv("CVP_DATA_DIR", "/somewhere", 1);
  EXPECT_EQ(default_data_dir(), fs::path("/somewhere"));
  ::unsetenv("CVP_DATA_DIR");
  EXPECT_EQ(default_data_dir(), fs::path("/var/tmp"));
  if (old != nullptr) ::setenv("CVP_DATA_DIR", kept.c_str(), 1);
}

}  // namespace
}  // namespace cvp
