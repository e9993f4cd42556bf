// millrace/io/detail/byte_source_impl.hpp — the definitions behind io/byte_source.hpp (the only
// io file that includes <zstd.h> for reading).
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/byte_source.hpp>

#include <zstd.h>

namespace millrace::io {

MILLRACE_INLINE byte_source::byte_source(const std::filesystem::path& file, std::uint64_t start) : name_(file.string()) {
  fp_ = std::fopen(name_.c_str(), "rb");
  if (!fp_) throw input_error(name_, 0, std::string("cannot open: ") + std::strerror(errno));
  // Sniff the magic number rather than trusting the extension alone: shards get renamed. The
  // sniffed bytes are kept and read first (a pipe cannot be rewound).
  sniffed_ = std::fread(magic_, 1, 4, fp_);
  file_bytes_ = sniffed_;
  if (sniffed_ < 4) {   // fread stops short only at the end or on an error
    read_eof_ = true;
    if (std::ferror(fp_)) error_ = std::string("read error: ") + std::strerror(errno);
  }
  const bool magic_zstd = sniffed_ == 4 && magic_[0] == 0x28 && magic_[1] == 0xB5 && magic_[2] == 0x2F &&
                          magic_[3] == 0xFD;
  zstd_ = magic_zstd || file.extension() == ".zst";
  if (zstd_) {
    ds_ = ZSTD_createDStream();
    if (!ds_) throw input_error(name_, 0, "cannot create a zstd stream");
    ZSTD_initDStream(ds_);
    in_buf_.resize(std::max<std::size_t>(ZSTD_DStreamInSize(), 4));
    std::memcpy(in_buf_.data(), magic_, sniffed_);
    in_src_ = in_buf_.data();
    in_size_ = sniffed_;
    in_pos_ = 0;
    sniff_pos_ = sniffed_;   // already in the decoder's input
  }
  if (start > 0) {
    if (zstd_) throw input_error(name_, 0, "cannot start reading a zstd stream at byte " + std::to_string(start));
    if (::fseeko(fp_, static_cast<off_t>(start), SEEK_SET) != 0)
      throw input_error(name_, 0, "cannot seek to byte " + std::to_string(start) + ": " + std::strerror(errno));
    sniff_pos_ = sniffed_;   // the sniffed bytes lie before start
    file_bytes_ = 0;
    read_eof_ = false;
    error_.clear();
  }
}

MILLRACE_INLINE byte_source::~byte_source() {
  if (ds_) ZSTD_freeDStream(ds_);
  if (fp_) std::fclose(fp_);
}

MILLRACE_INLINE std::size_t byte_source::read_file(char* dst, std::size_t n) {
  std::size_t got = 0;
  if (sniff_pos_ < sniffed_) {
    got = std::min(n, sniffed_ - sniff_pos_);
    std::memcpy(dst, magic_ + sniff_pos_, got);
    sniff_pos_ += got;
  }
  if (got < n && !read_eof_) {
    const std::size_t more = std::fread(dst + got, 1, n - got, fp_);
    file_bytes_ += more;
    got += more;
    if (got < n) {
      read_eof_ = true;
      if (std::ferror(fp_)) error_ = std::string("read error: ") + std::strerror(errno);
    }
  }
  return got;
}

MILLRACE_INLINE std::size_t byte_source::read_plain(char* dst, std::size_t n) {
  if (eof_) return 0;
  const std::size_t got = read_file(dst, n);
  if (got < n) eof_ = true;
  return got;
}

MILLRACE_INLINE std::size_t byte_source::read_zstd(char* dst, std::size_t n) {
  ZSTD_outBuffer out{dst, n, 0};
  ZSTD_inBuffer in{in_src_, in_size_, in_pos_};
  while (out.pos < out.size && !eof_) {
    if (in.pos == in.size && !file_eof_) {
      std::size_t got = read_file(in_buf_.data(), in_buf_.size());
      in = ZSTD_inBuffer{in_buf_.data(), got, 0};
      if (got == 0) {
        file_eof_ = true;
        if (!error_.empty()) {   // read error
          eof_ = true;
          break;
        }
      }
    }
    const std::size_t before = out.pos, in_before = in.pos;
    std::size_t ret = ZSTD_decompressStream(ds_, &out, &in);
    if (ZSTD_isError(ret)) {
      error_ = std::string("corrupt zstd stream: ") + ZSTD_getErrorName(ret);
      eof_ = true;
      break;
    }
    // A call that moved nothing (empty input after a frame ended) returns a header-size hint,
    // not a truncation: only a call that made progress tells where the frame stands.
    if (out.pos != before || in.pos != in_before) last_ret_ = ret;
    if (file_eof_ && out.pos == before) {
      // No input left and nothing more flushed. zstd returns 0 exactly when a frame is complete.
      eof_ = true;
      if (last_ret_ != 0 && file_bytes_ > 0) error_ = "truncated zstd stream";
    }
  }
  in_src_ = in.src;
  in_size_ = in.size;
  in_pos_ = in.pos;
  return out.pos;
}

}  // namespace millrace::io
