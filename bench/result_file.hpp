// Result files: refused before a run when the path is odd, written whole, checked, then swapped in.
#pragma once

#include <filesystem>
#include <string_view>

namespace cvp::bench {

// Throws std::invalid_argument unless `out` is a plain file path: not empty,
// not ending in '/', not an existing directory, device or pipe, with no
// existing parent that is not a directory. Creates nothing.
void check_out_file(const std::filesystem::path& out);

// Throws std::invalid_argument unless `dir` is a directory or can become one.
void check_out_dir(const std::filesystem::path& dir);

// Opens up to three spare descriptors (on /dev/null), held until the first
// publish(), publish_under() or keep_failed() closes them: called before a
// run, so a run that exhausts RLIMIT_NOFILE can still write its result.
void reserve_publish_descriptors();

// Writes `contents` to `out` so that a reader sees the old file or the new
// one, never a part, and never neither: a file without a name (O_TMPFILE,
// so that a process killed meanwhile leaves nothing) is written, flushed to
// disk and checked; the old `out` is hard-linked into previous/ beside it;
// the new file is linked as a hidden `out`.partial and renamed over `out`. Throws std::system_error or
// std::runtime_error when any step fails, leaving `out` as it was.
void publish(const std::filesystem::path& out, std::string_view contents);

// publish() for `root`/`relative` where every folder below `root` (and
// previous/) must be a real folder, never a symbolic link: each is opened
// by name in its parent with O_NOFOLLOW (created when missing). Throws
// std::runtime_error when one is a link or not a folder.
void publish_under(const std::filesystem::path& root, const std::filesystem::path& relative,
                   std::string_view contents);

// Keeps a failed run's output as `out`.failed, leaving `out` as it was.
void keep_failed(const std::filesystem::path& out, std::string_view contents);

// A strict check that `text` is one JSON value (RFC 8259), nesting at most 64 deep.
bool is_json(std::string_view text);

}  // namespace cvp::bench
