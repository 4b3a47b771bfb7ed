// file_read: each task reads B bytes of a file made before timing, at an offset derived from its
// index.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "io/data_file.hpp"
#include "workloads/workload.hpp"

namespace cvp {

// Real disk IO: task i reads B bytes at offset(i, B) of a DataFile and its
// digest is the SHA-256 of those bytes. With the page cache warm (every
// page resident before each run) or cold (the file's pages dropped and
// checked gone before each run). A blocking model reads with pread on its
// own thread; an event loop with uv_fs_read, which is a pread on one of
// libuv's pool threads: "asynchronous" file IO is threads underneath.
class FileRead final : public Workload {
 public:
  static constexpr std::int64_t kMaxReadBytes = std::int64_t{1} << 20;

  // Throws std::invalid_argument for tasks or bytes out of range, or, when
  // cold, for a file whose page cache cannot be dropped (a tmpfs directory).
  FileRead(std::int64_t tasks, std::int64_t bytes, bool cold, std::shared_ptr<const DataFile> file);

  std::string_view name() const override { return "file_read"; }
  // The SHA-256 of the bytes task `index` must read, from the page formula
  // alone: no read.
  Digest compute(int index) const override;
  // A ReadAt, then the digest of what it brought; a short read throws.
  Wait resume(TaskState& s) const override;
  // Cold: the file's pages dropped, and checked gone. Warm: all resident.
  void before_run() const override;
  bool cpu_only() const override { return false; }

  bool cold() const { return cold_; }
  const DataFile& file() const { return *file_; }

  // Where task `index` reads B bytes: page (index * 2654435761) mod
  // (kPages - ceil(B / 4096)), as a byte offset (index as unsigned 64-bit).
  static std::int64_t offset(int index, std::int64_t bytes);
  // The B bytes at offset(index, B), from the page formula, into `out`.
  static void expected_bytes(int index, std::int64_t bytes, std::vector<std::uint8_t>& out);

 private:
  bool cold_;
  std::shared_ptr<const DataFile> file_;
};

}  // namespace cvp
