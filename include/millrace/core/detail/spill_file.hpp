// millrace/core/detail/spill_file.hpp — the files under spill.hpp: checked writes into a temporary
// name renamed into place on commit (core/detail/atomic_file.hpp, the mechanism io::atomic_file
// uses too), positioned reads, the run-file format's constants, and the private
// spill directory (mkdtemp, removed with everything in it by its destructor).
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <millrace/core/detail/atomic_file.hpp>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>

namespace millrace {

/// A spill or run file that cannot be written (full disk, no permission, missing directory) or
/// read back (truncated, corrupted: a checksum or a header does not match). what() is
/// "<path>: <reason>"; path is the file, or the directory when no file was made yet.
class spill_error : public std::runtime_error {
 public:
  /// The spill file (or directory) `path` failed because of `reason`.
  spill_error(std::filesystem::path path, std::string reason)
      : std::runtime_error(path.string() + ": " + reason), path_(std::move(path)), reason_(std::move(reason)) {}
  /// The file, or the directory when no file was made yet.
  const std::filesystem::path& path() const noexcept { return path_; }
  /// What went wrong, without the path.
  const std::string& reason() const noexcept { return reason_; }

 private:
  std::filesystem::path path_;
  std::string reason_;
};

namespace detail::spill {

// ---- the run-file format (docs/exchange.md) -------------------------------------------------
//   file header  16 bytes: "MRSPILL1", u32 version (1), u32 reserved (0)
//   block        24 bytes: u32 magic "MRBK", u32 records, u64 payload bytes, u64 checksum; payload
//   footer       32 bytes: u32 magic "MRFT", u32 version, u64 records, u64 blocks, u64 checksum
// Block checksum: XXH3-64 of the payload seeded with XXH3-64 of the block header's first 16 bytes
// (so a flipped count or length is caught too); footer checksum: XXH3-64 of its first 24 bytes.
// Numbers are little-endian on the machines millrace runs on (host order, as the records).
inline constexpr char file_magic[8] = {'M', 'R', 'S', 'P', 'I', 'L', 'L', '1'};
inline constexpr std::uint32_t version = 1;
inline constexpr std::uint32_t block_magic = 0x4b42524du;   // "MRBK"
inline constexpr std::uint32_t footer_magic = 0x5446524du;  // "MRFT"
inline constexpr std::size_t file_header_bytes = 16, block_header_bytes = 24, footer_bytes = 32;

template <class U>
void put(char* p, U v) {
  std::memcpy(p, &v, sizeof v);
}
template <class U>
U get(const char* p) {
  U v;
  std::memcpy(&v, p, sizeof v);
  return v;
}

using files::errno_text;
using files::parent_or_dot;
using files::unpredictable_u64;
inline void sync_directory(const std::filesystem::path& dir) { files::sync_directory<spill_error>(dir); }

/// A run file being written: core/detail/atomic_file.hpp's mechanism (io::atomic_file's too, so
/// io::remove_stale_temps recognises what a killed run left), throwing spill_error, unbuffered
/// (run_writer writes whole blocks).
class out_file : public files::basic_atomic_file<spill_error> {
 public:
  out_file() = default;
  out_file(std::filesystem::path target, bool fsync) : basic_atomic_file(std::move(target), fsync, 0) {}
  void write(const char* p, std::size_t n) { basic_atomic_file::write(std::string_view(p, n)); }
};

/// A file read with pread(2) at explicit offsets.
class in_file {
 public:
  in_file() = default;
  explicit in_file(std::filesystem::path p) : path_(std::move(p)) {
    fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw spill_error(path_, "cannot open: " + errno_text(errno));
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
      const int e = errno;
      ::close(fd_);
      fd_ = -1;
      throw spill_error(path_, "cannot stat: " + errno_text(e));
    }
    size_ = std::uint64_t(st.st_size);
  }
  in_file(in_file&& o) noexcept
      : path_(std::move(o.path_)), fd_(std::exchange(o.fd_, -1)), size_(o.size_) {}
  in_file& operator=(in_file&& o) noexcept {
    if (this != &o) {
      close();
      path_ = std::move(o.path_);
      fd_ = std::exchange(o.fd_, -1);
      size_ = o.size_;
    }
    return *this;
  }
  in_file(const in_file&) = delete;
  in_file& operator=(const in_file&) = delete;
  ~in_file() { close(); }

  std::uint64_t size() const { return size_; }
  const std::filesystem::path& path() const { return path_; }

  /// Exactly n bytes at offset (the caller checked they lie inside the file).
  void read_at(std::uint64_t offset, char* p, std::size_t n) const {
    while (n) {
      const ssize_t k = ::pread(fd_, p, n, static_cast<off_t>(offset));
      if (k < 0) {
        if (errno == EINTR) continue;
        throw spill_error(path_, "cannot read at offset " + std::to_string(offset) + ": " + errno_text(errno));
      }
      if (k == 0) throw spill_error(path_, "truncated: the file ended at offset " + std::to_string(offset) + " while reading");
      p += k;
      n -= std::size_t(k);
      offset += std::uint64_t(k);
    }
  }
  void close() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

/// The private directory of one sorter (or of one exchange's partitions): made on first use with
/// mkdtemp("<parent>/millrace-spill-XXXXXX"), mode 0700; the destructor removes it and all in it.
/// Shared by shared_ptr between a sorter and the readers it hands out, so it goes when the last
/// of them does.
class spill_dir {
 public:
  explicit spill_dir(std::filesystem::path parent) : parent_(std::move(parent)) {}
  spill_dir(const spill_dir&) = delete;
  spill_dir& operator=(const spill_dir&) = delete;
  ~spill_dir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }

  /// The parent the directory goes into (resolving an empty one to the system's temp directory).
  std::filesystem::path parent() const {
    if (!parent_.empty()) return parent_;
    std::error_code ec;
    auto t = std::filesystem::temp_directory_path(ec);
    if (ec) throw spill_error(std::getenv("TMPDIR") ? std::getenv("TMPDIR") : "/tmp",
                              "no temporary directory for spill files: " + ec.message());
    return t;
  }
  bool created() const {
    std::lock_guard lock(mu_);
    return !path_.empty();
  }
  /// The directory, made now if it was not yet.
  std::filesystem::path path() {
    std::lock_guard lock(mu_);
    if (path_.empty()) {
      const auto parent_dir = parent();
      std::string tmpl = (parent_dir / "millrace-spill-XXXXXX").string();
      if (::mkdtemp(tmpl.data()) == nullptr)
        throw spill_error(parent_dir, "cannot create a spill directory there: " + errno_text(errno));
      path_ = tmpl;
    }
    return path_;
  }
  /// A fresh file name inside the directory ("<prefix>-000001.mrrun", numbered for all sharers).
  std::filesystem::path next_file(std::string_view prefix) {
    char num[32];
    std::snprintf(num, sizeof num, "-%06llu.mrrun", static_cast<unsigned long long>(++counter_));
    return path() / (std::string(prefix) + num);
  }

 private:
  std::filesystem::path parent_, path_;
  mutable std::mutex mu_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace detail::spill
}  // namespace millrace
