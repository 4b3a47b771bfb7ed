// The file file_read's tasks read: 64 MiB of pages derived from their index, made before timing.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>

namespace cvp {

// An unnamed file of kPages pages, page k being SHA-256(k as 8 bytes,
// little-endian) repeated 128 times, so that any read's bytes follow from
// its offset alone. It has no name from the moment it is open (O_TMPFILE,
// or a unique name unlinked at once), so no run, even a killed one, leaves
// it behind; it is written and fsync'd before any timing, and read with
// POSIX_FADV_RANDOM so that the kernel's readahead does not turn one small
// read into 128 KiB.
class DataFile {
 public:
  static constexpr std::int64_t kPageBytes = 4096;
  static constexpr std::int64_t kPages = 16384;
  static constexpr std::int64_t kBytes = kPages * kPageBytes;  // 64 MiB

  // Makes the file in `dir`. Throws std::invalid_argument naming `dir` and
  // the reason (missing, not a directory, not writable, disk full) when it
  // cannot.
  explicit DataFile(const std::filesystem::path& dir);
  ~DataFile();
  DataFile(const DataFile&) = delete;
  DataFile& operator=(const DataFile&) = delete;

  int fd() const { return fd_; }
  const std::filesystem::path& dir() const { return dir_; }

  // Page k's bytes into `out` (kPageBytes of them).
  static void fill_page(std::int64_t k, std::span<std::uint8_t> out);

  // How many of the file's pages are in the page cache now (mincore on a
  // mapping of the file, which faults nothing in).
  std::int64_t resident_pages() const;

  // Drops the file's pages from the page cache (POSIX_FADV_DONTNEED; the
  // pages are clean, having been fsync'd). Throws std::runtime_error
  // "page cache not dropped: N of 16384 pages resident" when more than 1%
  // stay.
  void drop_cache() const;

  // Makes every page resident: reads the whole file unless mincore finds
  // them all there, then checks that it does (std::runtime_error "page
  // cache not warm: N of 16384 pages resident" otherwise). Once checked, a
  // call does nothing until the next drop_cache: nothing else drops this
  // file's pages but the kernel under memory pressure, and a mincore of 64
  // MiB (about half a millisecond) before every run of a few microseconds
  // would cost a benchmark more than its runs.
  void warm_cache() const;

  // Whether the page cache of this file can be dropped: a file on tmpfs or
  // ramfs lives in it. Throws std::invalid_argument naming the directory and
  // why when it cannot; checked once, by dropping.
  void check_droppable() const;

 private:
  std::filesystem::path dir_;
  int fd_ = -1;
  void* map_ = nullptr;                               // the whole file, read-only, for mincore
  mutable std::optional<std::string> not_droppable_;  // the reason, once checked
  mutable bool checked_ = false;
  mutable bool warm_ = false;  // checked all resident, not dropped since
};

// Where a data file goes unless --data-dir says otherwise: $CVP_DATA_DIR,
// else /var/tmp (a disk, where /tmp may be tmpfs).
std::filesystem::path default_data_dir();

}  // namespace cvp
