// millrace/io/atomic_file.hpp — millrace::io::atomic_file: the one way millrace writes an output
// file. Bytes go to a temporary file with an unpredictable name next to the target, created with
// O_CREAT|O_EXCL|O_NOFOLLOW (a planted symlink is never followed); every write, flush, fsync and
// close is checked; commit() renames it into place, so a reader sees the old file or the whole new
// one, never a part.
//   millrace::io::atomic_file f("out/report.json"); f.write(json); f.commit();
//   millrace::io::write_file_atomically("out/report.json", json);
//
// A symlink at the final name is replaced by the file, not followed (rename(2) replaces the
// directory entry). A file that is not committed (an error, an exception, a destructor) is removed.
// A kill -9 can leave a temporary file behind: its name is ".<name>.<16 hex digits>.tmp", hidden,
// and no reader takes it as input; shard_writer removes such files of its own on the next run.
#pragma once

#include <millrace/core/detail/atomic_file.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/io/error.hpp>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <string_view>
#include <utility>

namespace millrace::io {

/// Whether a committed output is flushed to the device (fsync of the file before the rename and of
/// its directory after it). On by default: a "complete" manifest must survive a power cut. Off is
/// for scratch outputs; the rename still makes the file appear whole.
enum class durability { fsync, no_fsync };

namespace detail {
using millrace::detail::files::parent_or_dot;
}  // namespace detail

/// True when name is one of atomic_file's temporary names (".<name>.<16 hex>.tmp").
bool is_atomic_temp_name(std::string_view name);

/// Removes the temporary files in `dir` that a killed run left: atomic_file's names for which
/// `ours(name)` holds, regular files of this user only (unlink never follows a symlink).
template <class Pred>
void remove_stale_temps_in(const std::filesystem::path& dir, Pred ours) {
  std::error_code ec;
  for (auto it = std::filesystem::directory_iterator(dir, ec); !ec && it != std::filesystem::directory_iterator();
       it.increment(ec)) {
    const auto name = it->path().filename().string();
    if (!is_atomic_temp_name(name) || !ours(std::string_view(name))) continue;
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid())
      ::unlink(it->path().c_str());
  }
}

/// The temporary files of `target` that a killed run left (".<name>.<16 hex>.tmp"). Jobs call it
/// for their outputs at start.
void remove_stale_temps(const std::filesystem::path& target);

}  // namespace millrace::io

#if !MILLRACE_HEADER_ONLY
// One compiled copy of the mechanism with io's error type (src/io.cpp).
extern template class millrace::detail::files::basic_atomic_file<millrace::io::output_error>;
#endif

namespace millrace::io {

/// See the top of this file; the mechanism is core/detail/atomic_file.hpp (shared with the spill
/// files), here with io's error type and a 1 MiB write buffer.
class atomic_file : public millrace::detail::files::basic_atomic_file<output_error> {
 public:
  atomic_file() = default;
  /// Creates the temporary file in the target's directory (which must exist).
  explicit atomic_file(std::filesystem::path target, durability d = durability::fsync)
      : basic_atomic_file(std::move(target), d == durability::fsync, std::size_t(1) << 20) {}
};

/// The whole file at once: write_file_atomically("report.json", text).
void write_file_atomically(const std::filesystem::path& target, std::string_view text,
                           durability d = durability::fsync);

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/atomic_file_impl.hpp>
#endif
