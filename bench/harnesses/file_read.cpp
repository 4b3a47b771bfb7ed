// file_read harness: real disk IO, reads of a file made before timing, page cache warm or cold.
#include "workloads/file_read.hpp"

#include <filesystem>
#include <memory>

#include "bare.hpp"
#include "grid_facts.hpp"
#include "harnesses.hpp"
#include "io/data_file.hpp"
#include "sysinfo.hpp"

namespace {

using cvp::bench::AxisId;
using cvp::bench::Point;

std::filesystem::path& data_dir() {
  static std::filesystem::path dir = cvp::default_data_dir();
  return dir;
}

// One file for every file_read workload of the process, made with the first
// one: before any benchmark runs, so a directory that cannot hold it is
// refused as bad input.
std::shared_ptr<const cvp::DataFile> shared_file() {
  static const auto file = std::make_shared<const cvp::DataFile>(data_dir());
  return file;
}

// The worker series is capped as io_sleep's and net_rpc's are (max_run_s in
// bench/grid_facts.json); with no sleep in a file read, no point is cut by it.
bool fits_budget(const Point& p) {
  static const double max_run_s = cvp::bench::fact_number("file_read.max_run_s");
  return cvp::bench::worker_series_fits(p, max_run_s);
}

// The bare primitive in the row's page cache state: N preads of B bytes.
double bare_preads(const cvp::Workload& w) {
  const auto& f = dynamic_cast<const cvp::FileRead&>(w);
  f.before_run();
  return cvp::bench::pread_seconds(f.file().fd(), f.tasks(), f.params().bytes);
}

}  // namespace

namespace cvp::bench {

Harness file_read_harness() {
  const std::int64_t bytes = fact_int("file_read.axes.bytes");
  Harness h{"file_read",
            "real disk IO: each task reads B bytes of a 64 MiB file at an offset derived from its "
            "index, with the page cache warm or dropped before each run",
            {AxisId::kBytes, AxisId::kCold},
            {.workload_waits = false, .names_cache = true},
            grid_rows("file_read", cvp::usable_cpus()),
            // Every model runs: a read is a wait even with no sleep, so the loops
            // that differ only in how they wait differ here (worth_running would
            // drop them).
            {.keep = fits_budget},
            {{AxisId::kTasks, {100}},
             {AxisId::kWorkers, {2}},
             {AxisId::kBytes, {bytes}},
             {AxisId::kCold, {0}}},
            [](const Point& p) -> std::unique_ptr<cvp::Workload> {
              return std::make_unique<cvp::FileRead>(p.tasks, p.bytes, p.cold != 0, shared_file());
            }};
  h.own_flags = {{"data-dir", "DIR",
                  "where the 64 MiB data file goes (default $CVP_DATA_DIR, else /var/tmp)",
                  [](const std::string& dir) { data_dir() = dir; }}};
  h.bare_run = bare_preads;
  return h;
}

}  // namespace cvp::bench
