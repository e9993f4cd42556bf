// Cell values of data-lake tables: canonical form and inferred kinds (integer, float, ISO-8601 date,
// string), so that equal values compare equal across tables whatever their column types.
// Example: millrace::lake::canonicalize(" 007 ") == "7"; kind_of("2024-02-29") == value_kind::date.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

namespace millrace::lake {

// The kind of one canonical cell; `null` is the empty cell.
enum class value_kind : std::uint8_t { null, integer, floating, date, string };

// A column's inferred type: the join of its cells' kinds. `empty` = only null cells.
// Lattice: empty <= integer <= floating <= string, empty <= date <= string.
enum class column_type : std::uint8_t { empty, integer, floating, date, string };

inline const char* to_string(column_type t) {
  switch (t) {
    case column_type::empty: return "empty";
    case column_type::integer: return "integer";
    case column_type::floating: return "float";
    case column_type::date: return "date";
    case column_type::string: return "string";
  }
  return "?";
}

namespace detail {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

inline bool parse_int(std::string_view s, std::int64_t& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty() || s.front() == '+') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

// Decimal or scientific notation only: no inf/nan/hex, which from_chars would also accept.
inline bool parse_float(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return false;
  bool digit = false;
  for (char c : s) {
    if (c >= '0' && c <= '9') digit = true;
    else if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') return false;
  }
  if (!digit) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size() && std::isfinite(out);
}

inline bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

// ISO-8601 calendar date YYYY-MM-DD; lexicographic order of such strings is chronological order.
inline bool is_iso_date(std::string_view s) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return false;
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u})
    if (s[i] < '0' || s[i] > '9') return false;
  const int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  const int m = (s[5] - '0') * 10 + (s[6] - '0');
  const int d = (s[8] - '0') * 10 + (s[9] - '0');
  static constexpr int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1) return false;
  return d <= days[m - 1] + (m == 2 && is_leap(y) ? 1 : 0);
}

}  // namespace detail

// Canonical form of a raw cell: trimmed; numbers rewritten in one spelling ("007" -> "7",
// "2.50" -> "2.5", "2.0" -> "2", "1e3" -> "1000") when normalize_numbers is set. Equality of
// canonical strings is the value equality used by every containment check.
inline void canonicalize_into(std::string_view raw, std::string& out, bool normalize_numbers = true) {
  out.clear();
  const std::string_view s = detail::trim(raw);
  if (normalize_numbers && !s.empty()) {
    const char c0 = s.front();
    if ((c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '+' || c0 == '.') {
      char buf[40];
      std::int64_t i = 0;
      if (detail::parse_int(s, i)) {
        auto r = std::to_chars(buf, buf + sizeof buf, i);
        out.assign(buf, r.ptr);
        return;
      }
      double d = 0;
      if (detail::parse_float(s, d)) {
        if (d == 0) d = 0;  // -0 -> 0
        // An integral double within int64 prints as that integer, so 2.0 == 2.
        if (std::nearbyint(d) == d && std::fabs(d) < 9.0e15) {
          auto r = std::to_chars(buf, buf + sizeof buf, static_cast<std::int64_t>(d));
          out.assign(buf, r.ptr);
        } else {
          auto r = std::to_chars(buf, buf + sizeof buf, d);
          out.assign(buf, r.ptr);
        }
        return;
      }
    }
  }
  out.assign(s);
}

inline std::string canonicalize(std::string_view raw, bool normalize_numbers = true) {
  std::string out;
  canonicalize_into(raw, out, normalize_numbers);
  return out;
}

// Kind of a canonical cell. Integer/float parse results are returned for statistics.
inline value_kind kind_of(std::string_view canonical, std::int64_t* as_int = nullptr,
                          double* as_double = nullptr) {
  if (canonical.empty()) return value_kind::null;
  std::int64_t i = 0;
  if (detail::parse_int(canonical, i)) {
    if (as_int) *as_int = i;
    if (as_double) *as_double = static_cast<double>(i);
    return value_kind::integer;
  }
  double d = 0;
  if (detail::parse_float(canonical, d)) {
    if (as_double) *as_double = d;
    return value_kind::floating;
  }
  if (detail::is_iso_date(canonical)) return value_kind::date;
  return value_kind::string;
}

// Join of a column type with one more cell kind.
inline column_type join(column_type t, value_kind k) {
  switch (k) {
    case value_kind::null: return t;
    case value_kind::integer:
      return t == column_type::empty ? column_type::integer
             : (t == column_type::integer || t == column_type::floating) ? t
                                                                         : column_type::string;
    case value_kind::floating:
      return (t == column_type::empty || t == column_type::integer || t == column_type::floating)
                 ? column_type::floating
                 : column_type::string;
    case value_kind::date:
      return (t == column_type::empty || t == column_type::date) ? column_type::date : column_type::string;
    case value_kind::string: return column_type::string;
  }
  return column_type::string;
}

// True when every value of a column of type `sub` can also be a value of a column of type `super`
// (the lattice order): a necessary condition for the values of one column to be a subset of another's.
inline bool type_fits(column_type sub, column_type super) {
  if (sub == column_type::empty || sub == super || super == column_type::string) return true;
  return sub == column_type::integer && super == column_type::floating;
}

}  // namespace millrace::lake
