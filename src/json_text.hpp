// JSON string literals for the JSON the suite writes itself (registry rows, traces, context).
#pragma once

#include <string>
#include <string_view>

namespace cvp {

// `s` as a JSON string literal. The suite's strings are names, numbers and
// sentences: quotes and backslashes are what needs escaping.
inline std::string json_quoted(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace cvp
