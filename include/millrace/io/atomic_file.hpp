// millrace::io::atomic_file: the one way millrace writes an output file. Bytes go to a temporary
// file with an unpredictable name next to the target, created with O_CREAT|O_EXCL|O_NOFOLLOW (a
// planted symlink is never followed); every write, flush, fsync and close is checked; commit()
// renames it into place, so a reader sees the old file or the whole new one, never a part.
//   millrace::io::atomic_file f("out/report.json"); f.write(json); f.commit();
//   millrace::io::write_file_atomically("out/report.json", json);
//
// A symlink at the final name is replaced by the file, not followed (rename(2) replaces the
// directory entry). A file that is not committed (an error, an exception, a destructor) is removed.
// A kill -9 can leave a temporary file behind: its name is ".<name>.<16 hex digits>.tmp", hidden,
// and no reader takes it as input; shard_writer removes such files of its own on the next run.
#pragma once

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

inline std::string errno_text(int e) { return std::strerror(e); }

// 64 bits from the OS's random source: another user cannot guess the next temporary name.
inline std::uint64_t unpredictable_u64() {
  thread_local std::random_device rd;
  return (std::uint64_t(rd()) << 32) ^ std::uint64_t(rd());
}

inline std::filesystem::path parent_or_dot(const std::filesystem::path& p) {
  auto d = p.parent_path();
  return d.empty() ? std::filesystem::path(".") : d;
}

// fsync of a directory, so that a rename inside it survives a crash. Filesystems that cannot
// fsync a directory (EINVAL) are not an error.
inline void sync_directory(const std::filesystem::path& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) throw output_error(dir.string(), "cannot open directory to sync it: " + errno_text(errno));
  const int rc = ::fsync(fd);
  const int e = errno;
  ::close(fd);
  if (rc != 0 && e != EINVAL && e != EROFS)
    throw output_error(dir.string(), "cannot sync directory: " + errno_text(e));
}

}  // namespace detail

/// True when name is one of atomic_file's temporary names (".<name>.<16 hex>.tmp").
inline bool is_atomic_temp_name(std::string_view name) {
  if (name.size() < 1 + 1 + 17 + 4 || name.front() != '.' || !name.ends_with(".tmp")) return false;
  const auto hex = name.substr(name.size() - 4 - 16, 16);
  if (name[name.size() - 4 - 17] != '.') return false;
  for (char c : hex)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

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
inline void remove_stale_temps(const std::filesystem::path& target) {
  const auto prefix = "." + target.filename().string() + ".";
  remove_stale_temps_in(detail::parent_or_dot(target), [&](std::string_view name) {
    return name.starts_with(prefix) && name.size() == prefix.size() + 16 + 4;
  });
}

class atomic_file {
 public:
  atomic_file() = default;
  /// Creates the temporary file in the target's directory (which must exist).
  explicit atomic_file(std::filesystem::path target, durability d = durability::fsync)
      : target_(std::move(target)), durability_(d) {
    const auto dir = detail::parent_or_dot(target_);
    const auto name = target_.filename().string();
    if (name.empty() || name == "." || name == "..")
      throw output_error(target_.string(), "not a file name");
    for (int attempt = 0; attempt < 16; ++attempt) {
      char suffix[24];
      std::snprintf(suffix, sizeof suffix, ".%016llx.tmp", static_cast<unsigned long long>(detail::unpredictable_u64()));
      temp_ = dir / ("." + name + suffix);
      fd_ = ::open(temp_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
      if (fd_ >= 0) break;
      if (errno != EEXIST)
        throw output_error(target_.string(), "cannot create a temporary file in " + dir.string() + ": " +
                                                 detail::errno_text(errno));
    }
    if (fd_ < 0) throw output_error(target_.string(), "cannot find a free temporary name");
    buf_.reserve(buffer_bytes);
  }
  atomic_file(atomic_file&& o) noexcept { swap(o); }
  atomic_file& operator=(atomic_file&& o) noexcept {
    if (this != &o) {
      discard();
      swap(o);
    }
    return *this;
  }
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;
  ~atomic_file() { discard(); }

  bool is_open() const { return fd_ >= 0; }
  const std::filesystem::path& path() const { return target_; }
  const std::filesystem::path& temp_path() const { return temp_; }
  std::uint64_t bytes_written() const { return written_ + buf_.size(); }

  /// Appends bytes (buffered); a failed write throws output_error naming the target.
  void write(std::string_view s) {
    if (fd_ < 0) throw output_error(target_.string(), "write after commit or discard");
    if (buf_.size() + s.size() > buffer_bytes) {
      flush_buffer();
      if (s.size() >= buffer_bytes) {
        write_all(s.data(), s.size());
        return;
      }
    }
    buf_.append(s);
  }

  /// Flush, fsync (unless durability::no_fsync), close, rename into place, fsync the directory.
  /// After an error the temporary file is removed and the target is untouched.
  void commit() {
    if (fd_ < 0) throw output_error(target_.string(), "commit after commit or discard");
    flush_buffer();
    if (durability_ == durability::fsync && ::fsync(fd_) != 0) fail_errno("cannot sync");
    const int fd = std::exchange(fd_, -1);
    if (::close(fd) != 0) {
      const int e = errno;
      ::unlink(temp_.c_str());
      throw output_error(target_.string(), "cannot write: " + detail::errno_text(e));
    }
    if (::rename(temp_.c_str(), target_.c_str()) != 0) {
      const int e = errno;
      ::unlink(temp_.c_str());
      throw output_error(target_.string(), "cannot rename " + temp_.filename().string() + " into place: " +
                                               detail::errno_text(e));
    }
    if (durability_ == durability::fsync) detail::sync_directory(detail::parent_or_dot(target_));
  }

  /// Drops the temporary file (no-op once committed or discarded).
  void discard() noexcept {
    if (fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
    ::unlink(temp_.c_str());
    buf_.clear();
  }

 private:
  static constexpr std::size_t buffer_bytes = std::size_t(1) << 20;

  void swap(atomic_file& o) noexcept {
    std::swap(target_, o.target_);
    std::swap(temp_, o.temp_);
    std::swap(fd_, o.fd_);
    std::swap(durability_, o.durability_);
    std::swap(buf_, o.buf_);
    std::swap(written_, o.written_);
  }
  void flush_buffer() {
    if (buf_.empty()) return;
    write_all(buf_.data(), buf_.size());
    buf_.clear();
  }
  void write_all(const char* p, std::size_t n) {
    while (n) {
      const ssize_t k = ::write(fd_, p, n);
      if (k < 0) {
        if (errno == EINTR) continue;
        fail_errno("cannot write");
      }
      if (k == 0) {
        errno = EIO;
        fail_errno("cannot write");
      }
      p += k;
      n -= std::size_t(k);
      written_ += std::uint64_t(k);
    }
  }
  [[noreturn]] void fail_errno(const char* what) {
    const int e = errno;
    discard();
    throw output_error(target_.string(), std::string(what) + ": " + detail::errno_text(e));
  }

  std::filesystem::path target_, temp_;
  int fd_ = -1;
  durability durability_ = durability::fsync;
  std::string buf_;
  std::uint64_t written_ = 0;
};

/// The whole file at once: write_file_atomically("report.json", text).
inline void write_file_atomically(const std::filesystem::path& target, std::string_view text,
                                  durability d = durability::fsync) {
  atomic_file f(target, d);
  f.write(text);
  f.commit();
}

}  // namespace millrace::io
