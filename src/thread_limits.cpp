// How many threads the machine lets this process add, read from /proc and getrlimit, and the
// one line that refuses a run which would not fit, before anything runs.
#include "thread_limits.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <limits>
#include <string_view>
#include <vector>

namespace cvp {
namespace {

constexpr std::int64_t kSpareThreads = 256;  // for the rest of the machine and our helpers
constexpr std::int64_t kReservedPids = 300;  // RESERVED_PIDS: pids wrap around to 300
constexpr std::int64_t kSpareMaps = 1024;    // libraries, malloc arenas, the harness's buffers
constexpr std::int64_t kMapsPerThread = 2;   // the stack and its guard page

std::optional<std::int64_t> number_in(const ReadText& read, const std::string& path) {
  const auto text = read(path);
  return text ? proc_number(*text) : std::nullopt;
}

// /proc/loadavg's fourth field is running/total scheduling entities: the
// total counts every thread on the machine.
std::optional<std::int64_t> machine_threads(const std::optional<std::string>& loadavg) {
  if (!loadavg) return std::nullopt;
  const auto slash = loadavg->find('/');
  if (slash == std::string::npos) return std::nullopt;
  return proc_number(std::string_view(*loadavg).substr(slash + 1));
}

std::string size_text(std::int64_t bytes) {
  return bytes % (1 << 20) == 0 ? std::to_string(bytes >> 20) + " MiB"
                                : std::to_string(bytes >> 10) + " KiB";
}

}  // namespace

ThreadRoom read_thread_room(const ReadText& read, std::optional<std::int64_t> nproc) {
  ThreadRoom r;
  r.threads_max = number_in(read, "/proc/sys/kernel/threads-max");
  r.pid_max = number_in(read, "/proc/sys/kernel/pid_max");
  r.max_map_count = number_in(read, "/proc/sys/vm/max_map_count");
  r.nproc = nproc;
  if (const auto meminfo = read("/proc/meminfo")) {
    if (const auto kb = proc_field(*meminfo, "MemAvailable:")) r.mem_available = *kb * 1024;
  }
  r.machine_threads = machine_threads(read("/proc/loadavg")).value_or(0);
  if (const auto status = read("/proc/self/status")) {
    r.own_threads = proc_field(*status, "Threads:").value_or(1);
  }
  if (const auto maps = read("/proc/self/maps")) {
    r.own_maps = std::count(maps->begin(), maps->end(), '\n');
  }
  return r;
}

ThreadRoom read_thread_room() {
  std::optional<std::int64_t> nproc;
  rlimit lim{};
  if (::geteuid() != 0 && ::getrlimit(RLIMIT_NPROC, &lim) == 0 && lim.rlim_cur != RLIM_INFINITY) {
    nproc = static_cast<std::int64_t>(lim.rlim_cur);
  }
  return read_thread_room(read_text_file, nproc);
}

ThreadFit threads_that_fit(const ThreadRoom& room, std::int64_t stack_bytes) {
  const auto in_use = std::to_string(room.machine_threads) + " threads exist";
  std::vector<ThreadFit> fits;
  if (room.threads_max) {
    fits.push_back({*room.threads_max - room.machine_threads - kSpareThreads,
                    "kernel.threads-max is " + std::to_string(*room.threads_max) + " and " +
                        in_use});
  }
  if (room.pid_max) {
    fits.push_back({*room.pid_max - kReservedPids - room.machine_threads - kSpareThreads,
                    "kernel.pid_max is " + std::to_string(*room.pid_max) + " and " + in_use});
  }
  if (room.nproc) {
    fits.push_back({*room.nproc - room.own_threads - kSpareThreads,
                    "RLIMIT_NPROC is " + std::to_string(*room.nproc) + " and this process has " +
                        std::to_string(room.own_threads) + " threads (the user's other "
                                                           "processes count too)"});
  }
  if (room.max_map_count) {
    fits.push_back({(*room.max_map_count - room.own_maps - kSpareMaps) / kMapsPerThread,
                    "vm.max_map_count is " + std::to_string(*room.max_map_count) +
                        ", this process has " + std::to_string(room.own_maps) +
                        " mappings and a thread takes 2"});
  }
  if (room.mem_available && stack_bytes > 0) {
    fits.push_back({*room.mem_available / 2 / stack_bytes,
                    "half of MemAvailable is " + size_text(*room.mem_available / 2) +
                        " and a thread's stack " + size_text(stack_bytes)});
  }
  if (fits.empty()) return {std::numeric_limits<std::int64_t>::max(), ""};
  ThreadFit tightest = *std::min_element(
      fits.begin(), fits.end(), [](const ThreadFit& a, const ThreadFit& b) { return a.most < b.most; });
  tightest.most = std::max<std::int64_t>(tightest.most, 0);
  return tightest;
}

std::optional<std::string> thread_refusal(const ThreadRoom& room, std::int64_t threads,
                                          std::int64_t stack_bytes) {
  const ThreadFit fit = threads_that_fit(room, stack_bytes);
  if (threads <= fit.most) return std::nullopt;
  return std::to_string(threads) + " threads of " + size_text(stack_bytes) +
         " stack do not fit: " + fit.limit + "; allowed: up to " + std::to_string(fit.most);
}

}  // namespace cvp
