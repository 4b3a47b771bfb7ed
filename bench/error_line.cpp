// The one-line error every harness ends with, with control characters made visible.
#include "error_line.hpp"

namespace cvp::bench {

std::string escape_controls(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    } else {
      out += c;
    }
  }
  return out;
}

void print_error(std::string_view prog, std::string_view message, std::FILE* out) {
  const std::string line = std::string(prog) + ": error: " + escape_controls(message) + "\n";
  std::fputs(line.c_str(), out);
}

}  // namespace cvp::bench
