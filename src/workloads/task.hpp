// One task in flight: the steps it takes and what it waits on between them.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <variant>
#include <vector>

#include "sha256.hpp"

namespace cvp {

// A task is CPU steps separated by waits. The workload says what each wait
// is; a model says only how it waits: a thread or a process blocks through
// it (blocking_task.hpp), an event loop starts it and moves on to other
// tasks (loop_wait.hpp). A new kind of IO adds a wait here, the workload
// that asks for it, and its two forms: no model changes.

// Nothing to wait on: the task has finished and its digest is final.
struct TaskDone {};

// A wait of a fixed duration that uses no CPU (simulated IO).
struct SleepFor {
  std::chrono::nanoseconds duration{};
};

// A request sent over TCP on loopback and its reply of a known size
// received (net_rpc). On a connection opened before timing (kept_fd), or on
// a connection of its own: connect to `port`, send, receive the reply, then
// the end of the stream (the server closes first), close.
struct Exchange {
  static constexpr std::size_t kRequestBytes = 20;
  int kept_fd = -1;  // -1: a connection for this exchange alone
  int port = 0;
  std::array<std::uint8_t, kRequestBytes> request{};
  std::uint32_t reply_bytes = 0;  // what arrives in TaskState::received
  // The longest the exchange may go with no byte moved before it fails: a
  // server that is stopped never closes its end.
  std::chrono::milliseconds idle_limit{0};
};

// `bytes` bytes of the file open as `fd`, read from `offset` into
// TaskState::received (file_read). What arrives is what was read: a read
// that meets the end of the file leaves received shorter than `bytes`, for
// the workload to judge; a read error ends the wait with that error.
struct ReadAt {
  int fd = -1;
  std::int64_t offset = 0;
  std::uint32_t bytes = 0;
};

using Wait = std::variant<TaskDone, SleepFor, Exchange, ReadAt>;

// Where one task is: its index, the steps it has taken, its digest so far,
// and what its last wait brought back. A model keeps one per task in flight
// and hands it back to the workload after every wait.
struct TaskState {
  int index = 0;
  int step = 0;
  Digest digest{};
  std::vector<std::uint8_t> received;

  // Back to the first step of task `i`, keeping the buffer's capacity.
  void restart(int i) {
    index = i;
    step = 0;
    digest = Digest{};
    received.clear();
  }
};

inline bool finished(const Wait& w) { return std::holds_alternative<TaskDone>(w); }

}  // namespace cvp
