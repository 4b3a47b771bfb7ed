// The bare primitives' checks of POSIX and libuv return codes, shared by bare.cpp and
// bare_rounds.cpp.
#pragma once

#include <uv.h>

#include <cerrno>
#include <stdexcept>
#include <string>
#include <system_error>

namespace cvp::bench::bare_checks {

// Throws the errno the failed call `what` left.
[[noreturn]] inline void fail(const char* what) {
  throw std::system_error(errno, std::generic_category(), what);
}

// Throws for a libuv return code other than 0, naming the call.
inline void uv_ok(int rc, const char* what) {
  if (rc != 0) throw std::runtime_error(std::string(what) + ": " + uv_strerror(rc));
}

}  // namespace cvp::bench::bare_checks
