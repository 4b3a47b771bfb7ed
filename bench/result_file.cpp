// Result files: refused before a run when the path is odd, written whole, checked, then swapped in.
#include "result_file.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "children.hpp"

namespace cvp::bench {
namespace {

namespace fs = std::filesystem;

[[noreturn]] void throw_errno(int err, const std::string& what) {
  throw std::system_error(err, std::generic_category(), what);
}

const char* const kNotFollowed =
    " is not a folder (a symbolic link?); it is never followed: remove it";

// A folder opened once: every name after that is resolved in it, so a
// folder swapped for a symbolic link meanwhile is never written through.
class Dir {
 public:
  Dir(const fs::path& path, int flags) : path_(path.empty() ? fs::path(".") : path) {
    do {
      fd_ = ::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | flags);
    } while (fd_ < 0 && errno == EINTR);
    if (fd_ < 0) throw_errno(errno, "open " + path_.string());
  }
  // `name` inside `parent`, never through a symbolic link.
  Dir(const Dir& parent, const std::string& name, const char* not_followed)
      : path_(parent.path() / name) {
    do {
      fd_ = ::openat(parent.fd(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    } while (fd_ < 0 && errno == EINTR);
    if (fd_ < 0 && (errno == ELOOP || errno == ENOTDIR)) {
      throw std::runtime_error(path_.string() + not_followed);
    }
    if (fd_ < 0) throw_errno(errno, "open " + path_.string());
  }
  ~Dir() { ::close(fd_); }
  Dir(const Dir&) = delete;
  Dir& operator=(const Dir&) = delete;
  int fd() const { return fd_; }
  const fs::path& path() const { return path_; }
  void sync() const {
    if (::fsync(fd_) != 0) throw_errno(errno, "fsync " + path_.string());
  }

 private:
  fs::path path_;
  int fd_ = -1;
};

// ".r.json.3f9a0c1b7d2e4a65.partial": a name no other user can guess and
// plant a link at beforehand.
std::string random_name(const std::string& base, const char* suffix) {
  unsigned char bytes[8];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw_errno(errno, "getrandom");
    got += static_cast<std::size_t>(n);
  }
  std::string hex;
  for (unsigned char b : bytes) {
    char two[3];
    std::snprintf(two, sizeof two, "%02x", b);
    hex += two;
  }
  return "." + base + "." + hex + suffix;
}

// The file a result is written into before it takes its place. It has no
// name while it is written (O_TMPFILE): a process killed meanwhile, by a
// SIGKILL no handler sees (mpiexec's, a second after its SIGTERM), leaves
// nothing behind. It is linked under an unguessable name only once whole,
// then renamed into place; every failure path unlinks it. Where the file
// system has no O_TMPFILE it is named from the start, as before.
class TempFile {
 public:
  TempFile(const Dir& dir, const std::string& base) : dir_(dir), base_(base) {
    do {
      fd_ = ::openat(dir.fd(), ".", O_TMPFILE | O_WRONLY | O_CLOEXEC, 0644);
    } while (fd_ < 0 && errno == EINTR);
    if (fd_ >= 0) return;
    if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) {
      throw_errno(errno, "create a file in " + dir.path().string());
    }
    create_named();
  }
  ~TempFile() {
    if (fd_ >= 0) ::close(fd_);
    if (!name_.empty()) ::unlinkat(dir_.fd(), name_.c_str(), 0);
    children::set_cleanup_path(nullptr);
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  // Writes, fsyncs and checks the size; `what` names the target in messages.
  void write_all(std::string_view contents, const std::string& what) {
    std::size_t done = 0;
    while (done < contents.size()) {
      const ssize_t n = ::write(fd_, contents.data() + done, contents.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) throw_errno(errno, "write " + what);
      done += static_cast<std::size_t>(n);
    }
    if (::fsync(fd_) != 0) throw_errno(errno, "write " + what);
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw_errno(errno, "fstat " + what);
    if (static_cast<std::size_t>(st.st_size) != contents.size()) {
      throw std::runtime_error(what + ": wrote " + std::to_string(contents.size()) +
                               " bytes, found " + std::to_string(st.st_size));
    }
  }
  // Renames the whole file over `target` in the same folder; it is no longer ours.
  void rename_to(const std::string& target, const std::string& what) {
    if (name_.empty()) link_whole(what);
    const int fd = fd_;
    fd_ = -1;
    // Never retried: on Linux the descriptor is gone even after EINTR.
    if (::close(fd) != 0 && errno != EINTR) throw_errno(errno, "write " + what);
    if (::renameat(dir_.fd(), name_.c_str(), dir_.fd(), target.c_str()) != 0) {
      throw_errno(errno, "rename to " + what);
    }
    name_.clear();
    children::set_cleanup_path(nullptr);
  }

 private:
  void create_named() {
    for (int attempt = 0; attempt < 100 && fd_ < 0; ++attempt) {
      name_ = random_name(base_, ".partial");
      fd_ = ::openat(dir_.fd(), name_.c_str(),
                     O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
      if (fd_ < 0 && errno != EEXIST && errno != EINTR) {
        name_.clear();
        throw_errno(errno, "create a file in " + dir_.path().string());
      }
    }
    if (fd_ < 0) {
      name_.clear();
      throw_errno(EEXIST, "create a file in " + dir_.path().string());
    }
    children::set_cleanup_path((dir_.path() / name_).c_str());
  }

  // Gives the unnamed file a name of its own: by its descriptor
  // (AT_EMPTY_PATH, which needs CAP_DAC_READ_SEARCH), else through /proc.
  void link_whole(const std::string& what) {
    const std::string by_proc = "/proc/self/fd/" + std::to_string(fd_);
    for (int attempt = 0; attempt < 100; ++attempt) {
      const std::string name = random_name(base_, ".partial");
      int rc = ::linkat(fd_, "", dir_.fd(), name.c_str(), AT_EMPTY_PATH);
      if (rc != 0 && errno != EEXIST) {
        rc = ::linkat(AT_FDCWD, by_proc.c_str(), dir_.fd(), name.c_str(), AT_SYMLINK_FOLLOW);
      }
      if (rc == 0) {
        name_ = name;
        children::set_cleanup_path((dir_.path() / name_).c_str());
        return;
      }
      if (errno != EEXIST) throw_errno(errno, "link " + what);
    }
    throw_errno(EEXIST, "link " + what);
  }

  const Dir& dir_;
  std::string base_;
  std::string name_;  // empty while the file has no name
  int fd_ = -1;
};

// Keeps the file `base` (if it is a regular file) as previous/`base`: a
// hard link under an unguessable name, then renamed over the old copy.
void keep_previous(const Dir& dir, const std::string& base) {
  struct stat st {};
  if (::fstatat(dir.fd(), base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return;
    throw_errno(errno, "stat " + (dir.path() / base).string());
  }
  if (!S_ISREG(st.st_mode)) return;
  if (::mkdirat(dir.fd(), "previous", 0755) != 0 && errno != EEXIST) {
    throw_errno(errno, "mkdir " + (dir.path() / "previous").string());
  }
  const Dir prev(dir, "previous", kNotFollowed);
  const fs::path& prev_path = prev.path();
  std::string link;
  for (int attempt = 0; attempt < 100; ++attempt) {
    link = random_name(base, ".link");
    if (::linkat(dir.fd(), base.c_str(), prev.fd(), link.c_str(), 0) == 0) break;
    if (errno != EEXIST) throw_errno(errno, "link " + (prev_path / base).string());
    link.clear();
  }
  if (link.empty()) throw_errno(EEXIST, "link " + (prev_path / base).string());
  if (::renameat(prev.fd(), link.c_str(), prev.fd(), base.c_str()) != 0) {
    const int err = errno;
    ::unlinkat(prev.fd(), link.c_str(), 0);
    throw_errno(err, "rename to " + (prev_path / base).string());
  }
  prev.sync();
}

// Writes `contents` into a new file in `dir` named after `base` and renames
// it to `target`, keeping the replaced file first when asked.
void replace_in(const Dir& dir, const std::string& base, const std::string& target,
                std::string_view contents, bool keep) {
  const std::string what = (dir.path() / target).string();
  TempFile temp(dir, base);
  temp.write_all(contents, what);
  if (keep) keep_previous(dir, target);
  temp.rename_to(target, what);
  dir.sync();
}

// Writes `contents` into a new file beside `out` and renames it to `target`
// (a name in the out's folder), keeping the replaced file first when asked.
void replace(const fs::path& out, const std::string& target, std::string_view contents, bool keep) {
  const fs::path dir_path = out.parent_path();
  if (!dir_path.empty()) fs::create_directories(dir_path);
  const Dir dir(dir_path, 0);
  replace_in(dir, out.filename().string(), target, contents, keep);
}

// The nearest folder on the way to `path` that exists ("." when none).
fs::path nearest_existing(const fs::path& path, const std::string& flag_text) {
  std::error_code ec;
  for (fs::path parent = path; !parent.empty(); parent = parent.parent_path()) {
    const fs::file_status ps = fs::status(parent, ec);
    if (fs::exists(ps)) {
      if (!fs::is_directory(ps)) {
        throw std::invalid_argument(flag_text + ", but '" + parent.string() +
                                    "' is not a directory");
      }
      return parent;
    }
    if (parent == parent.parent_path()) break;
  }
  return ".";
}

// Found now, not after the run: a folder where no file can be made (a
// read-only file system, /proc, no permission).
void probe_writable(const fs::path& folder, const std::string& flag_text) {
  const fs::path probe = folder / (".cvp-probe-" + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    throw std::invalid_argument(flag_text + ", but no file can be made in '" + folder.string() +
                                "': " + std::strerror(errno));
  }
  ::close(fd);
  ::unlink(probe.c_str());
}

// A name with a newline or an escape sequence would garble every message and listing.
void check_no_control_characters(const std::string& s, const char* allowed) {
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", u);
      throw std::invalid_argument(std::string("--out contains a control character (") + hex +
                                  "); allowed: " + allowed + " without control characters");
    }
  }
}

// Descriptors held from before the run until publishing: a run that used
// up RLIMIT_NOFILE (models' pipes, a leak) still has what publishing needs
// (the folder, the temporary file, previous/).
std::vector<int> g_reserved;

void release_reserve() noexcept {
  for (const int fd : g_reserved) ::close(fd);  // never retried: the fd is gone either way
  g_reserved.clear();
}

}  // namespace

void reserve_publish_descriptors() {
  release_reserve();
  for (int i = 0; i < 3; ++i) {
    int fd = -1;
    do {
      fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    } while (fd < 0 && errno == EINTR);
    if (fd < 0 && (errno == EMFILE || errno == ENFILE)) return;  // as many as there are
    if (fd < 0) throw_errno(errno, "open /dev/null");
    g_reserved.push_back(fd);
  }
}

void check_out_file(const fs::path& out) {
  const std::string s = out.string();
  check_no_control_characters(s, "a file path");
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
  const std::string flag_text = "--out is '" + s + "'";
  const fs::path existing = nearest_existing(out.parent_path(), flag_text);
  const fs::path previous = (out.has_parent_path() ? out.parent_path() : ".") / "previous";
  const fs::file_status ps = fs::symlink_status(previous, ec);
  if (fs::exists(ps) && !fs::is_directory(ps)) {
    throw std::invalid_argument(flag_text + ", but '" + previous.string() + "'" + kNotFollowed);
  }
  probe_writable(existing, flag_text);
}

void check_out_dir(const fs::path& dir) {
  const std::string s = dir.string();
  check_no_control_characters(s, "a directory path");
  std::error_code ec;
  const fs::file_status st = fs::status(dir, ec);
  if (dir.empty() || (fs::exists(st) && !fs::is_directory(st))) {
    throw std::invalid_argument("--out is '" + s + "'; allowed: a directory path");
  }
  const std::string flag_text = "--out is '" + s + "'";
  probe_writable(nearest_existing(dir, flag_text), flag_text);
}

void publish(const fs::path& out, std::string_view contents) {
  release_reserve();
  if (!is_json(contents)) {
    // Kept for a look, as a failed run's JSON is: the fault is the suite's.
    keep_failed(out, contents);
    throw std::runtime_error("the result is not valid JSON; " + out.string() +
                             " left unchanged, the text is in " + out.string() + ".failed");
  }
  replace(out, out.filename().string(), contents, true);
}

void publish_under(const fs::path& root, const fs::path& relative, std::string_view contents) {
  release_reserve();
  if (!is_json(contents)) {
    throw std::runtime_error((root / relative).string() + " is not valid JSON; nothing written");
  }
  // Each folder below `root` is opened by name in its parent with
  // O_NOFOLLOW: a folder swapped for a link after the run's check is
  // refused here, never written through.
  if (!root.empty()) fs::create_directories(root);
  std::vector<std::unique_ptr<Dir>> chain;
  chain.push_back(std::make_unique<Dir>(root, 0));
  for (const fs::path& part : relative.parent_path()) {
    const std::string name = part.string();
    if (name.empty() || name == "." || name == "..") {
      throw std::runtime_error((root / relative).string() + ": not a plain relative path");
    }
    if (::mkdirat(chain.back()->fd(), name.c_str(), 0755) != 0 && errno != EEXIST) {
      throw_errno(errno, "mkdir " + (chain.back()->path() / name).string());
    }
    chain.push_back(std::make_unique<Dir>(*chain.back(), name, kNotFollowed));
  }
  const std::string file = relative.filename().string();
  replace_in(*chain.back(), file, file, contents, true);
}

void keep_failed(const fs::path& out, std::string_view contents) {
  release_reserve();
  replace(out, out.filename().string() + ".failed", contents, false);
}

}  // namespace cvp::bench
