// millrace/recipe/document.hpp — the record a recipe's operators see: the text of one configured
// field, the original JSON object it came from (every other field travels unchanged) and its
// provenance; written back byte for byte unless a step changed the text or annotated it.
//   mr::recipe::document d = mr::recipe::document::from_text("hello", R"({"id":1,"text":"hello"})");
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <millrace/core/position.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/io/digest.hpp>

namespace millrace::recipe {

/// One record of a recipe pipeline. `text` is the field the recipe names (`text_field`, default
/// "text"); `raw` the whole JSON object as read (CSV rows: built from the header); the writer
/// re-encodes the object only when `text` no longer equals the text read (checked by size and
/// a 64-bit XXH3 of the original) or a filter annotated the record.
struct document {
  std::string text;               ///< the configured text field's value (steps may rewrite it)
  std::string raw;                ///< the whole JSON object as read, written back when unchanged
  std::uint64_t text_hash = 0;    ///< XXH3-64 of the text as read
  std::size_t text_size = 0;      ///< its size in bytes
  filters::filter_result filter_result;  ///< annotations: statistics and failures, written as "filter_result"
  std::string file;               ///< provenance: input file the record came from (empty: not known)
  std::size_t line = 0;           ///< 1-based line in `file` (0: not known)
  std::uint32_t input = 0;        ///< index of `file` in the expanded input list
  record_position position{};     ///< the record's place in the run's order (exact / near dedup use it)

  /// A document whose text is unchanged so far (tests, custom readers).
  static document from_text(std::string text, std::string raw) {
    document d;
    d.text_hash = text_digest(text);
    d.text_size = text.size();
    d.text = std::move(text);
    d.raw = std::move(raw);
    return d;
  }
  /// True when a step rewrote the text since it was read.
  bool text_changed() const { return text.size() != text_size || text_digest(text) != text_hash; }
  /// The digest text_changed() compares.
  static std::uint64_t text_digest(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }
};

}  // namespace millrace::recipe
