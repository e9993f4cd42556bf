// millrace/filters/nemo.hpp — NeMo Curator's default English heuristic set (config/
// heuristic_filter_en.yaml: 28 filters of nemo_curator/filters/heuristic_filter.py), with its
// definitions, defaults and names, each a quality filter read from the one shared doc_stats scan.
//   auto q = mr::filters::nemo::english_heuristics<Doc>({.tally = &tally});   // all 28, NeMo's order
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/filters/apply.hpp>
#include <millrace/filters/detail/check.hpp>
#include <millrace/filters/detail/nemo_text.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/text_view.hpp>

// NeMo's "words" are text.split() (whitespace tokens, doc_stats::ws_tokens); its "sentences" the
// non-blank lines of text.split("\n"); its paragraphs text.split("\n\n"). Every filter writes its
// NeMo score as "<name>.score" in annotate mode and fails with its name as the reason (the two
// two-sided ones say which side). Where NeMo raises (a division by zero or max() of nothing on a
// document without words or lines) the filter fails: such a document has nothing to keep.
namespace millrace::filters::nemo {

namespace detail {

using millrace::filters::detail::checker;

inline double ratio(std::size_t a, std::size_t b) { return double(a) / double(b); }

// One-test filters share this: the score, then keep or fail with the filter's name.
inline std::string_view verdict(checker& ck, std::string_view name, double score, bool keep) {
  ck.stat("score", score);
  ck.fail(!keep, name);
  return ck.finish();
}

// Non-blank lines of text.split("\n") (NeMo's get_sentences), as indices into st.lines.
template <class F>
std::size_t for_each_sentence(const doc_stats& st, F&& f) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < st.lines.size(); ++i)
    if (!st.lines[i].blank()) f(i), ++n;
  return n;
}

// (distinct, all, characters of the distinct ones, characters of all) over pieces given by hash and code points.
struct uniques {
  std::size_t distinct = 0, all = 0, distinct_chars = 0, all_chars = 0;
};
class unique_counter {
 public:
  explicit unique_counter(std::size_t expected) : seen_(expected) {}
  void add(std::string_view bytes, std::size_t chars) {
    ++u.all, u.all_chars += chars;
    if (!seen_.seen_or_add(millrace::filters::detail::hash_bytes(bytes))) ++u.distinct, u.distinct_chars += chars;
  }
  uniques u;

 private:
  millrace::filters::detail::key_table seen_;
};

// Keys of the word n-grams, key[i] for tokens [i, i+n): a polynomial of the token hashes
// (mod 2^64, rolled in one pass), compared as 64-bit keys like the Gopher n-grams.
inline std::vector<std::uint64_t> ngram_keys(const std::vector<std::uint64_t>& h, std::size_t n) {
  constexpr std::uint64_t B = 0x9e3779b97f4a7c15ULL;
  std::vector<std::uint64_t> key(h.size() + 1 - n);
  std::uint64_t top = 1;  // B^(n-1)
  for (std::size_t k = 1; k < n; ++k) top *= B;
  std::uint64_t v = 0;
  for (std::size_t k = 0; k < n; ++k) v = v * B + h[k];
  for (std::size_t i = 0;; ++i) {
    key[i] = v;
    if (i + n >= h.size()) break;
    v = (v - h[i] * top) * B + h[i + n];
  }
  return key;
}

}  // namespace detail

// ---- character ratios ------------------------------------------------------------------------

/// The parameters of nemo::non_alpha_numeric, with NeMo Curator's defaults.
struct non_alpha_numeric_params {
  double max_non_alpha_numeric_to_text_ratio = 0.25;  ///< keep when the score is at most this
};
/// NonAlphaNumericFilter: 1 - (code points in [a-zA-Z0-9\n?!,.]) / code points; "" scores 1.
struct non_alpha_numeric {
  non_alpha_numeric_params params{};  ///< the threshold; NeMo's default unless set
  std::string name = "alpha_numeric"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold (an empty text scores 1); "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& m = st.ascii_marks;
    const std::size_t kept = st.ascii_letters + st.ascii_digits + m['\n'] + m['?'] + m['!'] + m[','] + m['.'];
    const double s = st.chars ? detail::ratio(st.chars - kept, st.chars) : 1.0;
    return detail::verdict(ck, name, s, s <= params.max_non_alpha_numeric_to_text_ratio);
  }
};

/// The parameters of nemo::numbers, with NeMo Curator's defaults.
struct numbers_params {
  double max_number_to_text_ratio = 0.15;  ///< keep when the score is at most this
};
/// NumbersFilter: code points in [0-9] (regex's [[:digit:]] is ASCII) / code points; "" scores 1.
struct numbers {
  numbers_params params{};            ///< the threshold; NeMo's default unless set
  std::string name = "numbers_ratio"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold (an empty text scores 1); "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const double s = st.chars ? detail::ratio(st.ascii_digits, st.chars) : 1.0;
    return detail::verdict(ck, name, s, s <= params.max_number_to_text_ratio);
  }
};

/// The parameters of nemo::urls, with NeMo Curator's defaults.
struct urls_params {
  double max_url_to_text_ratio = 0.2;  ///< keep when the score is at most this
};
/// UrlsFilter: code points inside matches of NeMo's URL pattern / code points; "" scores 1.
/// (The one NeMo test that reads the bytes again: a find() of "http" over the text.)
struct urls {
  urls_params params{};            ///< the threshold; NeMo's default unless set
  std::string name = "urls_ratio"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold (an empty text scores 1); "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const double s = st.chars ? detail::ratio(millrace::filters::detail::nemo_url_chars(st.text), st.chars) : 1.0;
    return detail::verdict(ck, name, s, s <= params.max_url_to_text_ratio);
  }
};

/// The parameters of nemo::white_space, with NeMo Curator's defaults.
struct white_space_params {
  double max_white_space_ratio = 0.25;  ///< keep when the score is at most this
};
/// WhiteSpaceFilter: code points among \t \n \r \b ' ' / code points (text not stripped); "" scores 1.
struct white_space {
  white_space_params params{};      ///< the threshold; NeMo's default unless set
  std::string name = "white_space"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold (an empty text scores 1); "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& m = st.ascii_marks;
    const std::size_t ws = m['\t'] + m['\n'] + m['\r'] + m['\b'] + m[' '];
    const double s = st.chars ? detail::ratio(ws, st.chars) : 1.0;
    return detail::verdict(ck, name, s, s <= params.max_white_space_ratio);
  }
};

/// The parameters of nemo::parentheses, with NeMo Curator's defaults.
struct parentheses_params {
  double max_parentheses_ratio = 0.1;  ///< keep when the score is at most this
};
/// ParenthesesFilter: code points among { } [ ] ( ) ⟨ ⟩ / code points; "" scores 1.
struct parentheses {
  parentheses_params params{};            ///< the threshold; NeMo's default unless set
  std::string name = "parentheses_ratio"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold (an empty text scores 1); "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& m = st.ascii_marks;
    const std::size_t p = m['{'] + m['}'] + m['['] + m[']'] + m['('] + m[')'] + st.angle_brackets;
    const double s = st.chars ? detail::ratio(p, st.chars) : 1.0;
    return detail::verdict(ck, name, s, s <= params.max_parentheses_ratio);
  }
};

// ---- words (whitespace tokens) ---------------------------------------------------------------

/// The parameters of nemo::symbols_to_words, with NeMo Curator's defaults.
struct symbols_to_words_params {
  double max_symbol_to_word_ratio = 0.1;  ///< keep when the score is at most this
};
/// SymbolsToWordsFilter: words that are an ellipsis mark ("...", "[...]", "…", "(...)", "[…]",
/// "-»") or whose runs of '#' outnumber half their code points ("#", "#a#"; not "##") / words.
struct symbols_to_words {
  symbols_to_words_params params{};    ///< the threshold; NeMo's default unless set
  std::string name = "symbol_to_word"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold or there is no word; "" when kept; with
  /// `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const std::size_t n = st.ws_tokens.size();
    std::size_t sym = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const auto& t = st.ws_tokens[i];
      const std::string_view w = st.ws_token(i);
      if (t.size == 3 || t.size == 5) {
        if (w == "..." || w == "\xe2\x80\xa6" || w == "-\xc2\xbb" || w == "[...]" || w == "(...)" || w == "[\xe2\x80\xa6]") {
          ++sym;
          continue;
        }
      }
      if (t.hash) {
        std::size_t runs = 0;
        for (std::size_t k = 0; k < w.size(); ++k) runs += w[k] == '#' && (k == 0 || w[k - 1] != '#');
        sym += double(runs) / double(t.chars) > 0.5;
      }
    }
    const double s = n ? detail::ratio(sym, n) : 1.0;
    return detail::verdict(ck, name, s, n && s <= params.max_symbol_to_word_ratio);
  }
};

/// The parameters of nemo::word_count, with NeMo Curator's defaults.
struct word_count_params {
  std::size_t min_words = 50;      ///< keep from this many words
  std::size_t max_words = 100000;  ///< up to this many
};
/// WordCountFilter: whitespace tokens within [min_words, max_words]. Reasons: word_count_below, word_count_above.
struct word_count {
  word_count_params params{};      ///< the bounds; NeMo's defaults unless set
  std::string name = "word_count"; ///< name in tallies and of the "<name>.score" annotation
  /// "word_count_below" / "word_count_above" when the token count is outside the bounds, "" when kept; with
  /// `out` it writes the count as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const std::size_t n = st.ws_tokens.size();
    ck.stat("score", double(n));
    ck.fail(n < params.min_words, "word_count_below");
    ck.fail(n > params.max_words, "word_count_above");
    return ck.finish();
  }
};

/// The parameters of nemo::mean_word_length, with NeMo Curator's defaults.
struct mean_word_length_params {
  double min_mean_word_length = 3;   ///< keep from this mean (code points)
  double max_mean_word_length = 10;  ///< up to this one
};
/// MeanWordLengthFilter: mean code points per whitespace token, within [min, max]. Reasons:
/// mean_word_length_below, mean_word_length_above (and the first for a document without words).
struct mean_word_length {
  mean_word_length_params params{};      ///< the bounds; NeMo's defaults unless set
  std::string name = "mean_word_length"; ///< name in tallies and of the "<name>.score" annotation
  /// "mean_word_length_below" / "mean_word_length_above" when the mean is outside the bounds (no word:
  /// below), "" when kept; with `out` it writes the mean as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const std::size_t n = st.ws_tokens.size();
    std::size_t chars = 0;
    for (auto& t : st.ws_tokens) chars += t.chars;
    const double s = n ? detail::ratio(chars, n) : 0.0;
    ck.stat("score", s);
    ck.fail(!n || s < params.min_mean_word_length, "mean_word_length_below");
    ck.fail(n && s > params.max_mean_word_length, "mean_word_length_above");
    return ck.finish();
  }
};

/// The parameters of nemo::long_word, with NeMo Curator's defaults.
struct long_word_params {
  std::size_t max_word_length = 1000;  ///< keep when the longest word has at most this many code points
};
/// LongWordFilter (C4): the longest whitespace token, in code points.
struct long_word {
  long_word_params params{};            ///< the threshold; NeMo's default unless set
  std::string name = "max_word_length"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the longest token is longer than the threshold or there is no token; ""
  /// when kept. With `out` it writes the longest length as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    std::size_t longest = 0;
    for (auto& l : st.lines) longest = std::max<std::size_t>(longest, l.max_ws_token_chars);
    return detail::verdict(ck, name, double(longest), !st.ws_tokens.empty() && longest <= params.max_word_length);
  }
};

/// The parameters of nemo::words_without_alphabets, with NeMo Curator's defaults.
struct words_without_alphabets_params {
  double min_words_with_alphabets = 0.8;  ///< keep when at least this fraction of words holds a letter
};
/// WordsWithoutAlphabetsFilter (Gopher): whitespace tokens holding a letter / tokens.
struct words_without_alphabets {
  words_without_alphabets_params params{};      ///< the threshold; NeMo's default unless set
  std::string name = "words_without_alphabets"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is below the threshold or there is no word; "" when kept; with
  /// `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const std::size_t n = st.ws_tokens.size();
    std::size_t alpha = 0;
    for (auto& t : st.ws_tokens) alpha += t.alpha;
    const double s = n ? detail::ratio(alpha, n) : 0.0;
    return detail::verdict(ck, name, s, n && s >= params.min_words_with_alphabets);
  }
};

/// The parameters of nemo::common_english_words, with NeMo Curator's defaults.
struct common_english_words_params {
  std::size_t min_num_common_words = 2;  ///< keep from this many occurrences
  bool stop_at_false = true;             ///< stop counting (and scoring) at min_num_common_words
  /// Whole words, case-sensitive (NeMo's lower-case list, so "The" does not count).
  std::vector<std::string> words = {"the", "be", "to", "of", "and", "that", "have", "with"};
};
/// CommonEnglishWordsFilter: occurrences of the listed words among the whitespace tokens.
struct common_english_words {
  common_english_words_params params{};      ///< the word list and minimum count; NeMo's defaults unless set
  std::string name = "common_english_words"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the listed words occur fewer than min_num_common_words times; "" when kept.
  /// With `out` it writes the count (capped when stop_at_false) as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& p = params;
    std::size_t count = 0;
    for (std::size_t i = 0; i < st.ws_tokens.size(); ++i) {
      const std::string_view w = st.ws_token(i);
      for (auto& c : p.words)
        if (w == c) {
          ++count;
          break;
        }
      if (p.stop_at_false && count >= p.min_num_common_words) break;
    }
    return detail::verdict(ck, name, double(count), count >= p.min_num_common_words);
  }
};

// ---- lines ("sentences") ---------------------------------------------------------------------

/// The parameters of nemo::punctuation, with NeMo Curator's defaults.
struct punctuation_params {
  double max_num_sentences_without_endmark_ratio = 0.85;  ///< keep when the score is at most this
};
/// PunctuationFilter (C4): non-blank lines not ending (stripped) in . ? ! " ' / non-blank lines.
struct punctuation {
  punctuation_params params{};      ///< the threshold; NeMo's default unless set
  std::string name = "punctuation"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold or there is no non-blank line; "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    std::size_t without = 0;
    const std::size_t n = detail::for_each_sentence(st, [&](std::size_t i) {
      const char c = st.stripped_line(i).back();
      without += !(c == '.' || c == '?' || c == '!' || c == '"' || c == '\'');
    });
    const double s = n ? detail::ratio(without, n) : 1.0;
    return detail::verdict(ck, name, s, n && s <= params.max_num_sentences_without_endmark_ratio);
  }
};

/// The parameters of nemo::ellipsis, with NeMo Curator's defaults.
struct ellipsis_params {
  double max_num_lines_ending_with_ellipsis_ratio = 0.3;  ///< keep when the score is at most this
};
/// EllipsisFilter (C4): non-blank lines ending (stripped, lower case) in "...", "[...]", "…",
/// "(...)", "[…]", "-»" or "read more" / non-blank lines.
struct ellipsis {
  ellipsis_params params{};      ///< the threshold; NeMo's default unless set
  std::string name = "ellipsis"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold or there is no non-blank line; "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    std::size_t ends = 0;
    const std::size_t n = detail::for_each_sentence(st, [&](std::size_t i) {
      const std::string_view s = st.stripped_line(i);
      bool e = s.ends_with("...") || s.ends_with("[...]") || s.ends_with("\xe2\x80\xa6") || s.ends_with("(...)") ||
               s.ends_with("[\xe2\x80\xa6]") || s.ends_with("-\xc2\xbb");
      // "read more" and "read more..", compared in lower case (the other marks have no letters).
      for (std::string_view mark : {std::string_view("read more"), std::string_view("read more..")}) {
        if (e || s.size() < mark.size()) break;
        const std::string_view t = s.substr(s.size() - mark.size());
        std::size_t k = 0;
        while (k < mark.size() && millrace::filters::detail::ascii_lower((unsigned char)t[k]) == (unsigned char)mark[k]) ++k;
        e = k == mark.size();
      }
      ends += e;
    });
    const double s = n ? detail::ratio(ends, n) : 1.0;
    return detail::verdict(ck, name, s, n && s <= params.max_num_lines_ending_with_ellipsis_ratio);
  }
};

/// The parameters of nemo::bullets, with NeMo Curator's defaults.
struct bullets_params {
  double max_bullet_lines_ratio = 0.9;  ///< keep when the score is at most this
};
/// BulletsFilter (Gopher): non-blank lines starting (stripped) with one of NeMo's 12 bullets
/// (• ‣ ⁃ ⁌ ⁍ ∙ ○ ● ◘ ◦ ⦾ ⦿; not '-' or '*') / non-blank lines.
struct bullets {
  bullets_params params{};           ///< the threshold; NeMo's default unless set
  std::string name = "bullet_ratio"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold or there is no non-blank line; "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    static constexpr std::string_view marks[] = {"\u2022", "\u2023", "\u2043", "\u204c", "\u204d", "\u2219",
                                                 "\u25cb", "\u25cf", "\u25d8", "\u25e6", "\u29be", "\u29bf"};
    std::size_t b = 0;
    const std::size_t n = detail::for_each_sentence(st, [&](std::size_t i) {
      const std::string_view s = st.stripped_line(i);
      if (static_cast<unsigned char>(s[0]) != 0xe2) return;  // every bullet is E2 xx xx
      for (auto m : marks)
        if (s.starts_with(m)) {
          ++b;
          return;
        }
    });
    const double s = n ? detail::ratio(b, n) : 1.0;
    return detail::verdict(ck, name, s, n && s <= params.max_bullet_lines_ratio);
  }
};

/// The parameters of nemo::repeated_lines, with NeMo Curator's defaults.
struct repeated_lines_params {
  double max_repeated_line_fraction = 0.7;  ///< NeMo's name; keep when distinct/all lines is at least this
};
/// RepeatedLinesFilter (Gopher): distinct non-blank lines / non-blank lines (lines compared raw).
struct repeated_lines {
  repeated_lines_params params{};      ///< the threshold; NeMo's default unless set
  std::string name = "repeated_lines"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is below the threshold or there is no non-blank line; "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    detail::unique_counter c(st.lines.size());
    detail::for_each_sentence(st, [&](std::size_t i) { c.add(st.line(i), st.lines[i].chars); });
    const double s = c.u.all ? detail::ratio(c.u.distinct, c.u.all) : 0.0;
    return detail::verdict(ck, name, s, c.u.all && s >= params.max_repeated_line_fraction);
  }
};

/// The parameters of nemo::repeated_lines_by_char, with NeMo Curator's defaults.
struct repeated_lines_by_char_params {
  double max_repeated_lines_char_ratio = 0.8;  ///< NeMo's name; keep when the score is at least this
};
/// RepeatedLinesByCharFilter (Gopher): code points of the distinct non-blank lines / of all of them.
struct repeated_lines_by_char {
  repeated_lines_by_char_params params{};   ///< the threshold; NeMo's default unless set
  std::string name = "repeated_lines_char"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is below the threshold or the non-blank lines hold no code point;
  /// "" when kept; with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    detail::unique_counter c(st.lines.size());
    detail::for_each_sentence(st, [&](std::size_t i) { c.add(st.line(i), st.lines[i].chars); });
    const double s = c.u.all_chars ? detail::ratio(c.u.distinct_chars, c.u.all_chars) : 0.0;
    return detail::verdict(ck, name, s, c.u.all_chars && s >= params.max_repeated_lines_char_ratio);
  }
};

// ---- paragraphs (text.split("\n\n")) ---------------------------------------------------------

/// The parameters of nemo::repeated_paragraphs, with NeMo Curator's defaults.
struct repeated_paragraphs_params {
  double max_repeated_paragraphs_ratio = 0.7;  ///< NeMo's name; keep when distinct/all paragraphs is at least this
};
/// RepeatedParagraphsFilter (Gopher): distinct pieces of text.split("\n\n") / pieces (empty ones count).
struct repeated_paragraphs {
  repeated_paragraphs_params params{};      ///< the threshold; NeMo's default unless set
  std::string name = "repeated_paragraphs"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is below the threshold; "" when kept. With `out` it writes the
  /// score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    detail::unique_counter c(st.lines.size());
    millrace::filters::detail::for_each_nemo_paragraph(
        st, [&](std::size_t b, std::size_t e, std::size_t chars) { c.add(st.text.substr(b, e - b), chars); });
    const double s = detail::ratio(c.u.distinct, c.u.all);  // at least one piece, always
    return detail::verdict(ck, name, s, s >= params.max_repeated_paragraphs_ratio);
  }
};

/// The parameters of nemo::repeated_paragraphs_by_char, with NeMo Curator's defaults.
struct repeated_paragraphs_by_char_params {
  double max_repeated_paragraphs_char_ratio = 0.8;  ///< NeMo's name; keep when the score is at least this
};
/// RepeatedParagraphsByCharFilter (Gopher): code points of the distinct paragraphs / of all of them.
struct repeated_paragraphs_by_char {
  repeated_paragraphs_by_char_params params{};   ///< the threshold; NeMo's default unless set
  std::string name = "repeated_paragraphs_char"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is below the threshold or the paragraphs hold no code point; ""
  /// when kept; with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    detail::unique_counter c(st.lines.size());
    millrace::filters::detail::for_each_nemo_paragraph(
        st, [&](std::size_t b, std::size_t e, std::size_t chars) { c.add(st.text.substr(b, e - b), chars); });
    const double s = c.u.all_chars ? detail::ratio(c.u.distinct_chars, c.u.all_chars) : 0.0;
    return detail::verdict(ck, name, s, c.u.all_chars && s >= params.max_repeated_paragraphs_char_ratio);
  }
};

namespace detail {

// NeMo's policy_substrings, lower case, and "lorem ipsum" first (index 0).
inline const millrace::filters::detail::phrase_matcher& boilerplate_phrases() {
  static const millrace::filters::detail::phrase_matcher m({
      "lorem ipsum", "terms of use", "privacy policy", "cookie policy", "uses cookies", "privacy overview", "use of cookies",
      "use cookies", "privacy & cookies policy", "privacy and cookies policy",
      "this website uses cookies to improve your experience while you navigate through the website. out of these cookies, "
      "the cookies that are categorized as necessary are stored on your browser as they are essential for the working of "
      "basic functionalities of the website. we also use third-party cookies that help us analyze and understand how you "
      "use this website. these cookies will be stored in your browser only with your consent. you also have the option to "
      "opt-out of these cookies. but opting out of some of these cookies may have an effect on your browsing experience.",
      "necessary cookies are absolutely essential for the website to function properly. this category only includes "
      "cookies that ensures basic functionalities and security features of the website. these cookies do not store any "
      "personal information.",
      "any cookies that may not be particularly necessary for the website to function and is used specifically to collect "
      "user personal data via analytics, ads, other embedded contents are termed as non-necessary cookies. it is mandatory "
      "to procure user consent prior to running these cookies on your website.",
      "this site uses cookies, including for analytics, personalization, and advertising purposes. for more information or "
      "to change your cookie settings, click here.",
      "if you continue to browse this site without changing your cookie settings, you agree to this use. acceptread more",
  });
  return m;
}

}  // namespace detail

/// The parameters of nemo::boilerplate_string, with NeMo Curator's defaults.
struct boilerplate_string_params {
  double max_boilerplate_string_ratio = 0.4;  ///< keep when the score is at most this
  bool remove_if_at_top_or_bottom = true;     ///< accepted for NeMo's config; NeMo's score ignores it too
};
/// BoilerPlateStringFilter (C4): paragraphs holding a policy phrase ("terms of use", "privacy
/// policy", cookie notices; ASCII case folded) / paragraphs; "lorem ipsum" anywhere scores 1.
struct boilerplate_string {
  boilerplate_string_params params{};            ///< the threshold; NeMo's default unless set
  std::string name = "boilerplate_string_ratio"; ///< NeMo's name: the failure reason and "<name>.score" key
  /// Fails (reason `name`) when the score is above the threshold (lorem ipsum scores 1); "" when kept;
  /// with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& m = detail::boilerplate_phrases();
    std::size_t paragraphs = 0, boiler = 0;
    bool lorem = false;
    millrace::filters::detail::for_each_nemo_paragraph(st, [&](std::size_t b, std::size_t e, std::size_t) {
      ++paragraphs;
      if (lorem) return;
      bool policy = false;
      m.scan(st.text.substr(b, e - b), [&](std::size_t idx) {
        (idx == 0 ? lorem : policy) = true;
        return !lorem;  // policy phrases no longer matter once lorem ipsum is seen; lorem may still follow
      });
      boiler += policy;
    });
    const double s = lorem ? 1.0 : detail::ratio(boiler, paragraphs);
    return detail::verdict(ck, name, s, s <= params.max_boilerplate_string_ratio);
  }
};

// ---- word n-grams ----------------------------------------------------------------------------

/// The parameters of nemo::repeating_top_ngrams, with NeMo Curator's defaults.
struct repeating_top_ngrams_params {
  int n = 2;                               ///< words per n-gram (>= 1)
  double max_repeating_ngram_ratio = 0.2;  ///< keep when the score is at most this
};
/// RepeatingTopNGramsFilter (Gopher): code points of the text that removing every occurrence
/// of the most frequent word n-gram (words joined by ' ') takes away / code points; fewer than
/// n words scores 1. Ties go to the n-gram seen first (NeMo: Python's set order).
struct repeating_top_ngrams {
  repeating_top_ngrams_params params{}; ///< n and the threshold
  std::string name;                     ///< reason and "<name>.score" key; NeMo's name by default

  /// NeMo's name "repeating_top_{n}grams" when `name` is empty.
  explicit repeating_top_ngrams(repeating_top_ngrams_params p = {}, std::string name = "")
      : params(p), name(name.empty() ? fmt::format("repeating_top_{}grams", p.n) : std::move(name)) {}

  /// Fails (reason `name`) when the score is above the threshold (fewer than n tokens: score 1); "" when
  /// kept; with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto n = std::size_t(std::max(params.n, 1));
    const std::size_t nw = st.ws_tokens.size();
    double s = 1.0;
    if (nw >= n && st.chars) {
      const auto keys = detail::ngram_keys(st.ws_token_hashes(), n);
      millrace::filters::detail::key_table t(keys.size());
      std::uint32_t top_count = 0, top_first = 0;
      for (std::size_t i = 0; i < keys.size(); ++i) {
        const auto& sl = t.add(keys[i], std::uint32_t(i));
        if (sl.count > top_count || (sl.count == top_count && sl.first < top_first)) top_count = sl.count, top_first = sl.first;
      }
      std::string gram;
      std::size_t gram_chars = n - 1;
      for (std::size_t k = 0; k < n; ++k) {
        if (k) gram += ' ';
        gram += st.ws_token(top_first + k);
        gram_chars += st.ws_tokens[top_first + k].chars;
      }
      // len(text) - len(text.replace(gram, "")): its non-overlapping occurrences in the text,
      // which may be more than the n-gram's count ("a b" inside "xa by").
      std::size_t occ = 0;
      for (std::size_t p = st.text.find(gram); p != std::string_view::npos; p = st.text.find(gram, p + gram.size())) ++occ;
      s = detail::ratio(occ * gram_chars, st.chars);
    }
    return detail::verdict(ck, name, s, s <= params.max_repeating_ngram_ratio);
  }
};

/// The parameters of nemo::repeating_duplicate_ngrams, with NeMo Curator's defaults.
struct repeating_duplicate_ngrams_params {
  int n = 2;                                         ///< words per n-gram (>= 1); NeMo's class default, its English set uses 5..10
  double max_repeating_duplicate_ngram_ratio = 0.2;  ///< keep when the score is at most this
};
/// RepeatingDuplicateNGramsFilter (Gopher): code points covered by word n-grams that repeat an
/// earlier one (each word counted once, plus the spaces between covered words, as NeMo counts
/// them) / code points; fewer than n words scores 1.
struct repeating_duplicate_ngrams {
  repeating_duplicate_ngrams_params params{}; ///< n and the threshold
  std::string name;                           ///< reason and "<name>.score" key; NeMo's name by default

  /// NeMo's name "repeating_dup_{n}gram" when `name` is empty.
  explicit repeating_duplicate_ngrams(repeating_duplicate_ngrams_params p = {}, std::string name = "")
      : params(p), name(name.empty() ? fmt::format("repeating_dup_{}gram", p.n) : std::move(name)) {}

  /// Fails (reason `name`) when the score is above the threshold (fewer than n tokens: score 1); "" when
  /// kept; with `out` it writes the score as "<name>.score".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto n = std::size_t(std::max(params.n, 1));
    const std::size_t nw = st.ws_tokens.size();
    double s = 1.0;
    if (nw >= n && st.chars) {
      const auto keys = detail::ngram_keys(st.ws_token_hashes(), n);
      std::vector<std::size_t> prefix(nw + 1, 0);  // code points of tokens [0, i)
      for (std::size_t i = 0; i < nw; ++i) prefix[i + 1] = prefix[i] + st.ws_tokens[i].chars;
      millrace::filters::detail::key_table t(keys.size());
      std::size_t dup = 0, overlap = 0;  // overlap: words of the current n-gram counted already
      for (std::size_t i = 0; i < keys.size(); ++i) {
        if (t.seen_or_add(keys[i])) {
          dup += prefix[i + n] - prefix[i + overlap] + std::min(n - overlap, n - 1);
          overlap = n;
        }
        overlap = overlap ? overlap - 1 : 0;
      }
      s = detail::ratio(dup, st.chars);
    }
    return detail::verdict(ck, name, s, s <= params.max_repeating_duplicate_ngram_ratio);
  }
};

// ---- the default English set -----------------------------------------------------------------

/// NeMo Curator's config/heuristic_filter_en.yaml: its 28 filters with its parameters, in its order.
inline auto english_filters() {
  return std::tuple{
      non_alpha_numeric{}, symbols_to_words{}, numbers{}, urls{}, white_space{}, parentheses{}, boilerplate_string{},
      repeated_lines{}, repeated_paragraphs{}, repeated_lines_by_char{}, repeated_paragraphs_by_char{}, word_count{},
      punctuation{}, words_without_alphabets{}, common_english_words{}, mean_word_length{}, long_word{}, ellipsis{},
      repeating_top_ngrams({.n = 2, .max_repeating_ngram_ratio = 0.2}),
      repeating_top_ngrams({.n = 3, .max_repeating_ngram_ratio = 0.18}),
      repeating_top_ngrams({.n = 4, .max_repeating_ngram_ratio = 0.16}),
      repeating_duplicate_ngrams({.n = 5, .max_repeating_duplicate_ngram_ratio = 0.15}),
      repeating_duplicate_ngrams({.n = 6, .max_repeating_duplicate_ngram_ratio = 0.14}),
      repeating_duplicate_ngrams({.n = 7, .max_repeating_duplicate_ngram_ratio = 0.13}),
      repeating_duplicate_ngrams({.n = 8, .max_repeating_duplicate_ngram_ratio = 0.12}),
      repeating_duplicate_ngrams({.n = 9, .max_repeating_duplicate_ngram_ratio = 0.11}),
      repeating_duplicate_ngrams({.n = 10, .max_repeating_duplicate_ngram_ratio = 0.10}),
      bullets{},
  };
}

/// The 28 filters as one mr::filters::apply operator (one scan per record for all of them);
/// in drop mode the first failing filter, in NeMo's order, is the reason. Name: "nemo_english".
template <class Rec>
auto english_heuristics(apply_options<Rec> opt = {}) {
  if (opt.name.empty()) opt.name = "nemo_english";
  return std::apply([&](auto... f) { return millrace::filters::apply<Rec>(std::move(opt), std::move(f)...); }, english_filters());
}

}  // namespace millrace::filters::nemo
