// The bare primitive under file_read: N preads, one after another, with no model, task or hash.
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <vector>

#include "bare.hpp"
#include "bare_checks.hpp"
#include "timing.hpp"
#include "workloads/file_read.hpp"

namespace cvp::bench {

double pread_seconds(int fd, int tasks, std::int64_t bytes) {
  // The offsets are file_read's rule, computed before the clock starts.
  std::vector<off_t> offsets(static_cast<std::size_t>(tasks));
  for (int i = 0; i < tasks; ++i) offsets[static_cast<std::size_t>(i)] = FileRead::offset(i, bytes);
  std::vector<char> buf(static_cast<std::size_t>(bytes));
  const auto t0 = Clock::now();
  for (const off_t at : offsets) {
    ssize_t n = 0;
    do {
      n = ::pread(fd, buf.data(), buf.size(), at);
    } while (n < 0 && errno == EINTR);
    if (n < 0) bare_checks::fail("bare pread");
    if (n != static_cast<ssize_t>(buf.size())) {
      throw std::runtime_error("bare pread: short read: " + std::to_string(n) + " of " +
                               std::to_string(bytes) + " bytes at offset " + std::to_string(at));
    }
  }
  return seconds_since(t0);
}

}  // namespace cvp::bench
