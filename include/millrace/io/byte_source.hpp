// millrace/io/byte_source.hpp — millrace::io::byte_source: reads a file's bytes in chunks,
// decompressing zstd and gzip transparently (by the .zst / .gz extension or the magic number;
// concatenated gzip members, as WARC files have, read as one stream) with bounded memory. Works on
// streams too (a FIFO, /dev/stdin; the path "-" is standard input): nothing is rewound.
//   millrace::io::byte_source in("shard.jsonl.zst"); char buf[65536]; while (auto n = in.read(buf, sizeof buf)) {...}
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/error.hpp>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

// zstd's and zlib's stream types, declared so that this header does not include <zstd.h> or
// <zlib.h> (detail/byte_source_impl.hpp does).
struct ZSTD_DCtx_s;
struct z_stream_s;

namespace millrace::io {

/// Reads one input's bytes, decompressed; "-" reads standard input (never closed).
class byte_source {
 public:
  // start > 0: read a plain file from that byte on (a zstd or gzip stream cannot start mid-file: error).
  explicit byte_source(const std::filesystem::path& file, std::uint64_t start = 0);
  byte_source(const byte_source&) = delete;
  byte_source& operator=(const byte_source&) = delete;
  ~byte_source();

  /// The path as given ("-": standard input); errors name the input by it.
  const std::string& name() const { return name_; }
  /// The input is zstd or gzip (by magic number or extension), decompressed as it is read.
  bool compressed() const { return zstd_ || gzip_; }
  /// The input is gzip (by its magic number, or a .gz name).
  bool gzip() const { return gzip_; }
  /// Compressed or plain bytes taken from the file so far (for progress and throughput).
  std::uint64_t file_bytes_read() const { return file_bytes_; }
  /// The content is empty: no byte came out (of a 0-byte file, or of a valid .zst whose frames
  /// hold nothing), so empty_file_is_error means the same for plain and compressed inputs.
  bool empty_file() const { return eof_ && content_bytes_ == 0; }

  /// Reads up to n bytes into dst; returns 0 only at the end. A truncated or corrupt zstd/gzip stream
  /// ends the data early and sets error() (the caller knows the line, so it raises the error).
  std::size_t read(char* dst, std::size_t n) {
    const std::size_t got = zstd_ ? read_zstd(dst, n) : gzip_ ? read_gzip(dst, n) : read_plain(dst, n);
    content_bytes_ += got;
    return got;
  }

  /// Empty unless the data ended because of a problem (truncated/corrupt zstd or gzip, read error).
  const std::string& error() const { return error_; }

 private:
  // Raw bytes from the file, the sniffed ones first.
  std::size_t read_file(char* dst, std::size_t n);
  std::size_t read_plain(char* dst, std::size_t n);
  std::size_t read_zstd(char* dst, std::size_t n);
  std::size_t read_gzip(char* dst, std::size_t n);

  std::string name_;
  std::FILE* fp_ = nullptr;
  bool zstd_ = false;
  bool eof_ = false;
  bool file_eof_ = false;
  ZSTD_DCtx_s* ds_ = nullptr;   // a ZSTD_DStream
  bool gzip_ = false;
  bool stdin_ = false;          // fp_ is stdin: not ours to close
  z_stream_s* gz_ = nullptr;    // zlib's inflate state (gzip header, member by member)
  bool gz_member_open_ = false; // bytes of a gzip member went in and its end has not come out
  std::vector<char> in_buf_;
  // The decoder's input (a ZSTD_inBuffer: src, size, pos), kept as plain fields without <zstd.h>.
  const void* in_src_ = nullptr;
  std::size_t in_size_ = 0, in_pos_ = 0;
  std::size_t last_ret_ = 0;
  std::uint64_t file_bytes_ = 0, content_bytes_ = 0;
  unsigned char magic_[4] = {};
  std::size_t sniffed_ = 0, sniff_pos_ = 0;   // sniffed bytes, and how many were handed out
  bool read_eof_ = false;          // the file (not the decoder) has no more bytes
  std::string error_;
};

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/byte_source_impl.hpp>
#endif
