// millrace::io::shard_writer: writes records (already formatted, one per line) into numbered
// shards of at most N records / M bytes, optionally zstd-compressed; each shard is written under
// "<name>.tmp" and renamed when complete; a manifest lists the shards with counts and digests.
//   millrace::io::shard_writer w("out", {.max_records_per_shard = 100000}, ".jsonl"); w.append(line); w.finish();
#pragma once

#include <millrace/io/digest.hpp>
#include <millrace/io/manifest.hpp>

#include <zstd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace millrace::io {

struct write_options {
  std::size_t max_records_per_shard = 0;   // 0: no limit
  std::size_t max_bytes_per_shard = 0;     // uncompressed bytes; 0: no limit (a record never splits)
  bool zstd = false;                       // shards end in .zst
  int zstd_level = 3;
  std::string prefix = "part";             // shard names: <prefix>-00000.jsonl[.zst]
  // Resumable layout: shards are grouped by input (<prefix>-<input>-<part>), the manifest records
  // completed inputs, and a rerun keeps them (read with read_options::resume_from = this dir).
  bool resume = false;
};

class shard_writer {
 public:
  shard_writer(std::filesystem::path dir, write_options opt, std::string extension)
      : dir_(std::move(dir)), opt_(std::move(opt)), ext_(std::move(extension)) {
    std::filesystem::create_directories(dir_);
    if (opt_.zstd) ext_ += ".zst";
    man_.per_input = opt_.resume;
    if (opt_.resume) {
      if (auto old = manifest::load(manifest_path())) {
        if (!old->per_input)
          throw std::runtime_error(manifest_path().string() + ": not written by a resumable job");
        man_ = std::move(*old);
        man_.complete = false;
        man_.shards.clear();
        for (auto& in : man_.inputs)
          for (auto& s : in.shards) man_.shards.push_back(s);
      }
    }
    remove_stale();
  }
  shard_writer(const shard_writer&) = delete;
  shard_writer& operator=(const shard_writer&) = delete;
  ~shard_writer() { abandon(); }

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path manifest_path() const { return dir_ / "manifest.json"; }
  const manifest& current_manifest() const { return man_; }
  std::uint64_t records() const { return records_; }

  // Inputs already complete in the manifest (resume): the reader skips them.
  bool input_done(std::uint32_t input) const {
    for (auto& in : man_.inputs)
      if (in.index == input) return true;
    return false;
  }

  // Starts the records of input `input` (resume layout); completes the inputs before it.
  void begin_input(std::uint32_t input, std::string_view path) {
    if (has_group_ && input == group_) return;
    if (has_group_) end_input();
    has_group_ = true;
    group_ = input;
    group_path_ = path;
    group_records_ = 0;
    group_shards_.clear();
    part_ = 0;
  }

  // One record: its bytes including the final newline.
  void append(std::string_view rec) {
    if (opt_.resume && !has_group_) throw std::logic_error("shard_writer: resume layout needs begin_input");
    if (fp_ && ((opt_.max_records_per_shard && cur_.records >= opt_.max_records_per_shard) ||
                (opt_.max_bytes_per_shard && cur_.bytes + rec.size() > opt_.max_bytes_per_shard)))
      close_shard();
    if (!fp_) open_shard();
    cur_.records++;
    cur_.bytes += rec.size();
    ++records_;
    ++group_records_;
    content_.update(rec);
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

  // Completes the last shard and the manifest (complete: true).
  void finish() {
    if (opt_.resume) {
      if (has_group_) end_input();
    } else if (fp_) {
      close_shard();
    }
    man_.complete = true;
    man_.save(manifest_path());
  }

  // Drops the shard in progress (its temporary file): used when the run failed.
  void abandon() {
    if (fp_) {
      std::fclose(fp_);
      fp_ = nullptr;
      std::error_code ec;
      std::filesystem::remove(tmp_path_, ec);
    }
    if (cctx_) {
      ZSTD_freeCCtx(cctx_);
      cctx_ = nullptr;
    }
  }

 private:
  std::string shard_name() const {
    char buf[64];
    if (opt_.resume) std::snprintf(buf, sizeof buf, "-%05u-%04zu", unsigned(group_), part_);
    else std::snprintf(buf, sizeof buf, "-%05zu", part_);
    return opt_.prefix + buf + ext_;
  }

  // Shards of ours that the manifest does not list (an interrupted run's, or a previous run's
  // in a non-resumable layout), and their temporary files, are removed; other files are left alone.
  void remove_stale() {
    std::set<std::string> keep;
    for (auto& s : man_.shards) keep.insert(s.file);
    const std::regex ours(std::regex_replace(opt_.prefix, std::regex(R"([.^$|()\[\]{}*+?\\])"), R"(\$&)") +
                          R"(-\d{5}(-\d{4})?\.[A-Za-z0-9]+(\.zst)?(\.tmp)?)");
    for (auto& e : std::filesystem::directory_iterator(dir_)) {
      const auto name = e.path().filename().string();
      if (e.is_regular_file() && std::regex_match(name, ours) && !keep.count(name))
        std::filesystem::remove(e.path());
    }
  }

  void put(const char* p, std::size_t n) {
    if (n == 0) return;
    if (std::fwrite(p, 1, n, fp_) != n)
      throw std::runtime_error("cannot write " + tmp_path_.string() + ": " + std::strerror(errno));
    file_.update(std::string_view(p, n));
    cur_.file_bytes += n;
  }

  void open_shard() {
    cur_ = shard_info{};
    cur_.file = shard_name();
    tmp_path_ = dir_ / (cur_.file + ".tmp");
    fp_ = std::fopen(tmp_path_.c_str(), "wb");
    if (!fp_) throw std::runtime_error("cannot create " + tmp_path_.string() + ": " + std::strerror(errno));
    std::setvbuf(fp_, nullptr, _IOFBF, 1 << 20);
    file_.reset();
    content_.reset();
    if (opt_.zstd) {
      if (!cctx_) cctx_ = ZSTD_createCCtx();
      ZSTD_CCtx_reset(cctx_, ZSTD_reset_session_and_parameters);
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_compressionLevel, opt_.zstd_level);
      ZSTD_CCtx_setParameter(cctx_, ZSTD_c_checksumFlag, 1);
      zbuf_.resize(ZSTD_CStreamOutSize());
    }
  }

  void close_shard() {
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
    if (std::fflush(fp_) != 0 || std::fclose(fp_) != 0) {
      fp_ = nullptr;
      throw std::runtime_error("cannot write " + tmp_path_.string());
    }
    fp_ = nullptr;
    cur_.xxh3_128 = file_.hex();
    cur_.content_xxh3_128 = content_.hex();
    std::filesystem::rename(tmp_path_, dir_ / cur_.file);
    man_.shards.push_back(cur_);
    group_shards_.push_back(cur_);
    ++part_;
  }

  void end_input() {
    if (fp_) close_shard();
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
    man_.save(manifest_path());   // a crash after this point keeps this input
    has_group_ = false;
  }

  std::filesystem::path dir_;
  write_options opt_;
  std::string ext_;
  manifest man_;
  std::FILE* fp_ = nullptr;
  std::filesystem::path tmp_path_;
  shard_info cur_;
  digest128 file_, content_;
  ZSTD_CCtx* cctx_ = nullptr;
  std::vector<char> zbuf_;
  std::size_t part_ = 0;
  std::uint64_t records_ = 0, group_records_ = 0;
  bool has_group_ = false;
  std::uint32_t group_ = 0;
  std::string group_path_;
  std::vector<shard_info> group_shards_;
};

}  // namespace millrace::io
