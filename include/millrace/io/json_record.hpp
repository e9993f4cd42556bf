// millrace/io/json_record.hpp — millrace::io::json_record: one JSONL line kept as its original
// bytes (written back unchanged by write_jsonl) with its provenance; fields are read on demand with
// simdjson (io/detail/json_record_impl.hpp). A key that repeats: the last occurrence is the field's
// value.
//   std::optional<std::string> text = rec.get_string("text");
#pragma once

#include <millrace/core/position.hpp>
#include <millrace/detail/config.hpp>
#include <millrace/io/json.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::io {

/// A schemaless JSON record: the raw line, where it came from (file, line, input), and typed getters by field name.
struct json_record {
  std::string raw;            ///< the line exactly as read but its '\n' (a CR before it stays); a valid JSON object
  std::string file;           ///< provenance: input file and 1-based line (0: not known, a part that starts mid-file)
  std::size_t line = 0;  ///< 1-based line number in file; 0: not known
  std::uint32_t input = 0;    ///< index of the file in the expanded input list (resume uses it)
  /// The record's place in the run's order: {input, byte offset of the line in the decompressed
  /// file}; the same for any thread count, batch size and partitioning of the input.
  record_position position{};

  /// Value of a top-level string field; nullopt when absent or not a string.
  std::optional<std::string> get_string(std::string_view field) const;
  /// A top-level integer field (64-bit signed); nullopt when absent or not one.
  std::optional<std::int64_t> get_int(std::string_view field) const;
  /// A top-level number field; nullopt when absent or not a number.
  std::optional<double> get_double(std::string_view field) const;
  /// A top-level boolean field; nullopt when absent or not a boolean.
  std::optional<bool> get_bool(std::string_view field) const;
  /// The field's value as minified JSON text (any type), e.g. "123" or "{\"a\":1}". A number
  /// simdjson cannot hold (beyond 64 bits, exponent beyond double range) comes as written.
  std::optional<std::string> get_json(std::string_view field) const;
  /// True when the record has a top-level field of that name.
  bool has(std::string_view field) const;

  friend bool operator==(const json_record& a, const json_record& b) { return a.raw == b.raw; }

 private:
  // Calls f with the field's value: the last occurrence when the key repeats (as Python's json
  // does, and as the typed field maps do). Each call of f replaces what an earlier one found.
  // (io/detail/json_record_impl.hpp: simdjson's On-Demand API)
  template <class F>
  void visit(std::string_view field, F&& f) const;
};

}  // namespace millrace::io

#if MILLRACE_HEADER_ONLY
#include <millrace/io/detail/json_record_impl.hpp>
#endif
