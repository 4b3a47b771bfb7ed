// The one-line error every harness ends with, with control characters made visible.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>

namespace cvp::bench {

// `text` with every control character (below 0x20, and 0x7f) written as
// \xNN: a value from the command line echoed in a message can then neither
// clear nor recolour the terminal, nor split the line.
std::string escape_controls(std::string_view text);

// Prints "PROG: error: MESSAGE\n" to `out`, MESSAGE escaped.
void print_error(std::string_view prog, std::string_view message, std::FILE* out = stderr);

}  // namespace cvp::bench
