// millrace::io::shard_writer: writes records (already formatted, one per line) into numbered
// shards of at most N records / M bytes, optionally zstd-compressed; each shard is written through
// an atomic_file (unpredictable temporary name, renamed when complete); a manifest lists the
// shards with counts and digests.
//   millrace::io::shard_writer w("out", {.max_records_per_shard = 100000}, ".jsonl"); w.append(line); w.finish();
//
// What it may touch in the output directory: the manifest, and the files an earlier manifest of
// this directory lists (its shards, or the names an interrupted run listed as "owned"). Before the
// first of those is deleted or replaced, the manifest is rewritten as incomplete, so it never
// claims shards that are gone. A file with a shard's name that no manifest lists is never replaced:
// the writer stops with an error naming it. Temporary files of a killed run (hidden
// ".<shard>.<16 hex>.tmp" names owned by this user) are removed.
#pragma once

#include <millrace/io/atomic_file.hpp>
#include <millrace/io/digest.hpp>
#include <millrace/io/manifest.hpp>

#include <zstd.h>

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
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
  // fsync each shard and the manifest before renaming them into place (a "complete" manifest then
  // survives a power cut). Costs one device flush per shard; turn off for scratch outputs.
  bool fsync = true;
};

class shard_writer {
 public:
  shard_writer(std::filesystem::path dir, write_options opt, std::string extension)
      : dir_(std::move(dir)), opt_(std::move(opt)), ext_(std::move(extension)) {
    std::filesystem::create_directories(dir_);
    if (opt_.zstd) ext_ += ".zst";
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
    if (file_.is_open() && ((opt_.max_records_per_shard && cur_.records >= opt_.max_records_per_shard) ||
                            (opt_.max_bytes_per_shard && cur_.bytes + rec.size() > opt_.max_bytes_per_shard)))
      close_shard();
    if (!file_.is_open()) open_shard();
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
    } else if (file_.is_open()) {
      close_shard();
    }
    man_.complete = true;
    save_manifest();
  }

  // Drops the shard in progress (its temporary file): used when the run failed. The manifest
  // stays incomplete.
  void abandon() noexcept {
    file_.discard();
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

  durability sync() const { return opt_.fsync ? durability::fsync : durability::no_fsync; }

  void save_manifest() {
    man_.owned.assign(owned_.begin(), owned_.end());
    man_.save(manifest_path(), sync());
  }

  // Files an earlier run listed that this run does not keep, and this user's temporary files of
  // ours left by a killed run. Nothing else: unlink never follows a symlink, and a name no
  // manifest listed is not ours to delete.
  void remove_stale() {
    std::set<std::string> keep;
    for (auto& s : man_.shards) keep.insert(s.file);
    for (auto& name : owned_)
      if (!keep.count(name)) unlink_entry(dir_ / name);
    const std::string shard_tmp = "." + opt_.prefix + "-", manifest_tmp = ".manifest.json.";
    remove_stale_temps_in(dir_, [&](std::string_view name) {
      return name.starts_with(shard_tmp) || name.starts_with(manifest_tmp);
    });
  }

  static void unlink_entry(const std::filesystem::path& p) {
    if (::unlink(p.c_str()) != 0 && errno != ENOENT)
      throw output_error(p.string(), std::string("cannot remove a stale shard: ") + std::strerror(errno));
  }

  void put(const char* p, std::size_t n) {
    if (n == 0) return;
    file_.write(std::string_view(p, n));
    file_digest_.update(std::string_view(p, n));
    cur_.file_bytes += n;
  }

  void open_shard() {
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
    file_.commit();
    cur_.xxh3_128 = file_digest_.hex();
    cur_.content_xxh3_128 = content_.hex();
    man_.shards.push_back(cur_);
    group_shards_.push_back(cur_);
    ++part_;
  }

  void end_input() {
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

  std::filesystem::path dir_;
  write_options opt_;
  std::string ext_;
  manifest man_;
  std::set<std::string> owned_;   // names this directory's manifests have listed
  atomic_file file_;
  shard_info cur_;
  digest128 file_digest_, content_;
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
