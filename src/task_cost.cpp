// What tasks in flight cost the process and its workers: context switches, user memory (PSS)
// and kernel memory (thread stacks, socket buffers), as snapshots and their difference.
#include "task_cost.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string>
#include <system_error>
#include <vector>

#include "peak_probe.hpp"

namespace cvp {
namespace {

// The number after `key` within the line that starts with `line_key`
// ("TCP: inuse 1 ... mem 5": line "TCP:", key " mem ").
std::optional<std::int64_t> word_after(std::string_view text, std::string_view line_key,
                                       std::string_view key) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    if (line.starts_with(line_key)) {
      const auto k = line.find(key);
      return k == std::string_view::npos ? std::nullopt : proc_number(line.substr(k + key.size()));
    }
    at = end + 1;
  }
  return std::nullopt;
}

// The pids of a /proc/.../children text ("123 456 ").
std::vector<pid_t> pids_in(std::string_view text) {
  std::vector<pid_t> pids;
  for (std::size_t at = text.find_first_of("0123456789"); at != std::string_view::npos;
       at = text.find_first_of("0123456789", at)) {
    const std::size_t end = std::min(text.find_first_not_of("0123456789", at), text.size());
    if (const auto v = proc_number(text.substr(at, end - at))) pids.push_back(static_cast<pid_t>(*v));
    at = end;
  }
  return pids;
}

Switches rusage_switches() {
  Switches s;
  for (int who : {RUSAGE_SELF, RUSAGE_CHILDREN}) {
    rusage u{};
    if (::getrusage(who, &u) != 0) throw std::system_error(errno, std::generic_category(), "getrusage");
    s.voluntary += u.ru_nvcsw;
    s.involuntary += u.ru_nivcsw;
  }
  return s;
}

}  // namespace

TaskCost operator-(const TaskCost& after, const TaskCost& before) {
  return {{after.switches.voluntary - before.switches.voluntary,
           after.switches.involuntary - before.switches.involuntary},
          after.pss_bytes - before.pss_bytes,
          after.kernel_stack_bytes - before.kernel_stack_bytes,
          after.socket_bytes - before.socket_bytes};
}

TaskCost peak_levels(const TaskCost& a, const TaskCost& b) {
  return {b.switches, std::max(a.pss_bytes, b.pss_bytes),
          std::max(a.kernel_stack_bytes, b.kernel_stack_bytes),
          std::max(a.socket_bytes, b.socket_bytes)};
}

std::optional<std::int64_t> pss_bytes_in(std::string_view smaps_rollup) {
  const auto kb = proc_field(smaps_rollup, "Pss:");
  return kb ? std::optional(*kb * 1024) : std::nullopt;
}

std::optional<std::int64_t> kernel_stack_bytes_in(std::string_view meminfo) {
  const auto kb = proc_field(meminfo, "KernelStack:");
  return kb ? std::optional(*kb * 1024) : std::nullopt;
}

std::optional<std::int64_t> socket_bytes_in(std::string_view sockstat, std::int64_t page_bytes) {
  // "mem" counts pages; TCP and UDP (UDPLITE shares UDP's count).
  const auto tcp = word_after(sockstat, "TCP:", " mem ");
  const auto udp = word_after(sockstat, "UDP:", " mem ");
  if (!tcp && !udp) return std::nullopt;
  return (tcp.value_or(0) + udp.value_or(0)) * page_bytes;
}

Switches switches_in_status(std::string_view status) {
  return {proc_field(status, "voluntary_ctxt_switches:").value_or(0),
          proc_field(status, "nonvoluntary_ctxt_switches:").value_or(0)};
}

TaskCost read_task_cost(const ReadText& read, Switches own, std::span<const pid_t> children,
                        std::int64_t page_bytes) {
  TaskCost c;
  c.switches = own;
  if (const auto text = read("/proc/self/smaps_rollup")) c.pss_bytes = pss_bytes_in(*text).value_or(0);
  for (pid_t pid : children) {
    const std::string dir = "/proc/" + std::to_string(pid) + "/";
    if (const auto text = read(dir + "smaps_rollup")) c.pss_bytes += pss_bytes_in(*text).value_or(0);
    if (const auto text = read(dir + "status")) {
      const Switches s = switches_in_status(*text);
      c.switches.voluntary += s.voluntary;
      c.switches.involuntary += s.involuntary;
    }
  }
  if (const auto text = read("/proc/meminfo")) {
    c.kernel_stack_bytes = kernel_stack_bytes_in(*text).value_or(0);
  }
  if (const auto text = read("/proc/net/sockstat")) {
    c.socket_bytes = socket_bytes_in(*text, page_bytes).value_or(0);
  }
  return c;
}

TaskCost read_task_cost(std::span<const pid_t> children) {
  const long page = ::sysconf(_SC_PAGESIZE);
  if (page <= 0) throw std::system_error(errno, std::generic_category(), "sysconf(_SC_PAGESIZE)");
  return read_task_cost(read_text_file, rusage_switches(), children, page);
}

std::optional<std::int64_t> private_bytes_in(std::string_view smaps_rollup) {
  const auto clean = proc_field(smaps_rollup, "Private_Clean:");
  const auto dirty = proc_field(smaps_rollup, "Private_Dirty:");
  if (!clean && !dirty) return std::nullopt;
  return (clean.value_or(0) + dirty.value_or(0)) * 1024;
}

Levels read_levels(const ReadText& read, pid_t tid, std::int64_t page_bytes) {
  Levels l;
  if (const auto text = read("/proc/meminfo")) {
    l.kernel_stack_bytes = kernel_stack_bytes_in(*text).value_or(0);
  }
  if (const auto text = read("/proc/net/sockstat")) {
    l.socket_bytes = socket_bytes_in(*text, page_bytes).value_or(0);
  }
  const auto own = read("/proc/self/cmdline");
  const auto children = read("/proc/self/task/" + std::to_string(tid) + "/children");
  if (!own || !children) return l;
  for (const pid_t pid : pids_in(*children)) {
    const std::string dir = "/proc/" + std::to_string(pid) + "/";
    if (read(dir + "cmdline") != own) continue;  // not a worker: the net_rpc server, say
    if (const auto text = read(dir + "smaps_rollup")) {
      if (const auto bytes = private_bytes_in(*text)) l.worker_private_bytes[pid] = *bytes;
    }
  }
  return l;
}

Levels read_levels(pid_t tid) {
  const long page = ::sysconf(_SC_PAGESIZE);
  if (page <= 0) throw std::system_error(errno, std::generic_category(), "sysconf(_SC_PAGESIZE)");
  return read_levels(read_text_file, tid, page);
}

double kernel_bytes_per_task(const Levels& idle, const Levels& peak, int inflight) {
  const std::int64_t added = (peak.kernel_stack_bytes - idle.kernel_stack_bytes) +
                             (peak.socket_bytes - idle.socket_bytes);
  return static_cast<double>(std::max<std::int64_t>(added, 0)) / std::max(inflight, 1);
}

std::int64_t workers_growth_bytes(const Levels& idle, const Levels& peak) {
  std::int64_t added = 0;
  for (const auto& [pid, bytes] : peak.worker_private_bytes) {
    const auto before = idle.worker_private_bytes.find(pid);
    added += bytes - (before == idle.worker_private_bytes.end() ? 0 : before->second);
  }
  return std::max<std::int64_t>(added, 0);
}

RunStart run_start(int inflight_target, const ReadText& read) {
  RunStart start;
  if (inflight_target > 0) {
    // Armed first: the probe's thread (its kernel stack, its user stack and
    // heap) starts before the levels and the RSS are read, so no run counts
    // it. The workers are the children of the thread that runs the model.
    const auto tid = static_cast<pid_t>(::gettid());
    PeakProbe::get().arm(inflight_target, [tid] { return read_levels(tid); });
    start.idle = read_levels(tid);
    start.armed = true;
  }
  if (FILE* f = std::fopen("/proc/self/clear_refs", "w")) {
    start.peak_reset = std::fputs("5", f) >= 0;
    start.peak_reset = std::fclose(f) == 0 && start.peak_reset;
  }
  const std::string status = read("/proc/self/status").value_or("");
  start.rss_bytes = proc_field(status, "VmRSS:").value_or(0) * 1024;
  start.probe_switches = PeakProbe::get().own_switches();
  start.switches = rusage_switches();
  return start;
}

RunCost run_end(const RunStart& start, const ReadText& read) {
  // The switches first: disarm() may wait for the probe's thread, a switch of this one.
  const Switches now = rusage_switches();
  const Switches probe = PeakProbe::get().own_switches();
  RunCost cost;
  if (start.armed) {
    if (const auto peak = PeakProbe::get().disarm()) {
      cost.workers_growth_bytes = workers_growth_bytes(start.idle, peak->levels);
      cost.kernel_bytes_per_task = kernel_bytes_per_task(start.idle, peak->levels, peak->inflight);
    }
  }
  const std::string status = read("/proc/self/status").value_or("");
  const std::int64_t hwm = proc_field(status, "VmHWM:").value_or(0) * 1024;
  if (start.peak_reset) cost.peak_rss_above_start = std::max<std::int64_t>(hwm - start.rss_bytes, 0);
  cost.switches = {now.voluntary - start.switches.voluntary -
                       (probe.voluntary - start.probe_switches.voluntary),
                   now.involuntary - start.switches.involuntary -
                       (probe.involuntary - start.probe_switches.involuntary)};
  return cost;
}

std::optional<double> user_bytes_per_task(const RunCost& cost, int holding) {
  if (!cost.peak_rss_above_start) return std::nullopt;
  return static_cast<double>(*cost.peak_rss_above_start + cost.workers_growth_bytes) /
         std::max(holding, 1);
}

}  // namespace cvp
