// millrace/filters/fineweb.hpp — FineWeb's quality heuristics (Penedo et al. 2024), with
// datatrove's FineWebQualityFilter defaults and reasons: line punctuation, short lines,
// duplicated line characters, newlines per word.
//   auto why = mr::filters::fineweb_quality{}.check(mr::filters::analyze(text));
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <millrace/filters/detail/check.hpp>
#include <millrace/filters/detail/spacy_en.hpp>
#include <millrace/filters/detail/unicode.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/text_view.hpp>
#include <millrace/filters/word_split.hpp>

namespace millrace::filters {

/// The parameters of fineweb_quality, with datatrove's defaults.
struct fineweb_quality_params {
  double line_punct_thr = 0.12;          ///< min fraction of lines ending in terminal punctuation
  bool line_punct_exclude_zero = false;  ///< a fraction of exactly 0 passes
  std::u32string_view stop_chars{};      ///< empty: datatrove's TERMINAL_PUNCTUATION (many scripts); e.g. U".!?"
  double short_line_thr = 0.67;          ///< max fraction of lines of <= short_line_length chars
  std::size_t short_line_length = 30;    ///< a line of at most this many code points ('\r' included) is short
  double char_duplicates_ratio = 0.01;   ///< max characters in duplicate lines / characters without '\n'
  double new_line_ratio = 0.3;           ///< max '\n' per token
  /// The tokens of new_line_ratio: millrace's (words + symbol tokens) or datatrove's English
  /// tokens (its split_into_words; a second scan of the text, only when the ratio is reached).
  word_split words = word_split::millrace;
};

/// FineWeb quality over the non-blank lines of the text (split on '\n').
struct fineweb_quality {
  fineweb_quality_params params{};     ///< the thresholds; the defaults are datatrove's
  std::string name = "fineweb_quality"; ///< name in tallies, exclusions and "<name>.<stat>" annotations

  /// Tests in order: "empty" (no non-blank line), "line_punct_ratio", "short_line_ratio",
  /// "char_dup_ratio", "list_ratio"; returns the first failing reason, "" when all pass. With
  /// `out` it tests all and writes each ratio under its reason's name.
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    const auto& p = params;
    std::size_t n = 0, punct = 0, short_lines = 0;
    for (std::size_t i = 0; i < st.lines.size(); ++i) {
      const line_span& L = st.lines[i];
      if (L.blank()) continue;
      ++n;
      // line.endswith(stop_chars): the raw line's last code point ('\r' and spaces count).
      const char32_t last = detail::last_code_point(st.line(i));
      const bool ends = p.stop_chars.empty() ? detail::is_terminal_punctuation(last)
                                             : p.stop_chars.find(last) != std::u32string_view::npos;
      punct += ends;
      short_lines += L.chars <= p.short_line_length;
    }
    if (n == 0) {
      ck.fail(true, "empty");
      return ck.finish();
    }
    const double punct_ratio = double(punct) / double(n);
    ck.stat("line_punct_ratio", punct_ratio);
    if (ck.fail(punct_ratio < p.line_punct_thr && !(punct_ratio == 0 && p.line_punct_exclude_zero), "line_punct_ratio"))
      return ck.reason;
    const double short_ratio = double(short_lines) / double(n);
    ck.stat("short_line_ratio", short_ratio);
    if (ck.fail(short_ratio > p.short_line_thr, "short_line_ratio")) return ck.reason;

    detail::key_table seen(n);
    std::size_t dup_chars = 0;
    for (std::size_t i = 0; i < st.lines.size(); ++i)
      if (!st.lines[i].blank() && seen.seen_or_add(detail::hash_bytes(st.line(i)))) dup_chars += st.lines[i].chars;
    const std::size_t no_nl = st.chars - st.newlines;
    const double dup_ratio = no_nl ? double(dup_chars) / double(no_nl) : 0.0;
    ck.stat("char_dup_ratio", dup_ratio);
    if (ck.fail(dup_ratio > p.char_duplicates_ratio, "char_dup_ratio")) return ck.reason;

    // datatrove divides by the word count (ZeroDivisionError on none): no tokens and a newline fails.
    const std::size_t tokens = p.words == word_split::datatrove_english ? detail::spacy_en::tokens(st.text).size() : st.tokens();
    const double list_ratio = tokens ? double(st.newlines) / double(tokens) : (st.newlines ? 1e300 : 0.0);
    ck.stat("list_ratio", list_ratio);
    if (ck.fail(list_ratio > p.new_line_ratio, "list_ratio")) return ck.reason;
    return ck.finish();
  }
};

}  // namespace millrace::filters
