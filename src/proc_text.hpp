// Reading /proc files as text through a function a test can replace with fixed text.
#pragma once

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <fstream>
#include <functional>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>

namespace cvp {

// The text of a file, or nullopt when it cannot be read.
using ReadText = std::function<std::optional<std::string>(const std::string& path)>;

// The file's text from the file system (the ReadText of a real run).
inline std::optional<std::string> read_text_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::nullopt;
  return text.str();
}

// The first whole number in `s` ("  4096 kB" -> 4096), or nullopt.
inline std::optional<std::int64_t> proc_number(std::string_view s) {
  const auto first = s.find_first_of("0123456789");
  if (first == std::string_view::npos) return std::nullopt;
  std::int64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data() + first, s.data() + s.size(), v);
  if (ec != std::errc()) return std::nullopt;
  return v;
}

// The number after `key` on the line that starts with it ("Threads:\t4" -> 4).
inline std::optional<std::int64_t> proc_field(std::string_view text, std::string_view key) {
  for (std::size_t at = 0; at < text.size();) {
    const std::size_t end = std::min(text.find('\n', at), text.size());
    const std::string_view line = text.substr(at, end - at);
    if (line.starts_with(key)) return proc_number(line.substr(key.size()));
    at = end + 1;
  }
  return std::nullopt;
}

}  // namespace cvp
