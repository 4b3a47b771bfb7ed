// libuv return codes turned into exceptions, where each call is made.
#pragma once

#include <uv.h>

#include <stdexcept>
#include <string>

namespace cvp {

// Throws std::runtime_error("<what>: <libuv's message>") for a non-zero `rc`.
inline void check_uv(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + uv_strerror(rc));
}

}  // namespace cvp
