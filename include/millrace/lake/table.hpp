// millrace/lake/table.hpp — an in-memory data-lake table: header, canonical cells in one arena,
// per-cell hashes and the one-pass statistics (types, min/max, distinct counts, row hashes) that
// containment checks need. Example: auto t = millrace::lake::table::from_rows("a.csv", {"id","x"},
// {{"1","2"}}, {});
#pragma once

#define XXH_INLINE_ALL
#include <xxhash.h>

#include <algorithm>
#include <cstdlib>
#include <cstdint>
#include <limits>
#include <numeric>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <utf8proc.h>

#include <millrace/lake/value.hpp>

namespace millrace::lake {

/// How values and column names are compared.
struct table_options {
  bool case_insensitive = false;   ///< column names match after Unicode case folding
  bool normalize_numbers = true;   ///< "007" == "7", "2.0" == "2" (see canonicalize)
};

/// Statistics of one column, computed in one pass over the canonical cells.
struct column_stats {
  column_type type = column_type::empty;      ///< join of the non-null cells' kinds (empty: all null)
  bool has_null = false;                      ///< some cell is null (empty after canonicalization)
  std::uint64_t distinct = 0;                 ///< distinct 64-bit value hashes (nulls included)
  std::int64_t imin = 0, imax = 0;            ///< integer columns
  double dmin = 0, dmax = 0;                  ///< integer and float columns
  std::string smin, smax;                     ///< every column: canonical strings of non-null cells
  bool imin_unset = true, dmin_unset = true;  ///< no integer / numeric value seen yet
};

namespace detail {

inline std::uint64_t hash_value(std::string_view v) { return XXH3_64bits(v.data(), v.size()); }

// Number of distinct values among 64-bit hashes: open addressing in a table of 2^k >= 2n slots,
// linear in n (sorting was the profile pass's largest cost).
inline std::uint64_t count_distinct(const std::vector<std::uint64_t>& hashes, std::vector<std::uint64_t>& slots) {
  std::size_t cap = 16;
  while (cap < 2 * hashes.size()) cap *= 2;
  slots.assign(cap, 0);
  bool zero = false;  // 0 marks an empty slot, so the hash 0 is counted apart
  std::uint64_t n = 0;
  for (auto h : hashes) {
    if (h == 0) {
      n += zero ? 0 : 1;
      zero = true;
      continue;
    }
    for (std::size_t i = static_cast<std::size_t>(h) & (cap - 1);; i = (i + 1) & (cap - 1)) {
      if (slots[i] == h) break;
      if (slots[i] == 0) {
        slots[i] = h;
        ++n;
        break;
      }
    }
  }
  return n;
}

inline std::string fold_name(std::string_view name, bool case_insensitive) {
  if (!case_insensitive) return std::string(name);
  utf8proc_uint8_t* out = nullptr;
  const auto n = utf8proc_map(reinterpret_cast<const utf8proc_uint8_t*>(name.data()),
                              static_cast<utf8proc_ssize_t>(name.size()), &out,
                              static_cast<utf8proc_option_t>(UTF8PROC_CASEFOLD | UTF8PROC_STABLE |
                                                             UTF8PROC_COMPOSE));
  if (n < 0) {  // invalid UTF-8: fall back to ASCII folding
    std::string s(name);
    for (char& c : s)
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
  }
  std::string s(reinterpret_cast<const char*>(out), static_cast<std::size_t>(n));
  std::free(out);
  return s;
}

}  // namespace detail

/// A table read into memory: columns, canonical cells and per-column statistics.
class table {
 public:
  table() = default;

  /// Starts a table with the header `columns`; keys() are the names as matched (folded when
  /// case-insensitive). Throws std::invalid_argument on no columns or duplicate names (a table with
  /// two columns of one name has no well-defined projection).
  table(std::string path, std::vector<std::string> columns, const table_options& opt = {})
      : path_(std::move(path)), columns_(std::move(columns)), opt_(opt) {
    if (columns_.empty()) throw std::invalid_argument("no columns");
    keys_.reserve(columns_.size());
    for (const auto& c : columns_) keys_.push_back(detail::fold_name(c, opt_.case_insensitive));
    order_.resize(columns_.size());
    std::iota(order_.begin(), order_.end(), 0u);
    std::sort(order_.begin(), order_.end(), [&](std::uint32_t a, std::uint32_t b) {
      return keys_[a] < keys_[b];
    });
    for (std::size_t i = 1; i < order_.size(); ++i)
      if (keys_[order_[i]] == keys_[order_[i - 1]])
        throw std::invalid_argument(fmt::format("duplicate column name '{}'", columns_[order_[i]]));
    sorted_keys_.reserve(order_.size());
    for (auto i : order_) sorted_keys_.push_back(keys_[i]);
    offsets_.push_back(0);
  }

  /// Appends one row of raw cells (canonicalized here). Throws std::invalid_argument on a wrong
  /// number of fields.
  void add_row(const std::vector<std::string>& raw) {
    if (raw.size() != columns_.size())
      throw std::invalid_argument(
          fmt::format("expected {} fields, got {}", columns_.size(), raw.size()));
    for (const auto& f : raw) {
      canonicalize_into(f, scratch_, opt_.normalize_numbers);
      arena_ += scratch_;
      offsets_.push_back(static_cast<std::uint64_t>(arena_.size()));
    }
    ++rows_;
  }

  /// Computes the statistics, row hashes and distinct rows; call once after the last add_row.
  void finish() {
    const std::size_t nc = columns_.size();
    stats_.assign(nc, {});
    cell_hash_.resize(rows_ * nc);
    for (std::size_t i = 0; i < cell_hash_.size(); ++i)
      cell_hash_[i] = detail::hash_value(std::string_view(arena_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]));
    std::vector<std::uint64_t> column_hashes(rows_), set_scratch;
    for (std::size_t c = 0; c < nc; ++c) {
      auto& s = stats_[c];
      bool any = false;
      for (std::size_t r = 0; r < rows_; ++r) {
        column_hashes[r] = cell_hash_[r * nc + c];
        const std::string_view v = cell(r, c);
        std::int64_t i = 0;
        double d = 0;
        // Once a column is a string column its type cannot change: skip the number parsing.
        const value_kind k = s.type == column_type::string
                                 ? (v.empty() ? value_kind::null : value_kind::string)
                                 : kind_of(v, &i, &d);
        if (k == value_kind::null) {
          s.has_null = true;
          continue;
        }
        s.type = join(s.type, k);
        const bool num = k == value_kind::integer || k == value_kind::floating;
        if (!any) {
          any = true;
          s.smin.assign(v);
          s.smax.assign(v);
        } else {
          if (v < s.smin) s.smin.assign(v);
          if (v > s.smax) s.smax.assign(v);
        }
        if (num) {  // the first numeric value seeds the numeric range
          const bool first = s.dmin_unset;
          s.dmin = first ? d : std::min(s.dmin, d);
          s.dmax = first ? d : std::max(s.dmax, d);
          s.dmin_unset = false;
        }
        if (k == value_kind::integer) {
          const bool first = s.imin_unset;
          s.imin = first ? i : std::min(s.imin, i);
          s.imax = first ? i : std::max(s.imax, i);
          s.imin_unset = false;
        }
      }
      s.distinct = detail::count_distinct(column_hashes, set_scratch);
    }
    // Row hashes over the columns in key order, so column order never matters.
    row_hash_.resize(rows_);
    for (std::size_t r = 0; r < rows_; ++r) row_hash_[r] = hash_row(r, order_);
    // Distinct rows (exact: equal hashes are confirmed by content), sorted by (hash, first row).
    std::vector<std::pair<std::uint64_t, std::uint32_t>> by_hash(rows_);
    for (std::uint32_t r = 0; r < rows_; ++r) by_hash[r] = {row_hash_[r], r};
    std::sort(by_hash.begin(), by_hash.end());
    std::vector<std::uint32_t> idx(rows_);
    for (std::size_t r = 0; r < rows_; ++r) idx[r] = by_hash[r].second;
    distinct_.clear();
    multiplicity_.clear();
    for (std::size_t i = 0; i < idx.size();) {
      std::size_t j = i;
      while (j < idx.size() && row_hash_[idx[j]] == row_hash_[idx[i]]) ++j;
      // Within one hash run, group by content (a collision run is almost always of size 1).
      const std::size_t first_new = distinct_.size();
      for (std::size_t k = i; k < j; ++k) {
        bool found = false;
        for (std::size_t d = first_new; d < distinct_.size(); ++d)
          if (same_row(idx[k], distinct_[d])) {
            ++multiplicity_[d];
            found = true;
            break;
          }
        if (!found) {
          distinct_.push_back(idx[k]);
          multiplicity_.push_back(1);
        }
      }
      i = j;
    }
    distinct_index_.clear();
    distinct_index_.reserve(distinct_.size());
    for (auto d : distinct_) distinct_index_.emplace_back(row_hash_[d], d);
    bytes_estimate_ = arena_.size() + rows_ * nc;
  }

  /// Hash of row r projected on the given column indices, in that order.
  std::uint64_t hash_row(std::size_t r, const std::vector<std::uint32_t>& cols) const {
    const std::size_t nc = columns_.size();
    std::uint64_t small[32];
    std::vector<std::uint64_t> big;
    std::uint64_t* buf = small;
    if (cols.size() > 32) {
      big.resize(cols.size());
      buf = big.data();
    }
    for (std::size_t i = 0; i < cols.size(); ++i) buf[i] = cell_hash_[r * nc + cols[i]];
    return XXH3_64bits(buf, cols.size() * sizeof(std::uint64_t));
  }

  /// Whether rows a and b have equal canonical cells in every column.
  bool same_row(std::size_t a, std::size_t b) const {
    for (std::size_t c = 0; c < columns_.size(); ++c)
      if (cell(a, c) != cell(b, c)) return false;
    return true;
  }

  /// Canonical cell of row r, column c (header order); a view into the table's arena.
  std::string_view cell(std::size_t r, std::size_t c) const {
    const std::size_t i = r * columns_.size() + c;
    return std::string_view(arena_).substr(offsets_[i], offsets_[i + 1] - offsets_[i]);
  }

  /// The table's name: its path relative to the lake (as given to the constructor).
  const std::string& path() const { return path_; }
  const std::vector<std::string>& columns() const { return columns_; }   ///< header as read
  const std::vector<std::string>& keys() const { return keys_; }         ///< matched names
  /// keys() in ascending order; key_order() gives each one's column index.
  const std::vector<std::string>& sorted_keys() const { return sorted_keys_; }
  const std::vector<std::uint32_t>& key_order() const { return order_; } ///< column index per sorted key
  std::size_t rows() const { return rows_; }            ///< rows added so far
  std::size_t cols() const { return columns_.size(); }  ///< number of columns
  /// Per-column statistics, in header order; filled by finish().
  const std::vector<column_stats>& stats() const { return stats_; }
  /// Hash of each row over all columns in sorted-key order (column order never matters); by finish().
  const std::vector<std::uint64_t>& row_hashes() const { return row_hash_; }
  /// One representative row per distinct row, sorted by row hash; multiplicity() of each.
  const std::vector<std::uint32_t>& distinct_rows() const { return distinct_; }
  /// multiplicity()[d]: how many rows equal distinct_rows()[d].
  const std::vector<std::uint32_t>& multiplicity() const { return multiplicity_; }
  /// (row hash, row) of distinct_rows(), sorted: the probe index of the table's full projection.
  const std::vector<std::pair<std::uint64_t, std::uint32_t>>& distinct_index() const { return distinct_index_; }
  /// Storage size used by the deletion plan (the file size when loaded from a file).
  std::uint64_t bytes() const { return file_bytes_ ? file_bytes_ : bytes_estimate_; }
  /// Sets the file size bytes() reports (read_table does); 0 falls back to the in-memory estimate.
  void set_file_bytes(std::uint64_t b) { file_bytes_ = b; }

  /// Column index of a matched name, or -1.
  std::ptrdiff_t find_key(std::string_view key) const {
    auto it = std::lower_bound(sorted_keys_.begin(), sorted_keys_.end(), key);
    if (it == sorted_keys_.end() || *it != key) return -1;
    return order_[static_cast<std::size_t>(it - sorted_keys_.begin())];
  }

  /// Builds and finishes a table from raw rows (tests, generators).
  static table from_rows(std::string path, std::vector<std::string> columns,
                         const std::vector<std::vector<std::string>>& rows,
                         const table_options& opt = {}) {
    table t(std::move(path), std::move(columns), opt);
    for (const auto& r : rows) t.add_row(r);
    t.finish();
    return t;
  }

 private:
  std::string path_;
  std::vector<std::string> columns_, keys_, sorted_keys_;
  std::vector<std::uint32_t> order_;
  table_options opt_;
  std::size_t rows_ = 0;
  std::string arena_, scratch_;
  std::vector<std::uint64_t> offsets_;
  std::vector<std::uint64_t> cell_hash_, row_hash_;
  std::vector<column_stats> stats_;
  std::vector<std::uint32_t> distinct_, multiplicity_;
  std::vector<std::pair<std::uint64_t, std::uint32_t>> distinct_index_;
  std::uint64_t bytes_estimate_ = 0, file_bytes_ = 0;
};

}  // namespace millrace::lake
