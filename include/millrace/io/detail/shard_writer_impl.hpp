// millrace/io/detail/shard_writer_impl.hpp — the definitions behind io/shard_writer.hpp (the only
// io file that includes <zstd.h> and <zlib.h> for writing). Without zlib, gzip output is an error.
#pragma once

#include <millrace/detail/config.hpp>
#include <millrace/io/shard_writer.hpp>

#include <zstd.h>
#if __has_include(<zlib.h>)
#include <zlib.h>
#define MILLRACE_IO_WRITE_ZLIB 1
#else
#define MILLRACE_IO_WRITE_ZLIB 0
#endif

#include <sys/stat.h>
#include <unistd.h>

namespace millrace::io {

MILLRACE_INLINE shard_writer::shard_writer(std::filesystem::path dir, write_options opt, std::string extension)
    : dir_(std::move(dir)), opt_(std::move(opt)), ext_(std::move(extension)) {
  if (opt_.zstd && opt_.gzip) throw std::invalid_argument("write_options: zstd and gzip are both set (choose one)");
#if !MILLRACE_IO_WRITE_ZLIB
  if (opt_.gzip) throw std::invalid_argument("write_options::gzip: millrace was built without zlib (zlib1g-dev)");
#endif
  if (opt_.zstd) ext_ += ".zst";
  if (opt_.gzip) ext_ += ".gz";
  if (dir_ == "-") {
    // Standard output: one stream; shards, the manifest and the atomic rename do not apply.
    if (opt_.resume) throw std::invalid_argument("write_options::resume needs an output directory, not \"-\" (standard output)");
    stdout_ = true;
    return;
  }
  std::filesystem::create_directories(dir_);
  man_.per_input = opt_.resume;
  std::optional<manifest> old = manifest::load(manifest_path());
  if (old) {
    for (auto& s : old->shards) owned_.insert(s.file);
    for (auto& o : old->owned) owned_.insert(o);
    if (opt_.resume) {
      if (!old->per_input)
        throw std::runtime_error(manifest_path().string() + ": not written by a resumable job");
      man_.inputs = std::move(old->inputs);
      for (auto& in : man_.inputs)
        for (auto& s : in.shards) man_.shards.push_back(s);
    }
  }
  // The old manifest stops claiming anything before the first file it lists is touched.
  man_.complete = false;
  save_manifest();
  remove_stale();
}

MILLRACE_INLINE shard_writer::~shard_writer() { abandon(); }

MILLRACE_INLINE bool shard_writer::input_done(std::uint32_t input) const {
  for (auto& in : man_.inputs)
    if (in.index == input) return true;
  return false;
}

MILLRACE_INLINE void shard_writer::begin_input(std::uint32_t input, std::string_view path) {
  if (has_group_ && input == group_) return;
  if (has_group_) end_input();
  has_group_ = true;
  group_ = input;
  group_path_ = path;
  group_records_ = 0;
  group_shards_.clear();
  part_ = 0;
}

MILLRACE_INLINE void shard_writer::append(std::string_view rec) {
  if (opt_.resume && !has_group_) throw std::logic_error("shard_writer: resume layout needs begin_input");
  if (!stdout_ && file_.is_open() && ((opt_.max_records_per_shard && cur_.records >= opt_.max_records_per_shard) ||
                          (opt_.max_bytes_per_shard && cur_.bytes + rec.size() > opt_.max_bytes_per_shard)))
    close_shard();
  if (stdout_ ? !stdout_open_ : !file_.is_open()) open_shard();
  cur_.records++;
  cur_.bytes += rec.size();
  ++records_;
  ++group_records_;
  content_.update(rec);
#if MILLRACE_IO_WRITE_ZLIB
  if (opt_.gzip) {
    gz_->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(rec.data()));
    gz_->avail_in = static_cast<uInt>(rec.size());
    while (gz_->avail_in > 0) {
      gz_->next_out = reinterpret_cast<Bytef*>(zbuf_.data());
      gz_->avail_out = static_cast<uInt>(zbuf_.size());
      if (deflate(gz_, Z_NO_FLUSH) == Z_STREAM_ERROR) throw std::runtime_error("gzip: deflate failed");
      put(zbuf_.data(), zbuf_.size() - gz_->avail_out);
    }
    return;
  }
#endif
  if (!opt_.zstd) {
    put(rec.data(), rec.size());
    return;
  }
  ZSTD_inBuffer in{rec.data(), rec.size(), 0};
  while (in.pos < in.size) {
    ZSTD_outBuffer out{zbuf_.data(), zbuf_.size(), 0};
    std::size_t r = ZSTD_compressStream2(cctx_, &out, &in, ZSTD_e_continue);
    if (ZSTD_isError(r)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(r));
    put(zbuf_.data(), out.pos);
  }
}

MILLRACE_INLINE void shard_writer::finish() {
  if (stdout_) {
    if (stdout_open_) close_shard();
    return;
  }
  if (opt_.resume) {
    if (has_group_) end_input();
  } else if (file_.is_open()) {
    close_shard();
  }
  man_.complete = true;
  save_manifest();
}

MILLRACE_INLINE void shard_writer::abandon() noexcept {
  file_.discard();
  if (cctx_) {
    ZSTD_freeCCtx(cctx_);
    cctx_ = nullptr;
  }
#if MILLRACE_IO_WRITE_ZLIB
  if (gz_) {
    deflateEnd(gz_);
    delete gz_;
    gz_ = nullptr;
  }
#endif
}

MILLRACE_INLINE std::string shard_writer::shard_name() const {
  char buf[64];
  if (opt_.resume) std::snprintf(buf, sizeof buf, "-%05u-%04zu", unsigned(group_), part_);
  else std::snprintf(buf, sizeof buf, "-%05zu", part_);
  return opt_.prefix + buf + ext_;
}

MILLRACE_INLINE void shard_writer::save_manifest() {
  man_.owned.assign(owned_.begin(), owned_.end());
  man_.save(manifest_path(), sync());
}

MILLRACE_INLINE void shard_writer::remove_stale() {
  std::set<std::string> keep;
  for (auto& s : man_.shards) keep.insert(s.file);
  for (auto& name : owned_)
    if (!keep.count(name)) unlink_entry(dir_ / name);
  const std::string shard_tmp = "." + opt_.prefix + "-", manifest_tmp = ".manifest.json.";
  remove_stale_temps_in(dir_, [&](std::string_view name) {
    return name.starts_with(shard_tmp) || name.starts_with(manifest_tmp);
  });
}

MILLRACE_INLINE void shard_writer::unlink_entry(const std::filesystem::path& p) {
  if (::unlink(p.c_str()) != 0 && errno != ENOENT)
    throw output_error(p.string(), std::string("cannot remove a stale shard: ") + std::strerror(errno));
}

MILLRACE_INLINE void shard_writer::put(const char* p, std::size_t n) {
  if (n == 0) return;
  if (stdout_) {
    if (std::fwrite(p, 1, n, stdout) != n)
      throw output_error("-", std::string("cannot write to standard output: ") + std::strerror(errno));
    return;
  }
  file_.write(std::string_view(p, n));
  file_digest_.update(std::string_view(p, n));
  cur_.file_bytes += n;
}

MILLRACE_INLINE void shard_writer::open_shard() {
  if (stdout_) {
    stdout_open_ = true;
    start_compression();
    return;
  }
  cur_ = shard_info{};
  cur_.file = shard_name();
  const auto target = dir_ / cur_.file;
  if (!owned_.count(cur_.file)) {
    struct stat st {};
    if (::lstat(target.c_str(), &st) == 0)
      throw output_error(target.string(), "exists and no manifest of this directory lists it: millrace will not "
                                          "replace it (move it away or choose another output directory)");
    // Listed before it is created: if this run dies, the next one knows the file is ours.
    owned_.insert(cur_.file);
    save_manifest();
  }
  file_ = atomic_file(target, sync());
  file_digest_.reset();
  content_.reset();
  start_compression();
}

MILLRACE_INLINE void shard_writer::start_compression() {
#if MILLRACE_IO_WRITE_ZLIB
  if (opt_.gzip) {
    if (!gz_) gz_ = new z_stream{};
    else deflateEnd(gz_);
    *gz_ = z_stream{};
    // 15 + 16: a gzip wrapper (header and CRC-32 trailer), the largest window.
    if (deflateInit2(gz_, opt_.gzip_level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
      throw std::invalid_argument("write_options::gzip_level " + std::to_string(opt_.gzip_level) + ": not 1..9");
    zbuf_.resize(std::size_t(1) << 16);
  }
#endif
  if (opt_.zstd) {
    if (!cctx_) cctx_ = ZSTD_createCCtx();
    ZSTD_CCtx_reset(cctx_, ZSTD_reset_session_and_parameters);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, opt_.zstd_level);
    ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
    zbuf_.resize(ZSTD_CStreamOutSize());
  }
}

MILLRACE_INLINE void shard_writer::close_shard() {
  if (opt_.zstd) {
    for (;;) {
      ZSTD_inBuffer in{nullptr, 0, 0};
      ZSTD_outBuffer out{zbuf_.data(), zbuf_.size(), 0};
      std::size_t r = ZSTD_compressStream2(cctx_, &out, &in, ZSTD_e_end);
      if (ZSTD_isError(r)) throw std::runtime_error(std::string("zstd: ") + ZSTD_getErrorName(r));
      put(zbuf_.data(), out.pos);
      if (r == 0) break;
    }
  }
#if MILLRACE_IO_WRITE_ZLIB
  if (opt_.gzip) {
    int r = Z_OK;
    gz_->next_in = nullptr;
    gz_->avail_in = 0;
    while (r != Z_STREAM_END) {
      gz_->next_out = reinterpret_cast<Bytef*>(zbuf_.data());
      gz_->avail_out = static_cast<uInt>(zbuf_.size());
      r = deflate(gz_, Z_FINISH);
      if (r == Z_STREAM_ERROR) throw std::runtime_error("gzip: deflate failed");
      put(zbuf_.data(), zbuf_.size() - gz_->avail_out);
    }
  }
#endif
  if (stdout_) {
    stdout_open_ = false;
    if (std::fflush(stdout) != 0)
      throw output_error("-", std::string("cannot write to standard output: ") + std::strerror(errno));
    return;
  }
  file_.commit();
  cur_.xxh3_128 = file_digest_.hex();
  cur_.content_xxh3_128 = content_.hex();
  man_.shards.push_back(cur_);
  group_shards_.push_back(cur_);
  ++part_;
}

MILLRACE_INLINE void shard_writer::end_input() {
  if (file_.is_open()) close_shard();
  input_info in;
  in.index = group_;
  in.path = group_path_;
  in.records = group_records_;
  in.shards = std::move(group_shards_);
  group_shards_.clear();
  man_.inputs.push_back(std::move(in));
  // Inputs complete in index order; the manifest lists them sorted so reruns write the same bytes.
  std::stable_sort(man_.inputs.begin(), man_.inputs.end(),
                   [](const input_info& a, const input_info& b) { return a.index < b.index; });
  man_.shards.clear();
  for (auto& i : man_.inputs)
    for (auto& s : i.shards) man_.shards.push_back(s);
  save_manifest();   // a crash after this point keeps this input
  has_group_ = false;
}

}  // namespace millrace::io
