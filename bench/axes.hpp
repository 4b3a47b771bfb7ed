// The axis table: every benchmark parameter once, driving its flag, help, name, counter and check.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace cvp::bench {

// One benchmark: a model with W workers running a workload of N tasks.
struct Point {
  std::string model;
  std::int64_t tasks = 1;
  std::int64_t workers = 1;
  std::int64_t sleep_us = 0;
  std::int64_t bytes = 0;
  std::int64_t rounds = 0;
  std::int64_t cpu_share_pct = 0;  // mixed: the CPU share of a task, in percent
  std::int64_t lock = 0;           // shared_counter: 1 when each task holds a lock
  std::int64_t wait = 0;           // shared_counter: 1 when the wait is between read and write
  std::int64_t conn_per_task = 0;  // net_rpc: 1 for a connection per task, 0 for kept ones
  std::int64_t cold = 0;           // file_read: 1 when the page cache is dropped before each run
  bool operator==(const Point&) const = default;
};

enum class AxisId { kTasks, kWorkers, kSleepUs, kBytes, kRounds, kCpuSharePct, kLock, kWait,
                    kConnPerTask, kCold };

// When an axis appears in a benchmark's name.
enum class InName {
  kAlways,
  kIfWorkloadWaits,  // sleep_us: for every workload but pure hashing
  kIfPositive,       // bytes
  kIfNotDefault,     // rounds: only when not the harness's default for the size
  kNever,            // cpu_share_pct: it shows as sleep_us and bytes
  kIfHarnessNames,   // lock, wait: only for the harness that varies them
  kIfConnections,    // conn_per_task: only for the harness of connections
  kIfCache,          // cold: only for the harness of files
};

struct Axis {
  AxisId id;
  std::string_view name;  // the flag (--name), the name component and the counter
  std::string_view help;  // one line for --help
  std::int64_t lo, hi;    // allowed values
  std::int64_t Point::*field;
  InName in_name;
};

// Every axis, in name order.
std::span<const Axis> axes();
const Axis& axis(AxisId id);
// The axis whose flag is `name`, or nullptr.
const Axis* find_axis(std::string_view name);

// Throws std::invalid_argument("<axis> is <v>; allowed: <lo> to <hi>").
std::int64_t check(const Axis& a, std::int64_t v);

// A comma-separated list of whole numbers, strictly: no spaces, no signs
// other than a leading '-', no empty items. Throws std::invalid_argument
// naming the flag and the bad item.
std::vector<std::int64_t> parse_list(std::string_view flag, std::string_view value);

// What a name needs to know of the harness.
struct NameRules {
  bool workload_waits = true;
  bool names_lock_and_wait = false;
  bool names_connections = false;
  bool names_cache = false;
  // The rounds a message size gets when none is asked for; rounds appear in
  // a name only when they differ from it. Null: rounds are derived from
  // other axes and never named.
  std::int64_t (*default_rounds)(std::int64_t bytes) = nullptr;
};

// `<workload>/<model>/tasks:<N>/workers:<W>[/sleep_us:<T>][/bytes:<B>][/rounds:<R>]`
std::string benchmark_name(std::string_view workload, const Point& p, const NameRules& rules);

}  // namespace cvp::bench
