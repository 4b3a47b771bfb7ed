// net_rpc's server process: one libuv loop on one thread, on a free loopback port.
//
// Started by the net_rpc harness before timing; prints "listening <port>"
// once it listens, then answers until it is killed (SIGTERM from the
// harness, or SIGKILL when the harness dies: PR_SET_PDEATHSIG).
#include <signal.h>
#include <uv.h>

#include <cstdio>
#include <exception>

#include "net/rpc_server.hpp"

int main() {
  // A client that closes before its reply must not kill the server.
  signal(SIGPIPE, SIG_IGN);
  try {
    uv_loop_t* loop = uv_default_loop();
    cvp::rpc::Server server(loop);
    const int port = server.listen();
    std::printf("listening %d\n", port);
    std::fflush(stdout);
    return uv_run(loop, UV_RUN_DEFAULT) == 0 ? 0 : 1;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "net_rpc_server: %s\n", e.what());
    return 1;
  }
}
