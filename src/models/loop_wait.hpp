// A task's wait on a libuv loop: the event-loop form of every kind of wait.
#pragma once

#include <uv.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "workloads/task.hpp"

namespace cvp {

// One task slot's handles on a loop and the wait it is in. A loop model
// keeps one per task in flight, at a fixed address (libuv holds pointers to
// the handles), and starts each wait its task asks for; `done` runs on the
// loop thread when the wait is over. The blocking form of the same waits
// is wait_blocking (blocking_task.hpp).
class LoopWait {
 public:
  // status is 0, or the libuv error that ended the wait.
  using Done = void (*)(LoopWait& wait, int status);

  LoopWait() = default;
  LoopWait(const LoopWait&) = delete;
  LoopWait& operator=(const LoopWait&) = delete;

  // Once, before the first start(); `owner` is the model's task.
  void init(uv_loop_t* loop, void* owner);
  // Before timing: the connection this slot's exchanges use (a workload's
  // kept_fd), wrapped in a uv_tcp_t of the slot's own (a duplicate of the
  // descriptor: the workload keeps its own and its connection).
  void adopt(int kept_fd);
  // Closes the handles; their close callbacks run on the loop's next turn.
  // An adopted connection is handed back in blocking mode.
  void close();
  // Starts `wait` (not TaskDone) for the task in `s`; s must outlive it.
  void start(const Wait& wait, TaskState& s, Done done);
  // Abandons the wait in progress (a failed run), so the loop can end. A
  // file read already running on libuv's threadpool cannot be called back:
  // it finishes into a buffer of its own, which its callback frees. An
  // adopted connection in the middle of an exchange is shut down
  // (rpc::abandon), as after a failed exchange.
  void stop();
  // What a wait that ended with `status` (not 0) says: an exchange names
  // its port, and its idle limit when it outlived it; otherwise libuv's
  // message.
  std::string failure(int status) const;

  void* owner() const { return owner_; }
  uv_loop_t* loop() const { return timer_.loop; }

  // libuv 1.44 timers count whole milliseconds from a loop clock that is read
  // once per loop turn, so a timer can fire up to a millisecond before its
  // task has waited T. A wait is armed as ceil(T) ms and, if it fires early
  // by uv_hrtime(), re-armed for what is left: never shorter than T.
  static std::uint64_t timeout_ms(std::chrono::nanoseconds wait);

 private:
  static void timer_cb(uv_timer_t* handle);
  int arm(std::uint64_t wait_ns);
  // The exchange's steps: connect (own connection), write and read, then
  // the server's end of stream and a close (own connection).
  void start_exchange(const Exchange& e);
  int send_request();
  static void connect_cb(uv_connect_t* req, int status);
  static void write_cb(uv_write_t* req, int status);
  static void alloc_cb(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void tcp_closed_cb(uv_handle_t* handle);
  // Ends the exchange once, with the first failure if any.
  void end_exchange(int status);
  void settle();
  // A file read: uv_fs_read on libuv's threadpool (its "async" file IO is
  // a pool thread's pread), repeated for the rest until the file ends.
  void start_read(const ReadAt& r);
  int submit_read();
  static void fs_read_cb(uv_fs_t* req);

  // One read in progress: the request and the buffer it fills, apart from
  // the slot so that an abandoned read (stop) can finish and free itself.
  struct FsRead {
    uv_fs_t req{};
    std::vector<std::uint8_t> buf;
    ReadAt read;
    std::size_t got = 0;
    LoopWait* owner = nullptr;  // null once abandoned
  };

  // The exchange's idle limit (Exchange::idle_limit) on the slot's timer.
  int arm_idle_timer();
  void moved();
  void idle_timer_cb();
  void abandon_adopted();

  enum class Tcp { kNone, kAdopted, kOwn };

  uv_timer_t timer_{};
  uv_tcp_t tcp_{};
  uv_connect_t connect_{};
  uv_write_t write_{};
  Tcp tcp_kind_ = Tcp::kNone;
  int adopted_from_ = -1;
  Exchange exchange_;
  std::unique_ptr<FsRead> read_;
  bool in_read_ = false;
  std::size_t got_ = 0;
  std::uint8_t excess_ = 0;  // where a byte past the reply would land
  bool written_ = false, replied_ = false, in_exchange_ = false, done_on_close_ = false;
  bool exchanging_ = false;  // the wait started last is an exchange
  int status_ = 0;
  void* owner_ = nullptr;
  Done done_ = nullptr;
  TaskState* state_ = nullptr;
  std::uint64_t wait_ns_ = 0;
  std::uint64_t wait_start_ns_ = 0;
  std::uint64_t last_moved_ms_ = 0;  // loop time an exchange last moved a byte
};

}  // namespace cvp
