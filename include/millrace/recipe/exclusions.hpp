// millrace/recipe/exclusions.hpp — a recipe's exclusion output: every record a step drops (filters,
// URL, PII, dedup, take), as one JSON line with the step, the filter and the reason, in
// DIR/excluded.jsonl written atomically.
//   recipe key `exclusions: out/excluded`  or  millrace-run r.yaml --exclusions out/excluded
#pragma once

#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

#include <millrace/core/json_value.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/io/atomic_file.hpp>
#include <millrace/recipe/document.hpp>

namespace millrace::recipe {

/// Writes dropped records to `<dir>/excluded.jsonl`, one line each:
/// {"step": ..., "filter": ..., "reason": ..., "file": ..., "line": N, "record": <the object as read>};
/// a dedup step adds what the record duplicates ("duplicate_of": {"file": ..., "line": N}) or the
/// reason's details ("detail": "..."), between "reason" and "file".
/// The file appears whole on commit() (atomic_file: a temporary file renamed into place); a run
/// that fails leaves no partial file. Calls are serialized (filter stages run in parallel).
class exclusion_writer {
 public:
  /// Names the output; `dir` and the temporary file are created at the first write (or commit),
  /// so building a recipe (--dry-run) writes nothing.
  explicit exclusion_writer(const std::filesystem::path& dir, io::durability d = io::durability::fsync)
      : dir_(dir), path_(dir / "excluded.jsonl"), durability_(d) {}

  /// Appends one dropped record with the step that dropped it.
  void write(std::string_view step, const filters::excluded<document>& e) { write(step, e.filter, e.reason, e.record); }
  /// Appends one dropped record: its step, filter (a non-filter step names itself), reason and
  /// `extra` JSON members (`"key":value` pairs joined by ',', or empty) written after the reason.
  void write(std::string_view step, std::string_view filter, std::string_view reason, const document& d, std::string_view extra = {}) {
    std::string line = fmt::format("{{\"step\":{},\"filter\":{},\"reason\":{},", json::quote(step), json::quote(filter), json::quote(reason));
    if (!extra.empty()) line.append(extra).push_back(',');
    line += fmt::format("\"file\":{},\"line\":{},\"record\":", json::quote(d.file), d.line);
    // The record as read (a JSON object: the readers checked it); a CSV row's object built from its header.
    line += d.raw.empty() ? std::string("null") : d.raw;
    line += "}\n";
    std::lock_guard lock(mu_);
    open();
    file_->write(line);
    ++count_;
  }
  /// Renames the file into place; call once, after the run succeeded.
  void commit() {
    std::lock_guard lock(mu_);
    open();
    file_->commit();
  }
  /// Records written so far.
  std::uint64_t count() const {
    std::lock_guard lock(mu_);
    return count_;
  }
  /// The final path (`<dir>/excluded.jsonl`).
  const std::filesystem::path& path() const { return path_; }

 private:
  void open() {
    if (file_) return;
    std::filesystem::create_directories(dir_);
    file_.emplace(path_, durability_);
  }
  std::filesystem::path dir_, path_;
  io::durability durability_;
  std::optional<io::atomic_file> file_;
  mutable std::mutex mu_;
  std::uint64_t count_ = 0;
};

}  // namespace millrace::recipe
