// Validation of every user-chosen parameter, with one message naming the bad value.
#pragma once

#include <cstdint>
#include <string_view>

namespace cvp {

// Upper bounds a run may ask for. They keep a typo (an extra zero or two) from
// turning into an hour-long run or an out-of-memory kill, and are far above
// anything the profiles use.
inline constexpr std::int64_t kMaxTasks = 1'000'000;
inline constexpr std::int64_t kMaxWorkers = 256;
inline constexpr std::int64_t kMaxSleepUs = 10'000'000;      // 10 s per task
inline constexpr std::int64_t kMaxBytes = 64 * 1024 * 1024;  // 64 MiB per message
inline constexpr std::int64_t kMaxRounds = 1'000'000;

// Each throws std::invalid_argument("<what> is <value>; allowed: <range>")
// when the value is out of range, and returns it otherwise.
int check_tasks(std::int64_t tasks);
int check_workers(std::int64_t workers);
std::int64_t check_sleep_us(std::int64_t sleep_us);
std::int64_t check_bytes(std::int64_t bytes);
int check_rounds(std::int64_t rounds);

// Throws std::invalid_argument unless `value` is an integer in [lo, hi].
std::int64_t check_range(std::string_view what, std::int64_t value, std::int64_t lo,
                         std::int64_t hi);

}  // namespace cvp
