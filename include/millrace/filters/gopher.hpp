// millrace/filters/gopher.hpp — Gopher's quality and repetition heuristics (Rae et al. 2021,
// Table A1), with datatrove's GopherQualityFilter / GopherRepetitionFilter defaults and reasons.
//   auto st = mr::filters::analyze(text);
//   std::string_view why = mr::filters::gopher_quality{}.check(st);   // "" or "gopher_short_doc", ...
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/filters/detail/check.hpp>
#include <millrace/filters/detail/spacy_en.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/text_view.hpp>
#include <millrace/filters/word_split.hpp>

namespace millrace::filters {

/// Thresholds of gopher_quality; std::nullopt switches a test off (datatrove's None).
struct gopher_quality_params {
  std::optional<std::size_t> min_doc_words = 50;         ///< fewer words: dropped (gopher_short_doc)
  std::optional<std::size_t> max_doc_words = 100000;     ///< more words: dropped (gopher_long_doc)
  std::optional<double> min_avg_word_length = 3;         ///< mean word length (code points) below: dropped
  std::optional<double> max_avg_word_length = 10;        ///< mean word length (code points) above: dropped
  std::optional<double> max_symbol_word_ratio = 0.1;     ///< '#' per token, and ellipses per token
  std::optional<double> max_bullet_lines_ratio = 0.9;    ///< lines starting with • or -
  std::optional<double> max_ellipsis_lines_ratio = 0.3;  ///< lines ending with ... or …
  std::optional<double> min_alpha_words_ratio = 0.8;     ///< datatrove's max_non_alpha_words_ratio
  std::optional<std::size_t> min_stop_words = 2;         ///< distinct stop words present
  /// The words min_stop_words counts, compared byte for byte (case-sensitive) with whole words.
  std::vector<std::string> stop_words = {"the", "be", "to", "of", "and", "that", "have", "with"};
  /// The words counted: millrace's (words; words + symbol tokens as the ratios' "tokens") or
  /// datatrove's English tokens (word count and mean length over tokens holding a character
  /// outside datatrove's PUNCTUATION, ratios and stop words over all tokens).
  word_split words = word_split::millrace;
};

/// Gopher quality: word count and mean word length (over words), '#' and ellipsis per token,
/// bullet and ellipsis-ending line fractions, fraction of tokens with a letter, stop words.
struct gopher_quality {
  gopher_quality_params params{};     ///< the thresholds; the defaults are datatrove's
  std::string name = "gopher_quality"; ///< name in tallies, exclusion records and "<name>.<stat>" annotations

  /// The reason the document fails ("" when it passes). With `out`, every statistic is written
  /// as "<name>.<stat>" (the filter's name, "gopher_quality" by default) and all tests run.
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& p = params;
    // The counts, over millrace's words or datatrove's tokens (word_split).
    std::vector<detail::spacy_en::token> dt;
    const bool datatrove = p.words == word_split::datatrove_english;
    if (datatrove) dt = detail::spacy_en::tokens(st.text);
    std::size_t n_words = 0, word_chars = 0, n_tokens = 0, alpha = 0;
    if (datatrove) {
      for (auto& t : dt) {
        if (!t.symbol) ++n_words, word_chars += t.chars;
        alpha += t.alpha;
      }
      n_tokens = dt.size();
    } else {
      n_words = st.words.size(), n_tokens = st.tokens();
      for (auto& w : st.words) word_chars += w.chars, alpha += w.alpha;
    }
    ck.stat("words", double(n_words));
    if (ck.fail(p.min_doc_words && n_words < *p.min_doc_words, "gopher_short_doc")) return ck.reason;
    if (ck.fail(p.max_doc_words && n_words > *p.max_doc_words, "gopher_long_doc")) return ck.reason;

    if (n_words > 0) {  // numpy's mean of nothing is NaN, which fails no comparison
      const double mean = double(word_chars) / double(n_words);
      ck.stat("mean_word_length", mean);
      if (ck.fail(p.min_avg_word_length && mean < *p.min_avg_word_length, "gopher_below_avg_threshold")) return ck.reason;
      if (ck.fail(p.max_avg_word_length && mean > *p.max_avg_word_length, "gopher_above_avg_threshold")) return ck.reason;
    }
    // Ratios are one division, as in Python, so a value on a threshold compares as written.
    const auto ratio = [](std::size_t a, std::size_t b) { return b ? double(a) / double(b) : 0.0; };
    const double hash_ratio = ratio(st.hashes, n_tokens), ellipsis_ratio = ratio(st.ellipses, n_tokens);
    ck.stat("hash_ratio", hash_ratio);
    if (ck.fail(p.max_symbol_word_ratio && hash_ratio > *p.max_symbol_word_ratio, "gopher_too_many_hashes")) return ck.reason;
    ck.stat("ellipsis_ratio", ellipsis_ratio);
    if (ck.fail(p.max_symbol_word_ratio && ellipsis_ratio > *p.max_symbol_word_ratio, "gopher_too_many_ellipsis")) return ck.reason;

    // str.splitlines(): no last empty line after a final '\n', no line at all in "".
    std::size_t n_lines = st.lines.size();
    if (n_lines && st.lines.back().size == 0) --n_lines;
    std::size_t bullets = 0, ellipsis_end = 0;
    for (std::size_t i = 0; i < n_lines; ++i) {
      const std::string_view s = st.stripped_line(i);
      if (s.starts_with("\xe2\x80\xa2") || s.starts_with("-")) ++bullets;
      if (s.ends_with("...") || s.ends_with("\xe2\x80\xa6")) ++ellipsis_end;
    }
    const double bullet_ratio = ratio(bullets, n_lines), end_ellipsis_ratio = ratio(ellipsis_end, n_lines);
    ck.stat("bullet_lines_ratio", bullet_ratio);
    if (ck.fail(p.max_bullet_lines_ratio && bullet_ratio > *p.max_bullet_lines_ratio, "gopher_too_many_bullets")) return ck.reason;
    ck.stat("ellipsis_lines_ratio", end_ellipsis_ratio);
    if (ck.fail(p.max_ellipsis_lines_ratio && end_ellipsis_ratio > *p.max_ellipsis_lines_ratio, "gopher_too_many_end_ellipsis"))
      return ck.reason;

    const double alpha_ratio = ratio(alpha, n_tokens);
    ck.stat("alpha_words_ratio", alpha_ratio);
    if (ck.fail(p.min_alpha_words_ratio && n_tokens && alpha_ratio < *p.min_alpha_words_ratio, "gopher_below_alpha_threshold"))
      return ck.reason;

    if (p.min_stop_words || out) {
      std::vector<bool> found(p.stop_words.size());
      std::size_t distinct = 0;
      const std::size_t n = datatrove ? dt.size() : st.words.size();  // datatrove: every token
      for (std::size_t i = 0; i < n && (!p.min_stop_words || out || distinct < *p.min_stop_words); ++i) {
        const std::string_view w = datatrove ? st.text.substr(dt[i].begin, dt[i].end - dt[i].begin) : st.word(i);
        for (std::size_t k = 0; k < p.stop_words.size(); ++k)
          if (!found[k] && w == p.stop_words[k]) found[k] = true, ++distinct;
      }
      ck.stat("stop_words", double(distinct));
      if (ck.fail(p.min_stop_words && distinct < *p.min_stop_words, "gopher_enough_stop_words")) return ck.reason;
    }
    return ck.finish();
  }
};

/// Thresholds of gopher_repetition (fractions; std::nullopt or an empty list switches off).
struct gopher_repetition_params {
  std::optional<double> dup_line_frac = 0.3;       ///< duplicate lines / lines
  std::optional<double> dup_para_frac = 0.3;       ///< duplicate paragraphs / paragraphs
  std::optional<double> dup_line_char_frac = 0.2;  ///< characters in duplicate lines / characters
  std::optional<double> dup_para_char_frac = 0.2;  ///< characters in duplicate paragraphs / characters
  /// (n, max fraction): characters of the most frequent word n-gram ("w1 w2", times its count).
  std::vector<std::pair<int, double>> top_n_grams = {{2, 0.2}, {3, 0.18}, {4, 0.16}};
  /// (n, max fraction): characters in repeated word n-grams (non-overlapping, as datatrove).
  std::vector<std::pair<int, double>> dup_n_grams = {{5, 0.15}, {6, 0.14}, {7, 0.13}, {8, 0.12}, {9, 0.11}, {10, 0.10}};
  /// The words of the n-grams: millrace's (analyze()'s words: no punctuation or symbols) or
  /// datatrove's English tokens (every token, punctuation and symbols included, as its
  /// split_into_words: "(see below)." is 5 tokens, 2 words).
  word_split words = word_split::millrace;
};

namespace detail {

// (duplicate elements, their characters) as datatrove's find_duplicates: the first occurrence
// of each string is unique, every later one a duplicate.
template <class Get>
std::pair<std::size_t, std::size_t> find_duplicates(std::size_t n, Get get) {
  key_table seen(n);
  std::size_t dups = 0, chars = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto [text, nchars] = get(i);
    if (seen.seen_or_add(hash_bytes(text))) ++dups, chars += nchars;
  }
  return {dups, chars};
}

}  // namespace detail

/// Gopher repetition: duplicate paragraphs and lines (by count and by characters), the share of
/// the most frequent 2..4-gram, and the share of characters inside repeated 5..10-grams.
struct gopher_repetition {
  gopher_repetition_params params{};     ///< the thresholds; the defaults are datatrove's
  std::string name = "gopher_repetition"; ///< name in tallies, exclusions and "<name>.<stat>" annotations

  /// Tests paragraphs, then lines, then top n-grams, then duplicated n-grams (a fraction above
  /// its threshold fails, with the test's name as reason, e.g. "dup_line_frac", "top_2_gram",
  /// "duplicated_5_n_grams"); "" when all pass. With `out` it tests all and writes each fraction.
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& p = params;
    const auto of_text = [&](std::size_t a) { return st.chars ? double(a) / double(st.chars) : 0.0; };

    const auto [para_dups, para_chars] = detail::find_duplicates(st.paragraphs.size(), [&](std::size_t i) {
      return std::pair{st.paragraph(i), std::size_t(st.paragraphs[i].chars)};
    });
    ck.stat("dup_para_frac", double(para_dups) / double(st.paragraphs.size()));
    if (ck.fail(p.dup_para_frac && double(para_dups) / double(st.paragraphs.size()) > *p.dup_para_frac, "dup_para_frac"))
      return ck.reason;
    ck.stat("dup_para_char_frac", of_text(para_chars));
    if (ck.fail(p.dup_para_char_frac && of_text(para_chars) > *p.dup_para_char_frac, "dup_para_char_frac"))
      return ck.reason;

    // re.split("\n+", text): the '\n'-split lines without the empty ones, except first and last.
    std::vector<std::uint32_t> kept;
    kept.reserve(st.lines.size());
    for (std::size_t i = 0; i < st.lines.size(); ++i)
      if (st.lines[i].size > 0 || i == 0 || i + 1 == st.lines.size()) kept.push_back(std::uint32_t(i));
    const auto [line_dups, line_chars] = detail::find_duplicates(kept.size(), [&](std::size_t i) {
      return std::pair{st.line(kept[i]), std::size_t(st.lines[kept[i]].chars)};
    });
    ck.stat("dup_line_frac", double(line_dups) / double(kept.size()));
    if (ck.fail(p.dup_line_frac && double(line_dups) / double(kept.size()) > *p.dup_line_frac, "dup_line_frac")) return ck.reason;
    ck.stat("dup_line_char_frac", of_text(line_chars));
    if (ck.fail(p.dup_line_char_frac && of_text(line_chars) > *p.dup_line_char_frac, "dup_line_char_frac"))
      return ck.reason;

    if (p.top_n_grams.empty() && p.dup_n_grams.empty()) return ck.finish();
    // The words (word_split): their hashes and the code points of words [0, i).
    std::vector<std::uint64_t> h;
    std::vector<std::size_t> prefix{0};
    const auto add_word = [&](std::string_view w, std::size_t chars) {
      h.push_back(detail::hash_bytes(w)), prefix.push_back(prefix.back() + chars);
    };
    if (p.words == word_split::datatrove_english) {
      const auto dt = detail::spacy_en::tokens(st.text);
      h.reserve(dt.size()), prefix.reserve(dt.size() + 1);
      for (const auto& t : dt) add_word(st.text.substr(t.begin, t.end - t.begin), t.chars);
    } else {
      h.reserve(st.words.size()), prefix.reserve(st.words.size() + 1);
      for (std::size_t i = 0; i < st.words.size(); ++i) add_word(st.word(i), st.words[i].chars);
    }
    const std::size_t nw = h.size();

    // Keys of all n-grams for growing n, one mix per word per n: key[i] covers words [i, i+n).
    // (Multiply-add, not xor: "x x" must not give one key for every repeated word.)
    // The tests run in increasing n within each list (datatrove's order); keys are rebuilt only
    // when a list asks for a smaller n than the last one.
    std::vector<std::uint64_t> key(h);
    std::size_t key_n = 1;
    auto keys_for = [&](std::size_t n) -> const std::vector<std::uint64_t>& {
      if (n < key_n) key = h, key_n = 1;
      for (; key_n < n; ++key_n)
        for (std::size_t i = 0; i + key_n < nw; ++i) key[i] = detail::fmix64(key[i] * 0x9e3779b97f4a7c15ULL + h[i + key_n]);
      return key;
    };
    detail::key_table t(nw);
    for (auto [n_, frac] : p.top_n_grams) {
      const auto n = std::size_t(n_);
      if (n == 0 || nw < n) continue;  // no n-grams: datatrove skips the test
      const auto& k = keys_for(n);
      t.clear();
      // Counter.most_common(1): the highest count, the earliest first occurrence among ties;
      // tracked as counts grow (each n-gram is compared when it reaches its final count).
      std::uint32_t top_count = 0, top_first = 0;
      for (std::size_t i = 0; i + n <= nw; ++i) {
        const auto& s = t.add(k[i], std::uint32_t(i));
        if (s.count > top_count || (s.count == top_count && s.first < top_first)) top_count = s.count, top_first = s.first;
      }
      const detail::key_table::slot top_slot{0, top_count, top_first};
      const auto* top = &top_slot;
      const std::size_t gram_chars = prefix[top->first + n] - prefix[top->first] + (n - 1);  // joined by ' '
      const double v = of_text(gram_chars * top->count);
      ck.stat(fmt_reason(n, true), v);
      if (ck.fail(v > frac, fmt_reason(n, true))) return ck.reason;
    }
    // No n-gram repeating means no longer one repeats either (it would contain a repeated
    // n-gram): once a size finds none, the larger sizes are 0 without a pass.
    std::size_t none_from = SIZE_MAX;
    for (auto [n_, frac] : p.dup_n_grams) {
      const auto n = std::size_t(n_);
      std::size_t repeated = 0;
      if (n > 0 && nw >= n && n < none_from) {
        const auto& k = keys_for(n);
        t.clear();
        std::size_t i = 0;
        while (i + n <= nw) {
          if (t.seen_or_add(k[i])) {
            repeated += prefix[i + n] - prefix[i];  // "".join: no separators
            i += n;
          } else {
            ++i;
          }
        }
      }
      if (repeated == 0 && n > 0) none_from = std::min(none_from, n);
      const double v = of_text(repeated);
      ck.stat(fmt_reason(n, false), v);
      if (ck.fail(v > frac, fmt_reason(n, false))) return ck.reason;
    }
    return ck.finish();
  }

 private:
  // Reasons are string_views: datatrove's names ("top_<n>_gram", "duplicated_<n>_n_grams"), built
  // once for n <= 32; a larger n shares "top_n_gram" / "duplicated_n_grams".
  static std::string_view fmt_reason(std::size_t n, bool top) {
    static const auto names = [] {
      std::vector<std::string> v;
      for (int k = 0; k <= 32; ++k) v.push_back(fmt::format("top_{}_gram", k));
      for (int k = 0; k <= 32; ++k) v.push_back(fmt::format("duplicated_{}_n_grams", k));
      return v;
    }();
    if (n > 32) return top ? "top_n_gram" : "duplicated_n_grams";
    return names[(top ? 0 : 33) + n];
  }
};

}  // namespace millrace::filters
