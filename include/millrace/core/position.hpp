// millrace/core/position.hpp — a record's place in the run's total order.
// Every executor, thread count, batch size and partitioning of the input agrees on it, so that
// "first occurrence", a near-duplicate cluster's survivor and a per-record seed mean the same
// thing in one process, in many, and on a GPU. File readers derive it from (input index, byte
// offset of the record in the decompressed input); in-memory sources from the element's index.
//   if (a.position < b.position) ...   // a comes first in the input
#pragma once

#include <compare>
#include <cstdint>

namespace millrace {

/// A record's place in the whole input: (input file index, byte offset); ordered, so "smallest position" is defined.
struct record_position {
  std::uint64_t input = 0;   ///< index of the input file in the sorted input list (0 for in-memory sources)
  std::uint64_t offset = 0;  ///< byte offset of the record inside that input (element index in memory)
  friend constexpr auto operator<=>(const record_position&, const record_position&) = default;
  friend constexpr bool operator==(const record_position&, const record_position&) = default;
};

/// Records that know their position: a `position` member of type record_position.
template <class T>
concept positioned = requires(const T& t) {
  { t.position } -> std::convertible_to<record_position>;
};

}  // namespace millrace
