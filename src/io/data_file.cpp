// The file file_read's tasks read: 64 MiB of pages derived from their index, made before timing.
#include "io/data_file.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "sha256.hpp"

namespace cvp {
namespace {

// Pages written (and read back when warming) per call.
constexpr std::int64_t kChunkPages = 256;

[[noreturn]] void refuse(const std::filesystem::path& dir, const std::string& why) {
  throw std::invalid_argument("cannot make file_read's 64 MiB data file in " + dir.string() + ": " +
                              why + " (set --data-dir or CVP_DATA_DIR)");
}

// An open, unnamed file in `dir`: O_TMPFILE where the file system has it,
// else a unique name that is unlinked as soon as it is open.
int open_unnamed(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  if (errno != EOPNOTSUPP && errno != EISDIR) refuse(dir, std::strerror(errno));
  std::string name = (dir / "cvp_file_read.XXXXXX").string();
  const int named = ::mkostemp(name.data(), O_CLOEXEC);
  if (named < 0) refuse(dir, std::strerror(errno));
  if (::unlink(name.c_str()) != 0) {
    const int err = errno;
    ::close(named);
    refuse(dir, std::string("unlink: ") + std::strerror(err));
  }
  return named;
}

void write_all(int fd, const std::uint8_t* data, std::size_t n, std::int64_t offset) {
  while (n > 0) {
    const ssize_t w = ::pwrite(fd, data, n, static_cast<off_t>(offset));
    if (w < 0 && errno == EINTR) continue;
    if (w < 0) throw std::system_error(errno, std::generic_category(), "write");
    data += w;
    n -= static_cast<std::size_t>(w);
    offset += w;
  }
}

void write_pages(int fd) {
  std::vector<std::uint8_t> chunk(static_cast<std::size_t>(kChunkPages * DataFile::kPageBytes));
  for (std::int64_t first = 0; first < DataFile::kPages; first += kChunkPages) {
    for (std::int64_t k = 0; k < kChunkPages; ++k) {
      DataFile::fill_page(
          first + k, std::span(chunk).subspan(static_cast<std::size_t>(k * DataFile::kPageBytes),
                                              DataFile::kPageBytes));
    }
    write_all(fd, chunk.data(), chunk.size(), first * DataFile::kPageBytes);
  }
  if (::fsync(fd) != 0) throw std::system_error(errno, std::generic_category(), "fsync");
}

}  // namespace

DataFile::DataFile(const std::filesystem::path& dir) : dir_(dir), fd_(open_unnamed(dir)) {
  std::string why;
  try {
    write_pages(fd_);
    if (const int rc = ::posix_fadvise(fd_, 0, 0, POSIX_FADV_RANDOM); rc != 0) {
      throw std::system_error(rc, std::generic_category(), "posix_fadvise(RANDOM)");
    }
    // Mapped once, for mincore: never touched, so it faults nothing in and
    // holds no page against POSIX_FADV_DONTNEED.
    map_ = ::mmap(nullptr, kBytes, PROT_READ, MAP_SHARED, fd_, 0);
    if (map_ == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    return;
  } catch (const std::system_error& e) {
    why = e.what();
  }
  ::close(fd_);
  refuse(dir_, why);
}

DataFile::~DataFile() {
  ::munmap(map_, kBytes);
  ::close(fd_);
}

void DataFile::fill_page(std::int64_t k, std::span<std::uint8_t> out) {
  if (out.size() != static_cast<std::size_t>(kPageBytes)) {
    throw std::logic_error("DataFile::fill_page: a page is 4096 bytes");
  }
  std::uint8_t index[8];
  for (int b = 0; b < 8; ++b)
    index[b] = static_cast<std::uint8_t>(static_cast<std::uint64_t>(k) >> (8 * b));
  const Digest d = thread_sha256()(index);
  for (std::size_t at = 0; at < out.size(); at += d.size())
    std::memcpy(&out[at], d.data(), d.size());
}

std::int64_t DataFile::resident_pages() const {
  const auto system_page = static_cast<std::int64_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> in_core(
      static_cast<std::size_t>((kBytes + system_page - 1) / system_page));
  if (::mincore(map_, kBytes, in_core.data()) != 0) {
    throw std::system_error(errno, std::generic_category(), "mincore");
  }
  std::int64_t resident = 0;
  for (unsigned char c : in_core) resident += c & 1;
  return resident * system_page / kPageBytes;
}

void DataFile::drop_cache() const {
  warm_ = false;
  if (const int rc = ::posix_fadvise(fd_, 0, 0, POSIX_FADV_DONTNEED); rc != 0) {
    throw std::system_error(rc, std::generic_category(), "posix_fadvise(DONTNEED)");
  }
  if (const std::int64_t left = resident_pages(); left * 100 > kPages) {
    throw std::runtime_error("page cache not dropped: " + std::to_string(left) + " of " +
                             std::to_string(kPages) + " pages resident");
  }
}

void DataFile::warm_cache() const {
  if (warm_ || resident_pages() == kPages) {
    warm_ = true;
    return;
  }
  std::vector<std::uint8_t> chunk(static_cast<std::size_t>(kChunkPages * kPageBytes));
  for (std::int64_t at = 0; at < kBytes;) {
    const ssize_t n = ::pread(fd_, chunk.data(), chunk.size(), static_cast<off_t>(at));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::system_error(errno, std::generic_category(), "pread");
    if (n == 0) throw std::runtime_error("the data file ended at " + std::to_string(at));
    at += n;
  }
  if (const std::int64_t in = resident_pages(); in != kPages) {
    throw std::runtime_error("page cache not warm: " + std::to_string(in) + " of " +
                             std::to_string(kPages) + " pages resident");
  }
  warm_ = true;
}

void DataFile::check_droppable() const {
  if (!checked_) {
    checked_ = true;
    struct statfs fs {};
    if (::fstatfs(fd_, &fs) == 0 && (fs.f_type == TMPFS_MAGIC || fs.f_type == RAMFS_MAGIC)) {
      not_droppable_ = std::string(fs.f_type == TMPFS_MAGIC ? "tmpfs" : "ramfs") +
                       " keeps its files in the page cache, which cold=1 must drop";
    } else {
      try {
        drop_cache();
      } catch (const std::exception& e) {
        not_droppable_ = e.what();
      }
    }
  }
  if (not_droppable_) {
    throw std::invalid_argument("cold=1 cannot run on a data file in " + dir_.string() + ": " +
                                *not_droppable_ + " (set --data-dir to a directory on a disk)");
  }
}

std::filesystem::path default_data_dir() {
  const char* env = std::getenv("CVP_DATA_DIR");
  return env != nullptr && *env != '\0' ? std::filesystem::path(env) : "/var/tmp";
}

}  // namespace cvp
