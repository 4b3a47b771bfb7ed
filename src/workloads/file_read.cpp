// file_read: each task reads B bytes of a file made before timing, at an offset derived from its
// index.
#include "workloads/file_read.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

#include "params.hpp"

namespace cvp {
namespace {

std::int64_t pages_of(std::int64_t bytes) {
  return (bytes + DataFile::kPageBytes - 1) / DataFile::kPageBytes;
}

}  // namespace

FileRead::FileRead(std::int64_t tasks, std::int64_t bytes, bool cold,
                   std::shared_ptr<const DataFile> file)
    : Workload({check_tasks(tasks), 0, check_range("bytes", bytes, 1, kMaxReadBytes), 0}),
      cold_(cold),
      file_(std::move(file)) {
  if (cold_) file_->check_droppable();
}

std::int64_t FileRead::offset(int index, std::int64_t bytes) {
  const auto starts = static_cast<std::uint64_t>(DataFile::kPages - pages_of(bytes));
  const std::uint64_t page = (static_cast<std::uint64_t>(index) * 2654435761ULL) % starts;
  return static_cast<std::int64_t>(page) * DataFile::kPageBytes;
}

void FileRead::expected_bytes(int index, std::int64_t bytes, std::vector<std::uint8_t>& out) {
  const std::int64_t first = offset(index, bytes) / DataFile::kPageBytes;
  std::vector<std::uint8_t> page(static_cast<std::size_t>(DataFile::kPageBytes));
  out.resize(static_cast<std::size_t>(bytes));
  for (std::int64_t p = 0, at = 0; at < bytes; ++p, at += DataFile::kPageBytes) {
    DataFile::fill_page(first + p, page);
    const std::int64_t n = std::min(DataFile::kPageBytes, bytes - at);
    std::memcpy(out.data() + at, page.data(), static_cast<std::size_t>(n));
  }
}

Digest FileRead::compute(int index) const {
  std::vector<std::uint8_t> bytes;
  expected_bytes(index, params().bytes, bytes);
  return thread_sha256()(bytes);
}

Wait FileRead::resume(TaskState& s) const {
  const std::int64_t bytes = params().bytes;
  if (s.step == 0) {
    s.step = 1;
    return ReadAt{file_->fd(), offset(s.index, bytes), static_cast<std::uint32_t>(bytes)};
  }
  if (s.step == 1) {
    s.step = 2;
    if (static_cast<std::int64_t>(s.received.size()) != bytes) {
      throw std::runtime_error("file_read: short read: task " + std::to_string(s.index) + " got " +
                               std::to_string(s.received.size()) + " of " + std::to_string(bytes) +
                               " bytes at offset " + std::to_string(offset(s.index, bytes)));
    }
    s.digest = thread_sha256()(s.received);
  }
  return TaskDone{};
}

void FileRead::before_run() const {
  if (cold_) {
    file_->drop_cache();
  } else {
    file_->warm_cache();
  }
}

}  // namespace cvp
