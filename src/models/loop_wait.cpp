// A task's wait on a libuv loop: the event-loop form of every kind of wait.
#include "models/loop_wait.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <system_error>
#include <type_traits>

#include "models/uv_check.hpp"
#include "net/blocking_socket.hpp"

namespace cvp {

void LoopWait::init(uv_loop_t* loop, void* owner) {
  check_uv(uv_timer_init(loop, &timer_), "uv_timer_init");
  timer_.data = this;
  owner_ = owner;
}

void LoopWait::adopt(int kept_fd) {
  if (tcp_kind_ == Tcp::kAdopted && adopted_from_ == kept_fd) return;
  if (tcp_kind_ != Tcp::kNone) throw std::logic_error("LoopWait::adopt: the slot has a connection");
  const int fd = ::fcntl(kept_fd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) throw std::system_error(errno, std::generic_category(), "fcntl F_DUPFD_CLOEXEC");
  check_uv(uv_tcp_init(timer_.loop, &tcp_), "uv_tcp_init");
  tcp_.data = this;
  if (const int rc = uv_tcp_open(&tcp_, fd); rc != 0) {
    ::close(fd);
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), nullptr);
    check_uv(rc, "uv_tcp_open");
  }
  tcp_kind_ = Tcp::kAdopted;
  adopted_from_ = kept_fd;
}

void LoopWait::close() {
  uv_close(reinterpret_cast<uv_handle_t*>(&timer_), nullptr);
  if (tcp_kind_ == Tcp::kNone || uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp_))) return;
  uv_os_fd_t fd = -1;
  if (tcp_kind_ == Tcp::kAdopted && uv_fileno(reinterpret_cast<uv_handle_t*>(&tcp_), &fd) == 0) {
    // uv_tcp_open made the shared connection non-blocking; the workload's
    // blocking users get it back as they gave it.
    if (const int flags = ::fcntl(fd, F_GETFL); flags >= 0) ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
  }
  uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), nullptr);
}

std::uint64_t LoopWait::timeout_ms(std::chrono::nanoseconds wait) {
  if (wait <= std::chrono::nanoseconds::zero()) return 0;
  return static_cast<std::uint64_t>(std::chrono::ceil<std::chrono::milliseconds>(wait).count());
}

void LoopWait::start(const Wait& wait, TaskState& s, Done done) {
  state_ = &s;
  done_ = done;
  exchanging_ = std::holds_alternative<Exchange>(wait);
  std::visit(
      [this](const auto& w) {
        using W = std::decay_t<decltype(w)>;
        if constexpr (std::is_same_v<W, Exchange>) {
          start_exchange(w);
        } else if constexpr (std::is_same_v<W, ReadAt>) {
          start_read(w);
        } else if constexpr (std::is_same_v<W, SleepFor>) {
          wait_ns_ = static_cast<std::uint64_t>(w.duration.count());
          wait_start_ns_ = uv_hrtime();
          // The loop's clock was read when this turn began; without an
          // update, the compute time already spent this turn would count
          // towards the wait.
          uv_update_time(timer_.loop);
          check_uv(arm(wait_ns_), "uv_timer_start");
        } else {
          static_assert(std::is_same_v<W, TaskDone>, "a wait without a loop form");
          done_(*this, 0);
        }
      },
      wait);
}

void LoopWait::stop() {
  uv_timer_stop(&timer_);
  if (in_read_) {
    in_read_ = false;
    // Cancelled if still queued, else left to finish: either way its
    // callback runs once and frees it.
    FsRead* abandoned = read_.release();
    abandoned->owner = nullptr;
    uv_cancel(reinterpret_cast<uv_req_t*>(&abandoned->req));
  }
  if (!in_exchange_) return;
  // No callback of the abandoned exchange may end a wait: in_exchange_ off.
  in_exchange_ = false;
  done_on_close_ = false;
  if (tcp_kind_ == Tcp::kAdopted) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    abandon_adopted();
  } else if (tcp_kind_ == Tcp::kOwn && !uv_is_closing(reinterpret_cast<uv_handle_t*>(&tcp_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), tcp_closed_cb);
  }
}

void LoopWait::start_exchange(const Exchange& e) {
  exchange_ = e;
  got_ = 0;
  written_ = replied_ = false;
  status_ = 0;
  state_->received.resize(e.reply_bytes);
  if (e.kept_fd >= 0) {
    adopt(e.kept_fd);  // at once when the model adopted it before timing
    in_exchange_ = true;
    check_uv(arm_idle_timer(), "uv_timer_start");
    check_uv(send_request(), "uv_write");
    check_uv(uv_read_start(reinterpret_cast<uv_stream_t*>(&tcp_), alloc_cb, read_cb),
             "uv_read_start");
    return;
  }
  if (tcp_kind_ != Tcp::kNone) throw std::logic_error("LoopWait: the slot's connection is busy");
  sockaddr_in addr{};
  check_uv(uv_ip4_addr("127.0.0.1", e.port, &addr), "uv_ip4_addr");
  check_uv(uv_tcp_init(timer_.loop, &tcp_), "uv_tcp_init");
  tcp_.data = this;
  tcp_kind_ = Tcp::kOwn;
  in_exchange_ = true;
  check_uv(arm_idle_timer(), "uv_timer_start");
  connect_.data = this;
  if (const int rc = uv_tcp_connect(&connect_, &tcp_, reinterpret_cast<const sockaddr*>(&addr),
                                    connect_cb);
      rc != 0) {
    end_exchange(rc);
  }
}

int LoopWait::send_request() {
  write_.data = this;
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(exchange_.request.data()),
                             static_cast<unsigned>(exchange_.request.size()));
  return uv_write(&write_, reinterpret_cast<uv_stream_t*>(&tcp_), &buf, 1, write_cb);
}

void LoopWait::connect_cb(uv_connect_t* req, int status) {
  auto& self = *static_cast<LoopWait*>(req->data);
  if (!self.in_exchange_) return;
  if (status != 0) return self.end_exchange(status);
  self.moved();
  uv_tcp_nodelay(&self.tcp_, 1);
  if (const int rc = self.send_request(); rc != 0) return self.end_exchange(rc);
  if (const int rc =
          uv_read_start(reinterpret_cast<uv_stream_t*>(&self.tcp_), alloc_cb, read_cb);
      rc != 0) {
    self.end_exchange(rc);
  }
}

void LoopWait::write_cb(uv_write_t* req, int status) {
  auto& self = *static_cast<LoopWait*>(req->data);
  if (!self.in_exchange_) return;
  if (status != 0) return self.end_exchange(status);
  self.moved();
  self.written_ = true;
  self.settle();
}

void LoopWait::alloc_cb(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  // The reply lands in the task's buffer; a byte past it, in excess_ (an
  // error: the server sent more than was asked).
  auto& self = *static_cast<LoopWait*>(handle->data);
  std::vector<std::uint8_t>& into = self.state_->received;
  if (self.got_ < into.size()) {
    *buf = uv_buf_init(reinterpret_cast<char*>(into.data() + self.got_),
                       static_cast<unsigned>(into.size() - self.got_));
  } else {
    *buf = uv_buf_init(reinterpret_cast<char*>(&self.excess_), 1);
  }
}

void LoopWait::read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  auto& self = *static_cast<LoopWait*>(stream->data);
  if (!self.in_exchange_ || nread == 0) return;
  const std::size_t want = self.exchange_.reply_bytes;
  if (nread == UV_EOF && self.got_ == want && self.tcp_kind_ == Tcp::kOwn) {
    self.replied_ = true;  // the server closed first, after the whole reply
    return self.settle();
  }
  if (nread < 0) return self.end_exchange(static_cast<int>(nread));
  if (self.got_ >= want) return self.end_exchange(UV_EPROTO);  // more than the reply
  self.moved();
  self.got_ += static_cast<std::size_t>(nread);
  if (self.got_ == want && self.tcp_kind_ == Tcp::kAdopted) {
    uv_read_stop(stream);
    self.replied_ = true;
    self.settle();
  }
}

void LoopWait::settle() {
  if (written_ && replied_) end_exchange(0);
}

void LoopWait::end_exchange(int status) {
  if (!in_exchange_) return;
  in_exchange_ = false;
  status_ = status;
  uv_timer_stop(&timer_);
  if (tcp_kind_ == Tcp::kOwn) {
    // The slot's next exchange may start only once the handle is closed.
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    done_on_close_ = true;
    uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), tcp_closed_cb);
    return;
  }
  if (status != 0) {
    uv_read_stop(reinterpret_cast<uv_stream_t*>(&tcp_));
    abandon_adopted();
  }
  done_(*this, status);
}

void LoopWait::tcp_closed_cb(uv_handle_t* handle) {
  auto& self = *static_cast<LoopWait*>(handle->data);
  self.tcp_kind_ = Tcp::kNone;
  if (self.done_on_close_) {
    self.done_on_close_ = false;
    self.done_(self, self.status_);
  }
}

void LoopWait::start_read(const ReadAt& r) {
  if (!read_) read_ = std::make_unique<FsRead>();
  read_->req.data = read_.get();
  read_->owner = this;
  read_->read = r;
  read_->got = 0;
  read_->buf.resize(r.bytes);
  check_uv(submit_read(), "uv_fs_read");
  in_read_ = true;
}

int LoopWait::submit_read() {
  FsRead& f = *read_;
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(f.buf.data() + f.got),
                             static_cast<unsigned>(f.read.bytes - f.got));
  return uv_fs_read(timer_.loop, &f.req, f.read.fd, &buf, 1,
                    f.read.offset + static_cast<std::int64_t>(f.got), fs_read_cb);
}

void LoopWait::fs_read_cb(uv_fs_t* req) {
  auto* f = static_cast<FsRead*>(req->data);
  const auto n = static_cast<std::int64_t>(req->result);
  uv_fs_req_cleanup(req);
  if (f->owner == nullptr) {  // abandoned by stop()
    delete f;
    return;
  }
  LoopWait& self = *f->owner;
  if (n < 0) {
    self.in_read_ = false;
    return self.done_(self, static_cast<int>(n));
  }
  f->got += static_cast<std::size_t>(n);
  if (n > 0 && f->got < f->read.bytes) {
    if (const int rc = self.submit_read(); rc != 0) {
      self.in_read_ = false;
      self.done_(self, rc);
    }
    return;
  }
  // The whole read, or as much as the file held: the task's to judge.
  self.in_read_ = false;
  f->buf.resize(f->got);
  self.state_->received.swap(f->buf);
  self.done_(self, 0);
}

int LoopWait::arm(std::uint64_t wait_ns) {
  return uv_timer_start(&timer_, timer_cb, timeout_ms(std::chrono::nanoseconds(wait_ns)), 0);
}

void LoopWait::timer_cb(uv_timer_t* handle) {
  auto& self = *static_cast<LoopWait*>(handle->data);
  if (self.in_exchange_) return self.idle_timer_cb();
  const std::uint64_t waited = uv_hrtime() - self.wait_start_ns_;
  if (waited < self.wait_ns_) {
    // Fired early (the loop clock counts whole milliseconds): wait out the rest.
    uv_update_time(handle->loop);
    // No exception may cross libuv: a failure ends the wait with its status.
    if (const int rc = self.arm(self.wait_ns_ - waited); rc != 0) self.done_(self, rc);
    return;
  }
  self.done_(self, 0);
}

// The idle limit is checked lazily: a byte moved only notes the time, and
// the timer, when it fires, re-arms itself for what is left of the limit
// since then, so an exchange costs one timer start, not one per read.
int LoopWait::arm_idle_timer() {
  moved();
  if (exchange_.idle_limit.count() <= 0) return 0;
  return uv_timer_start(&timer_, timer_cb, static_cast<std::uint64_t>(exchange_.idle_limit.count()),
                        0);
}

void LoopWait::moved() { last_moved_ms_ = uv_now(timer_.loop); }

void LoopWait::idle_timer_cb() {
  const auto limit = static_cast<std::uint64_t>(exchange_.idle_limit.count());
  const std::uint64_t idle = uv_now(timer_.loop) - last_moved_ms_;
  if (idle >= limit) return end_exchange(UV_ETIMEDOUT);
  if (const int rc = uv_timer_start(&timer_, timer_cb, limit - idle, 0); rc != 0) end_exchange(rc);
}

void LoopWait::abandon_adopted() {
  uv_os_fd_t fd = -1;
  if (tcp_kind_ == Tcp::kAdopted && uv_fileno(reinterpret_cast<uv_handle_t*>(&tcp_), &fd) == 0) {
    rpc::abandon(fd);
  }
}

std::string LoopWait::failure(int status) const {
  if (!exchanging_) return std::string("task wait: ") + uv_strerror(status);
  const std::string with = "exchange with 127.0.0.1:" + std::to_string(exchange_.port) + ": ";
  if (status == UV_ETIMEDOUT && exchange_.idle_limit.count() > 0) {
    char limit[32];
    std::snprintf(limit, sizeof limit, "%.1f",
                  static_cast<double>(exchange_.idle_limit.count()) / 1e3);
    return with + "no byte moved for " + limit + " s (is the server stopped?)";
  }
  if (status == UV_EOF) {
    return with + "the server closed the connection after " + std::to_string(got_) + " of " +
           std::to_string(exchange_.reply_bytes) + " bytes";
  }
  return with + uv_strerror(status);
}

}  // namespace cvp
