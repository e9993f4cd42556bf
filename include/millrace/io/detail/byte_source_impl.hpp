// millrace/io/detail/byte_source_impl.hpp — the definitions behind io/byte_source.hpp (the only
// io file that includes <zstd.h> and <zlib.h> for reading). Without zlib, a gzip input is an error
// that says so.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/byte_source.hpp>

#include <zstd.h>
#if __has_include(<zlib.h>)
#include <zlib.h>
#define MILLRACE_IO_HAVE_ZLIB 1
#else
#define MILLRACE_IO_HAVE_ZLIB 0
#endif

namespace millrace::io {

MILLRACE_INLINE byte_source::byte_source(const std::filesystem::path& file, std::uint64_t start) : name_(file.string()) {
  stdin_ = name_ == "-";
  fp_ = stdin_ ? stdin : std::fopen(name_.c_str(), "rb");
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
  const bool magic_gzip = sniffed_ >= 2 && magic_[0] == 0x1F && magic_[1] == 0x8B;
  zstd_ = magic_zstd || (!magic_gzip && file.extension() == ".zst");
  gzip_ = !zstd_ && (magic_gzip || file.extension() == ".gz");
  if (gzip_) {
#if MILLRACE_IO_HAVE_ZLIB
    gz_ = new z_stream{};
    if (inflateInit2(gz_, 15 + 16) != Z_OK) {   // 15 + 16: a gzip wrapper, the largest window
      delete gz_;
      gz_ = nullptr;
      if (!stdin_) std::fclose(fp_);
      throw input_error(name_, 0, "cannot create a gzip stream");
    }
    in_buf_.resize(std::size_t(1) << 16);
    in_src_ = in_buf_.data();
    in_size_ = in_pos_ = 0;   // the sniffed bytes come first through read_file
#else
    if (!stdin_) std::fclose(fp_);
    throw input_error(name_, 0, "gzip input, but millrace was built without zlib (zlib1g-dev)");
#endif
  }
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
    if (zstd_ || gzip_)
      throw input_error(name_, 0, std::string("cannot start reading a ") + (zstd_ ? "zstd" : "gzip") +
                                      " stream at byte " + std::to_string(start));
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
#if MILLRACE_IO_HAVE_ZLIB
  if (gz_) {
    inflateEnd(gz_);
    delete gz_;
  }
#endif
  if (fp_ && !stdin_) std::fclose(fp_);
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

MILLRACE_INLINE std::size_t byte_source::read_gzip(char* dst, std::size_t n) {
#if MILLRACE_IO_HAVE_ZLIB
  std::size_t produced = 0;
  while (produced < n && !eof_) {
    if (in_pos_ == in_size_ && !file_eof_) {
      const std::size_t got = read_file(in_buf_.data(), in_buf_.size());
      in_src_ = in_buf_.data();
      in_size_ = got;
      in_pos_ = 0;
      if (got == 0) file_eof_ = true;
    }
    if (in_pos_ == in_size_ && file_eof_) {
      // A member whose end has not come out: the file was cut (or a read failed: error_ says so).
      eof_ = true;
      if (gz_member_open_ && error_.empty()) error_ = "truncated gzip stream";
      break;
    }
    gz_->next_in = reinterpret_cast<Bytef*>(const_cast<void*>(in_src_)) + in_pos_;
    gz_->avail_in = static_cast<uInt>(in_size_ - in_pos_);
    gz_->next_out = reinterpret_cast<Bytef*>(dst + produced);
    gz_->avail_out = static_cast<uInt>(std::min<std::size_t>(n - produced, std::size_t(1) << 30));
    gz_member_open_ = true;
    const uInt out_before = gz_->avail_out;
    const int r = inflate(gz_, Z_NO_FLUSH);
    in_pos_ = in_size_ - gz_->avail_in;
    produced += out_before - gz_->avail_out;
    if (r == Z_STREAM_END) {
      // One member done; another may follow (concatenated members: WARC's one per record).
      inflateReset(gz_);
      gz_member_open_ = false;
    } else if (r != Z_OK && r != Z_BUF_ERROR) {
      error_ = std::string("corrupt gzip stream: ") + (gz_->msg ? gz_->msg : "inflate error " + std::to_string(r));
      eof_ = true;
    }
  }
  return produced;
#else
  (void)dst, (void)n;
  return 0;
#endif
}

}  // namespace millrace::io
