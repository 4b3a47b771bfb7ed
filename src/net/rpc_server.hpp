// net_rpc's server: one libuv loop on one thread answering every connection.
#pragma once

#include <uv.h>

#include <cstdint>
#include <vector>

#include "net/rpc_protocol.hpp"

namespace cvp::rpc {

// Accepts loopback connections and answers each request after its delay
// with its reply. As cheap as a server can be, so that the client's costs
// are what a run measures: one thread, a timer per delayed reply, a reply
// buffer per connection reused across its requests. A bad request closes
// its connection and nothing else.
class Server {
 public:
  explicit Server(uv_loop_t* loop);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Listens on 127.0.0.1, on `port` (0: any free port); returns the port.
  int listen(int port = 0, int backlog = 4096);
  // Stops accepting and closes every connection; the loop then ends once
  // the close callbacks have run.
  void close();

  std::int64_t requests_answered() const { return answered_; }
  std::int64_t requests_refused() const { return refused_; }

 private:
  struct Conn;
  static void connection_cb(uv_stream_t* listener, int status);
  static void alloc_cb(uv_handle_t* handle, std::size_t suggested, uv_buf_t* buf);
  static void read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t* buf);
  static void delay_cb(uv_timer_t* timer);
  static void write_cb(uv_write_t* req, int status);
  static void close_cb(uv_handle_t* handle);
  void reply(Conn& c);
  void drop(Conn& c);

  uv_loop_t* loop_;
  uv_tcp_t listener_{};
  Conn* conns_ = nullptr;  // every open connection, a doubly linked list
  std::int64_t answered_ = 0;
  std::int64_t refused_ = 0;
};

}  // namespace cvp::rpc
