// millrace/lake/value.hpp — cell values of data-lake tables: canonical form and inferred kinds
// (integer, float, ISO-8601 date, string), so that equal values compare equal across tables
// whatever their column types. Example: millrace::lake::canonicalize(" 007 ") == "7";
// kind_of("2024-02-29") == value_kind::date.
#pragma once

#include <charconv>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

namespace millrace::lake {

/// The kind of one canonical cell; `null` is the empty cell.
enum class value_kind : std::uint8_t { null, integer, floating, date, string };

/// A column's inferred type: the join of its cells' kinds. `empty` = only null cells.
/// Lattice: empty <= integer <= floating <= string, empty <= date <= string.
enum class column_type : std::uint8_t { empty, integer, floating, date, string };

/// The name of a column type ("empty", "integer", ...).
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

/// A cell's integer: an optional '+' or '-', then decimal digits ("+-5" and "1e3" are not
/// integers); false when s is not one or does not fit in 64 bits.
inline bool parse_int(std::string_view s, std::int64_t& out) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return false;
  }
  if (s.empty() || s.front() == '+') return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc{} && p == s.data() + s.size();
}

namespace detail {

inline bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

inline std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Decimal or scientific notation only: no inf/nan/hex, which from_chars would also accept.
inline bool parse_float(std::string_view s, double& out) {
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && s.front() == '-') return false;
  }
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

// Exact canonical text of a decimal number, or false when s is not one. A number is
// [+-] digits [. digits] [(e|E) [+-] digits] with at least one mantissa digit (".5" and "5." count;
// "inf", "nan", hex and "+-5" do not). The value is rewritten from its digits, never through a
// double, so two spellings give the same text exactly when their decimal values are equal:
// leading zeros and trailing fractional zeros go, the exponent is folded in, "-0" is "0". With p the
// power of ten of the leading significant digit, -7 <= p < 21 prints plainly ("1000", "0.00012",
// "8.000000000000001"), otherwise in scientific form with a bare exponent ("1e21", "1.5e-8").
// Exponents written with more than 9 significant digits are not normalized (kept as written).
inline bool canonical_number(std::string_view s, std::string& out) {
  std::size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  auto digit = [&](std::size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  const std::size_t int_begin = i;
  while (digit(i)) ++i;
  const std::size_t int_end = i;
  std::size_t frac_begin = i, frac_end = i;
  if (i < s.size() && s[i] == '.') {
    frac_begin = ++i;
    while (digit(i)) ++i;
    frac_end = i;
  }
  if (int_end == int_begin && frac_end == frac_begin) return false;  // no mantissa digit
  std::int64_t exp = 0;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    bool eneg = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) eneg = s[i++] == '-';
    if (!digit(i)) return false;
    while (i + 1 < s.size() && s[i] == '0' && digit(i + 1)) ++i;  // leading zeros of the exponent
    int nd = 0;
    for (; digit(i); ++i, ++nd) {
      if (nd == 9) return false;  // |exponent| >= 10^9: not normalized (see above)
      exp = exp * 10 + (s[i] - '0');
    }
    if (eneg) exp = -exp;
  }
  if (i != s.size()) return false;
  // Significant digits, without leading zeros; value = digits * 10^e.
  out.clear();
  for (std::size_t k = int_begin; k < int_end; ++k)
    if (!out.empty() || s[k] != '0') out.push_back(s[k]);
  for (std::size_t k = frac_begin; k < frac_end; ++k)
    if (!out.empty() || s[k] != '0') out.push_back(s[k]);
  std::int64_t e = exp - static_cast<std::int64_t>(frac_end - frac_begin);
  while (!out.empty() && out.back() == '0') {
    out.pop_back();
    ++e;
  }
  if (out.empty()) {  // zero, whatever its sign or exponent
    out = "0";
    return true;
  }
  const auto n = static_cast<std::int64_t>(out.size());
  const std::int64_t p = e + n - 1;
  if (p >= -7 && p < 21) {
    if (e >= 0) out.append(static_cast<std::size_t>(e), '0');
    else if (p >= 0) out.insert(static_cast<std::size_t>(p + 1), 1, '.');
    else out.insert(0, "0." + std::string(static_cast<std::size_t>(-p - 1), '0'));
  } else {
    if (n > 1) out.insert(1, 1, '.');
    out += 'e';
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof buf, p);
    out.append(buf, r.ptr);
  }
  if (neg) out.insert(0, 1, '-');
  return true;
}

}  // namespace detail

/// Canonical form of a raw cell: trimmed; when normalize_numbers is set, a decimal number is
/// rewritten in its exact canonical text (detail::canonical_number: "007" -> "7", "2.50" -> "2.5",
/// "2.0" -> "2", "1e3" -> "1000", "-0" -> "0"), so "8.000000000000001" and "8.000000000000002", or
/// "9007199254740993" and "9007199254740992.0", stay different although a double cannot tell them
/// apart. Equality of canonical strings is the value equality used by every containment check.
inline void canonicalize_into(std::string_view raw, std::string& out, bool normalize_numbers = true) {
  const std::string_view s = detail::trim(raw);
  if (normalize_numbers && !s.empty()) {
    const char c0 = s.front();
    if (((c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '+' || c0 == '.') &&
        detail::canonical_number(s, out))
      return;
  }
  out.assign(s);
}

/// The canonical form of a raw cell, as a new string (see canonicalize_into).
inline std::string canonicalize(std::string_view raw, bool normalize_numbers = true) {
  std::string out;
  canonicalize_into(raw, out, normalize_numbers);
  return out;
}

/// Kind of a canonical cell. Integer/float parse results are returned for statistics. The double
/// of a float cell is the correctly rounded value of its text (overflow to +-inf, underflow to +-0):
/// a non-decreasing function of the exact decimal value, and one canonical text always gives the same
/// double, so min/max over these doubles stay a necessary condition for containment even where
/// distinct decimals round to one double (the exact check then compares the canonical texts).
inline value_kind kind_of(std::string_view canonical, std::int64_t* as_int = nullptr,
                          double* as_double = nullptr) {
  if (canonical.empty()) return value_kind::null;
  std::int64_t i = 0;
  if (parse_int(canonical, i)) {
    if (as_int) *as_int = i;
    if (as_double) *as_double = static_cast<double>(i);
    return value_kind::integer;
  }
  double d = 0;
  if (detail::parse_float(canonical, d)) {
    if (as_double) *as_double = d;
    return value_kind::floating;
  }
  // A number beyond the range of double ("1e400", "-1e-400"): still a number, saturated.
  const char c0 = canonical.front();
  std::string exact;
  if (((c0 >= '0' && c0 <= '9') || c0 == '-' || c0 == '+' || c0 == '.') &&
      detail::canonical_number(canonical, exact) && exact.find('e') != std::string::npos) {
    const bool neg = exact.front() == '-';
    const bool tiny = exact.find("e-") != std::string::npos;  // canonical: out of range is scientific
    const double mag = tiny ? 0.0 : std::numeric_limits<double>::infinity();
    if (as_double) *as_double = neg ? -mag : mag;
    return value_kind::floating;
  }
  if (detail::is_iso_date(canonical)) return value_kind::date;
  return value_kind::string;
}

/// Join of a column type with one more cell kind.
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

/// True when every value of a column of type `sub` can also be a value of a column of type `super`
/// (the lattice order): a necessary condition for the values of one column to be a subset of another's.
inline bool type_fits(column_type sub, column_type super) {
  if (sub == column_type::empty || sub == super || super == column_type::string) return true;
  return sub == column_type::integer && super == column_type::floating;
}

}  // namespace millrace::lake
