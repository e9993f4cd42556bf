// millrace/dedup/doc_edge.hpp — millrace::dedup::doc_edge: a pair of documents linked by some
// evidence (an LSH band collision, a verified pair), by input index; the input of
// connected_components and what the LSH stage emits.
//   millrace::dedup::doc_edge e{3, 7};   // a < b
#pragma once

#include <compare>
#include <cstdint>

namespace millrace::dedup {

/// A candidate pair of documents, a < b (input indices).
struct doc_edge {
  std::uint32_t a, b;  ///< input indices of the two documents, a < b
  friend bool operator==(const doc_edge&, const doc_edge&) = default;
  friend auto operator<=>(const doc_edge&, const doc_edge&) = default;
};

}  // namespace millrace::dedup
