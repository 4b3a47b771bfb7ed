// Result files: refused before a run when the path is odd, written whole, checked, then swapped in.
#include "result_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <string>
#include <system_error>

namespace cvp::bench {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::system_error(errno, std::generic_category(), what);
}

void close_checked(int fd, const std::string& path) {
  // Never retried: on Linux the descriptor is gone even after EINTR.
  if (::close(fd) != 0 && errno != EINTR) throw_errno("close " + path);
}

// Closes `fd` and throws for the errno the failed `what` left.
[[noreturn]] void fail_and_close(int fd, const std::string& what) {
  const int saved = errno;
  ::close(fd);
  errno = saved;
  throw_errno(what);
}

void fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw_errno("open " + dir.string());
  if (::fsync(fd) != 0) fail_and_close(fd, "fsync " + dir.string());
  ::close(fd);
}

// Writes, fsyncs and reads back `contents` as `path`.
void write_file(const fs::path& path, std::string_view contents) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw_errno("open " + path.string());
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) fail_and_close(fd, "write " + path.string());
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) fail_and_close(fd, "fsync " + path.string());
  close_checked(fd, path.string());
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) throw_errno("stat " + path.string());
  if (static_cast<std::size_t>(st.st_size) != contents.size()) {
    throw std::runtime_error(path.string() + ": wrote " + std::to_string(contents.size()) +
                             " bytes, found " + std::to_string(st.st_size));
  }
}

}  // namespace

void check_out_file(const fs::path& out) {
  const std::string s = out.string();
  if (s.empty() || s.back() == '/' || !out.has_filename() || out.filename() == "." ||
      out.filename() == "..") {
    throw std::invalid_argument("--out is '" + s + "'; allowed: a file path (FILE.json)");
  }
  std::error_code ec;
  const fs::file_status st = fs::symlink_status(out, ec);
  if (fs::exists(st) && !fs::is_regular_file(st)) {
    throw std::invalid_argument("--out is '" + s +
                                "', which exists and is not a regular file; allowed: a file path");
  }
  fs::path existing = ".";  // the nearest folder on the way to out that exists
  for (fs::path parent = out.parent_path(); !parent.empty(); parent = parent.parent_path()) {
    const fs::file_status ps = fs::status(parent, ec);
    if (fs::exists(ps)) {
      if (!fs::is_directory(ps)) {
        throw std::invalid_argument("--out is '" + s + "', but '" + parent.string() +
                                    "' is not a directory");
      }
      existing = parent;
      break;
    }
    if (parent == parent.parent_path()) break;
  }
  // Found now, not after the run: a folder where no file can be made (a
  // read-only file system, /proc, no permission).
  const fs::path probe = existing / (".cvp-probe-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::invalid_argument("--out is '" + s + "', but no file can be made in '" +
                                existing.string() + "': " + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

void check_out_dir(const fs::path& dir) {
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (dir.empty() || (fs::exists(st) && !fs::is_directory(st))) {
    throw std::invalid_argument("--out is '" + dir.string() + "'; allowed: a directory path");
  }
}

void publish(const fs::path& out, std::string_view contents) {
  if (!is_json(contents)) throw std::runtime_error("the result is not valid JSON; nothing written");
  const fs::path dir = out.parent_path();
  if (!dir.empty()) fs::create_directories(dir);
  const fs::path partial = out.string() + ".partial";
  write_file(partial, contents);
  if (fs::exists(out)) {
    // A hard link, then a rename over the old copy: out stays in place
    // until the new file replaces it in one rename.
    const fs::path previous = (dir.empty() ? fs::path(".") : dir) / "previous";
    fs::create_directories(previous);
    const fs::path link = previous / (out.filename().string() + ".link");
    fs::remove(link);
    if (::link(out.c_str(), link.c_str()) != 0) throw_errno("link " + link.string());
    fs::rename(link, previous / out.filename());
    fsync_dir(previous);
  }
  fs::rename(partial, out);
  fsync_dir(dir);
}

void keep_failed(const fs::path& out, std::string_view contents) {
  const fs::path dir = out.parent_path();
  if (!dir.empty()) fs::create_directories(dir);
  write_file(out.string() + ".failed", contents);
}

namespace {

// A recursive-descent JSON checker: no values kept, only the grammar.
class JsonChecker {
 public:
  explicit JsonChecker(std::string_view t) : t_(t) {}
  bool document() {
    ws();
    if (!value(0)) return false;
    ws();
    return at_ == t_.size();
  }

 private:
  bool value(int depth) {
    if (depth > 64 || at_ >= t_.size()) return false;
    switch (t_[at_]) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return word("true");
      case 'f':
        return word("false");
      case 'n':
        return word("null");
      case 'N':  // Google Benchmark writes NaN and Infinity, as Python's json does
        return word("NaN");
      case 'I':
        return word("Infinity");
      default:
        return t_.substr(at_, 9) == "-Infinity" ? word("-Infinity") : number();
    }
  }
  bool object(int depth) {
    ++at_;
    ws();
    if (eat('}')) return true;
    do {
      ws();
      if (at_ >= t_.size() || t_[at_] != '"' || !string()) return false;
      ws();
      if (!eat(':')) return false;
      ws();
      if (!value(depth + 1)) return false;
      ws();
    } while (eat(','));
    return eat('}');
  }
  bool array(int depth) {
    ++at_;
    ws();
    if (eat(']')) return true;
    do {
      ws();
      if (!value(depth + 1)) return false;
      ws();
    } while (eat(','));
    return eat(']');
  }
  bool string() {
    ++at_;
    while (at_ < t_.size() && t_[at_] != '"') {
      const auto c = static_cast<unsigned char>(t_[at_]);
      if (c < 0x20) return false;
      at_ += c == '\\' ? 2 : 1;
    }
    return eat('"');
  }
  bool number() {
    const std::size_t start = at_;
    eat('-');
    std::size_t digits = 0;
    while (at_ < t_.size() &&
           (std::isdigit(static_cast<unsigned char>(t_[at_])) || t_[at_] == '.' || t_[at_] == 'e' ||
            t_[at_] == 'E' || t_[at_] == '+' || t_[at_] == '-')) {
      digits += std::isdigit(static_cast<unsigned char>(t_[at_])) ? 1 : 0;
      ++at_;
    }
    return at_ > start && digits > 0;
  }
  bool word(std::string_view w) {
    if (t_.substr(at_, w.size()) != w) return false;
    at_ += w.size();
    return true;
  }
  bool eat(char c) {
    if (at_ < t_.size() && t_[at_] == c) {
      ++at_;
      return true;
    }
    return false;
  }
  void ws() {
    while (at_ < t_.size() &&
           (t_[at_] == ' ' || t_[at_] == '\n' || t_[at_] == '\r' || t_[at_] == '\t')) {
      ++at_;
    }
  }

  std::string_view t_;
  std::size_t at_ = 0;
};

}  // namespace

bool is_json(std::string_view text) { return JsonChecker(text).document(); }

}  // namespace cvp::bench
