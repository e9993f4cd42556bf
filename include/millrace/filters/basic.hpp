// millrace/filters/basic.hpp — small operators a pipeline often needs: length and character-ratio
// filters (quality filters for mr::filters::apply), whitespace-only normalization, take(n),
// when(flag, fragment) and count_by_key.
//   auto p = src | mr::filters::when(opts.clean, mr::filters::normalize_whitespace_op<Doc>())
//                | mr::filters::apply<Doc>(mr::filters::length_filter{.params = {.min_words = 5}})
//                | mr::filters::take(1000) | mr::collect(out);
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/filters/detail/check.hpp>
#include <millrace/filters/detail/unicode.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/text_view.hpp>

namespace millrace::filters {

// ---- length and character-ratio filters (read doc_stats; fused like the others) --------------

/// Bounds of length_filter (code points, words, non-blank lines); an unset bound is not checked.
struct length_filter_params {
  std::optional<std::size_t> min_chars{}, max_chars{};  ///< code points
  std::optional<std::size_t> min_words{}, max_words{};  ///< words as text_view.hpp segments them
  std::optional<std::size_t> min_lines{}, max_lines{};  ///< non-blank lines
};
/// Bounds on a document's length. Reasons: too_few_chars, too_many_chars, too_few_words, ...
struct length_filter {
  length_filter_params params{};  ///< the bounds; all unset by default (nothing is dropped)
  std::string name = "length";    ///< name in tallies, exclusion records and "<name>.<stat>" annotations

  /// Tests the bounds in order (chars, words, lines; min before max): the first violated one's
  /// reason, "" when all hold. With `out` it tests all and writes "chars", "words", "lines".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& p = params;
    std::size_t lines = 0;
    for (auto& l : st.lines) lines += !l.blank();
    ck.stat("chars", double(st.chars));
    ck.stat("words", double(st.words.size()));
    ck.stat("lines", double(lines));
    if (ck.fail(p.min_chars && st.chars < *p.min_chars, "too_few_chars")) return ck.reason;
    if (ck.fail(p.max_chars && st.chars > *p.max_chars, "too_many_chars")) return ck.reason;
    if (ck.fail(p.min_words && st.words.size() < *p.min_words, "too_few_words")) return ck.reason;
    if (ck.fail(p.max_words && st.words.size() > *p.max_words, "too_many_words")) return ck.reason;
    if (ck.fail(p.min_lines && lines < *p.min_lines, "too_few_lines")) return ck.reason;
    if (ck.fail(p.max_lines && lines > *p.max_lines, "too_many_lines")) return ck.reason;
    return ck.finish();
  }
};

/// Fractions of the document's code points ('\n' included); unset bounds are not tested.
struct char_ratio_params {
  std::optional<double> min_letter_ratio{};     ///< L* and ideographs
  std::optional<double> max_digit_ratio{};      ///< N*
  std::optional<double> max_symbol_ratio{};     ///< P* and S*
  std::optional<double> max_whitespace_ratio{}; ///< White_Space
  std::optional<double> max_uppercase_ratio{};  ///< Lu / letters (not / code points)
};
/// Character-class ratios. Reasons: letter_ratio, digit_ratio, symbol_ratio, whitespace_ratio,
/// uppercase_ratio. An empty document has ratios 0.
struct char_ratio_filter {
  char_ratio_params params{};     ///< the bounds; all unset by default (nothing is dropped)
  std::string name = "char_ratio"; ///< name in tallies, exclusion records and "<name>.<stat>" annotations

  /// Tests the bounds in the order above: the first violated one's reason, "" when all hold.
  /// With `out` it tests all and writes each ratio under its reason's name.
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& p = params;
    const auto frac = [](std::size_t a, std::size_t b) { return b ? double(a) / double(b) : 0.0; };
    const double letters = frac(st.letters, st.chars), digits = frac(st.digits, st.chars), symbols = frac(st.symbols, st.chars),
                 spaces = frac(st.spaces, st.chars), upper = frac(st.uppercase, st.letters);
    ck.stat("letter_ratio", letters);
    ck.stat("digit_ratio", digits);
    ck.stat("symbol_ratio", symbols);
    ck.stat("whitespace_ratio", spaces);
    ck.stat("uppercase_ratio", upper);
    if (ck.fail(p.min_letter_ratio && letters < *p.min_letter_ratio, "letter_ratio")) return ck.reason;
    if (ck.fail(p.max_digit_ratio && digits > *p.max_digit_ratio, "digit_ratio")) return ck.reason;
    if (ck.fail(p.max_symbol_ratio && symbols > *p.max_symbol_ratio, "symbol_ratio")) return ck.reason;
    if (ck.fail(p.max_whitespace_ratio && spaces > *p.max_whitespace_ratio, "whitespace_ratio")) return ck.reason;
    if (ck.fail(p.max_uppercase_ratio && upper > *p.max_uppercase_ratio, "uppercase_ratio")) return ck.reason;
    return ck.finish();
  }
};

// ---- whitespace-only normalization -------------------------------------------------------------

/// Options of normalize_whitespace: whether runs holding newlines keep them.
struct whitespace_options {
  bool keep_newlines = true;  ///< a run holding '\n' becomes one '\n' (paragraphs: two); else ' '
  bool keep_paragraphs = true;  ///< with keep_newlines: a run holding two or more '\n' becomes "\n\n"
};
/// Collapses runs of Unicode White_Space (U+00A0, U+3000, tabs, ...) to one ' ' (or '\n' /
/// "\n\n", see the options) and trims both ends; nothing else changes (no NFKC, no case folding,
/// unlike text::normalize). Malformed bytes are copied as they are.
inline std::string normalize_whitespace(std::string_view s, whitespace_options o = {}) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0, newlines = 0;
  bool pending = false;
  while (i < s.size()) {
    const std::size_t at = i;
    const char32_t c = detail::decode(s, i);
    if (detail::is_white_space(c)) {
      pending = true;
      newlines += c == '\n';
      continue;
    }
    if (pending && !out.empty()) {
      if (o.keep_newlines && newlines) out += (o.keep_paragraphs && newlines >= 2) ? "\n\n" : "\n";
      else out.push_back(' ');
    }
    pending = false, newlines = 0;
    out.append(s.substr(at, i - at));
  }
  return out;
}
/// mr::map that applies normalize_whitespace to each record's `text` (or to a string record).
template <class Rec>
auto normalize_whitespace_op(whitespace_options o = {}, std::string name = "normalize_whitespace") {
  return millrace::map(
      [o](Rec r) {
        if constexpr (std::is_convertible_v<const Rec&, std::string_view>) r = normalize_whitespace(r, o);
        else r.text = normalize_whitespace(r.text, o);
        return r;
      },
      std::move(name));
}

// ---- take, when, count_by_key --------------------------------------------------------------------

namespace detail {

template <class T>
struct take_state {
  std::size_t left;
  std::vector<T> process(std::vector<T>&& b) {
    if (b.size() > left) b.resize(left);
    left -= b.size();
    return std::move(b);
  }
};

template <class T, class KeyFn, class Map>
struct count_state {
  KeyFn key;
  Map* out;
  std::vector<T> process(std::vector<T>&& b) {
    for (auto& x : b) ++(*out)[key(std::as_const(x))];
    return std::move(b);
  }
};

}  // namespace detail

/// take(n): the first n records (in input order under an ordered executor, the default), then
/// none. The source is still read to its end (the core has no early stop yet).
struct take_op : millrace::detail::element_tag {
  std::size_t n;  ///< records let through; the rest are dropped
  std::string name;
  static constexpr const char* kind = "take";
  using expects = generic_parameter;
  template <class In>
  static constexpr bool accepts = true;
  template <class In>
  using output = In;
  template <class In>
  void lower(millrace::detail::plan& p, millrace::detail::stage_list& stages) const {
    millrace::stage(detail::take_state<In>{n}, name).template lower<In>(p, stages);
  }
};
/// The first n records in input order, the rest dropped (limit is the same operator).
inline take_op take(std::size_t n, std::string name = "take") { return {{}, n, std::move(name)}; }
/// limit(n): the same as take(n).
inline take_op limit(std::size_t n, std::string name = "limit") { return {{}, n, std::move(name)}; }

/// when(flag, fragment): the fragment when flag holds, else nothing (records pass unchanged).
/// The fragment must give back the record type it takes (filters, maps T -> T).
template <class Chain>
struct when_op : millrace::detail::element_tag {
  Chain body;  ///< the fragment, lowered into the pipeline only when `on`
  bool on;     ///< false: the fragment is left out and records pass unchanged
  static constexpr const char* kind = "when";
  using expects = generic_parameter;
  template <class In>
  static constexpr bool accepts = true;
  template <class In>
  using output = In;
  template <class In>
  void lower(millrace::detail::plan& p, millrace::detail::stage_list& stages) const {
    static_assert(std::is_same_v<typename Chain::template output<In>, In>,
                  "millrace: mr::filters::when(flag, fragment): the fragment must output the type it takes");
    if (on) body.template lower<In>(p, stages);
  }
};
/// The fragment when flag is set, else an identity: switches part of a pipeline on or off from a parameter.
template <class F>
auto when(bool flag, F&& fragment) {
  auto c = millrace::detail::to_chain(std::forward<F>(fragment));
  return when_op<decltype(c)>{{}, std::move(c), flag};
}

/// count_by_key(key, out): passes every record on and adds one to out[key(record)]; `out` (a
/// std::map or std::unordered_map) is the caller's and outlives the run (runs add to it).
/// A serial stage: the map is written by one thread.
template <class KeyFn, class Map>
struct count_by_key_op : millrace::detail::element_tag {
  KeyFn key;  ///< maps a record (const&) to the key it is counted under
  Map* out;   ///< the caller's map the counts are added to (not owned)
  std::string name;
  static constexpr const char* kind = "count_by_key";
  using expects = generic_parameter;
  template <class In>
  static constexpr bool accepts = std::is_invocable_v<const KeyFn&, const In&>;
  template <class In>
  using output = In;
  template <class In>
  void lower(millrace::detail::plan& p, millrace::detail::stage_list& stages) const {
    millrace::stage(detail::count_state<In, KeyFn, Map>{key, out}, name).template lower<In>(p, stages);
  }
};
/// Counts records by key(record) into `out` (a map the caller keeps); records pass through unchanged.
template <class KeyFn, class Map>
count_by_key_op<std::decay_t<KeyFn>, Map> count_by_key(KeyFn&& key, Map& out, std::string name = "count_by_key") {
  return {{}, std::forward<KeyFn>(key), &out, std::move(name)};
}

}  // namespace millrace::filters
