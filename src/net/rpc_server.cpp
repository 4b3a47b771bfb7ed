// net_rpc's server: one libuv loop on one thread answering every connection.
#include "net/rpc_server.hpp"

#include <cstring>
#include <stdexcept>
#include <string>

#include "models/uv_check.hpp"

namespace cvp::rpc {

struct Server::Conn {
  explicit Conn(Server* s) : server(s) {}
  Server* server;
  uv_tcp_t tcp{};
  uv_timer_t delay{};
  uv_write_t write{};
  RequestBytes request{};
  std::size_t got = 0;
  Request current;
  std::vector<std::uint8_t> reply;
  int open_handles = 0;
  bool closing = false;
  Conn* prev = nullptr;
  Conn* next = nullptr;
};

Server::Server(uv_loop_t* loop) : loop_(loop) {
  check_uv(uv_tcp_init(loop_, &listener_), "uv_tcp_init");
  listener_.data = this;
}

Server::~Server() { close(); }

int Server::listen(int port, int backlog) {
  sockaddr_in addr{};
  check_uv(uv_ip4_addr("127.0.0.1", port, &addr), "uv_ip4_addr");
  check_uv(uv_tcp_bind(&listener_, reinterpret_cast<const sockaddr*>(&addr), 0), "uv_tcp_bind");
  check_uv(uv_listen(reinterpret_cast<uv_stream_t*>(&listener_), backlog, connection_cb),
           "uv_listen");
  sockaddr_storage bound{};
  int len = sizeof bound;
  check_uv(uv_tcp_getsockname(&listener_, reinterpret_cast<sockaddr*>(&bound), &len),
           "uv_tcp_getsockname");
  return ntohs(reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
}

void Server::close() {
  if (!uv_is_closing(reinterpret_cast<uv_handle_t*>(&listener_))) {
    uv_close(reinterpret_cast<uv_handle_t*>(&listener_), nullptr);
  }
  // drop() only starts closing: the list changes in close_cb, later.
  for (Conn* c = conns_; c != nullptr; c = c->next) drop(*c);
}

void Server::connection_cb(uv_stream_t* listener, int status) {
  auto& self = *static_cast<Server*>(listener->data);
  if (status != 0) return;  // a failed accept leaves the others served
  auto* c = new Conn(&self);
  uv_tcp_init(self.loop_, &c->tcp);
  uv_timer_init(self.loop_, &c->delay);
  c->tcp.data = c;
  c->delay.data = c;
  c->write.data = c;
  c->open_handles = 2;
  c->next = self.conns_;
  if (self.conns_ != nullptr) self.conns_->prev = c;
  self.conns_ = c;
  if (uv_accept(listener, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0 ||
      uv_read_start(reinterpret_cast<uv_stream_t*>(&c->tcp), alloc_cb, read_cb) != 0) {
    self.drop(*c);
    return;
  }
  // Replies are small and latency is what is measured: no Nagle delay.
  uv_tcp_nodelay(&c->tcp, 1);
}

void Server::alloc_cb(uv_handle_t* handle, std::size_t, uv_buf_t* buf) {
  // Reads land in the request buffer, never past one request: a client
  // sends its next request only after the reply to the last.
  auto& c = *static_cast<Conn*>(handle->data);
  *buf = uv_buf_init(reinterpret_cast<char*>(c.request.data()) + c.got,
                     static_cast<unsigned>(kRequestBytes - c.got));
}

void Server::read_cb(uv_stream_t* stream, ssize_t nread, const uv_buf_t*) {
  auto& c = *static_cast<Conn*>(stream->data);
  Server& self = *c.server;
  if (nread == 0) return;  // EAGAIN
  if (nread < 0) {  // UV_EOF or a reset: the client is done with it
    self.drop(c);
    return;
  }
  c.got += static_cast<std::size_t>(nread);
  if (c.got < kRequestBytes) return;
  c.got = 0;
  const auto r = decode(c.request);
  if (!r) {
    ++self.refused_;
    self.drop(c);
    return;
  }
  c.current = *r;
  uv_read_stop(stream);
  if (r->delay_us == 0) {
    self.reply(c);
    return;
  }
  // libuv timers count whole milliseconds: a delay is at least what was asked.
  const std::uint64_t ms = (r->delay_us + 999) / 1000;
  if (uv_timer_start(&c.delay, delay_cb, ms, 0) != 0) self.drop(c);
}

void Server::delay_cb(uv_timer_t* timer) {
  auto& c = *static_cast<Conn*>(timer->data);
  c.server->reply(c);
}

void Server::reply(Conn& c) {
  c.reply.resize(c.current.reply_bytes);
  fill_reply(c.current.index, c.reply);
  uv_buf_t buf = uv_buf_init(reinterpret_cast<char*>(c.reply.data()),
                             static_cast<unsigned>(c.reply.size()));
  if (uv_write(&c.write, reinterpret_cast<uv_stream_t*>(&c.tcp), &buf, 1, write_cb) != 0) {
    drop(c);
  }
}

void Server::write_cb(uv_write_t* req, int status) {
  auto& c = *static_cast<Conn*>(req->data);
  Server& self = *c.server;
  if (status != 0) {
    self.drop(c);
    return;
  }
  ++self.answered_;
  if ((c.current.flags & kCloseAfterReply) != 0) {
    // The server closes first, so the TIME_WAIT is its own and the client's
    // ephemeral ports are not held across repetitions.
    self.drop(c);
    return;
  }
  if (uv_read_start(reinterpret_cast<uv_stream_t*>(&c.tcp), alloc_cb, read_cb) != 0) self.drop(c);
}

void Server::drop(Conn& c) {
  if (c.closing) return;
  c.closing = true;
  uv_close(reinterpret_cast<uv_handle_t*>(&c.tcp), close_cb);
  uv_close(reinterpret_cast<uv_handle_t*>(&c.delay), close_cb);
}

void Server::close_cb(uv_handle_t* handle) {
  auto* c = static_cast<Conn*>(handle->data);
  if (--c->open_handles > 0) return;
  Server& self = *c->server;
  if (c->prev != nullptr) c->prev->next = c->next;
  if (c->next != nullptr) c->next->prev = c->prev;
  if (self.conns_ == c) self.conns_ = c->next;
  delete c;
}

}  // namespace cvp::rpc
