// millrace/core/detail/record_origin.hpp — the origin of the record an operator failed on
// (operator_error's file, line, position and ordinal), read from the record and its batch only
// after the operator threw. Internal; used by the per-record stages (fused row operators, sinks,
// route).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <millrace/core/batch.hpp>
#include <millrace/core/error.hpp>
#include <millrace/core/plan.hpp>
#include <millrace/core/position.hpp>

namespace millrace::detail {

// Records that say where they were read: `file` (text) and `line` (a number), as io's json_record
// and csv_row do.
template <class T>
concept has_file_line = requires(const T& t) {
  { t.file } -> std::convertible_to<std::string_view>;
  { t.line } -> std::convertible_to<std::size_t>;
};
template <class T>
concept has_input_index = requires(const T& t) {
  { t.input } -> std::convertible_to<std::uint64_t>;
};

// What is known of record `index` of a batch whose first record has ordinal `first`. `rec` may
// have been moved from by the operator that threw: its numbers are intact, its file name may be
// empty, and then the source's input names give it back.
template <class T>
record_origin origin_of(const T& rec, std::uint64_t first, std::size_t index, const input_namer* names) {
  record_origin o;
  if (first != any_batch::no_ordinal) o.ordinal = first + index;
  std::uint64_t input = ~std::uint64_t(0);
  if constexpr (positioned<T>) {
    o.position = record_position(rec.position);
    input = o.position->input;
  }
  if constexpr (has_input_index<T>) input = static_cast<std::uint64_t>(rec.input);
  if constexpr (has_file_line<T>) {
    o.file = std::string(std::string_view(rec.file));
    o.line = static_cast<std::size_t>(rec.line);
  }
  if (o.file.empty() && names && *names && input != ~std::uint64_t(0)) {
    try {
      o.file = (*names)(input);
    } catch (...) {  // an index the reader does not know: the file stays unnamed
    }
  }
  if (o.file.empty()) o.line = 0;
  return o;
}

}  // namespace millrace::detail
