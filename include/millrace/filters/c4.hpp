// millrace/filters/c4.hpp — C4's line and document rules (Raffel et al. 2020), with datatrove's
// C4QualityFilter defaults and reasons: lines without terminal punctuation, with few words, with
// "javascript" or cookie/policy phrases are removed; "lorem ipsum", '{' or too few sentences drop.
//   std::string kept;
//   auto why = mr::filters::c4_quality{}.check(mr::filters::analyze(text), nullptr, &kept);
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <millrace/filters/detail/check.hpp>
#include <millrace/filters/detail/spacy_en.hpp>
#include <millrace/filters/detail/unicode.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/text_view.hpp>
#include <millrace/filters/word_split.hpp>

namespace millrace::filters {

/// datatrove's C4QualityFilter parameters (split_paragraph = true, its default: lines are units).
struct c4_quality_params {
  bool remove_citations = true;          ///< drop "[1]", "[edit]", "[citation needed]" from lines
  bool filter_no_terminal_punct = true;  ///< keep lines ending in . ? ! " ' (not "...")
  int min_num_sentences = 5;             ///< in the kept lines; -1: off
  int min_words_per_line = 3;            ///< whitespace-separated words; -1: off
  int max_word_length = 1000;            ///< drop lines with a longer word (code points); -1: off
  bool filter_lorem_ipsum = true;        ///< drop the document
  bool filter_javascript = true;         ///< drop the line
  bool filter_curly_bracket = true;      ///< drop the document
  bool filter_policy = true;             ///< drop lines with "terms of use", "privacy policy", cookies
  bool remove_lines = true;              ///< write the kept lines back as the text (datatrove does)
  /// How sentences are counted: millrace's rule (terminal marks followed by a space, known
  /// abbreviations excepted) or datatrove's (spaCy's Sentencizer over its English tokens).
  word_split sentences = word_split::millrace;
};

namespace detail {

// The policy phrases: terms of use, privacy policy, cookie policy, uses cookies, use of cookies, use cookies.

enum : unsigned { c4_lorem = 1, c4_javascript = 2, c4_curly = 4, c4_policy = 8 };

// ASCII lower case of a byte (other bytes unchanged).
inline constexpr auto c4_lower = [] {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 256; ++c) t[std::size_t(c)] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c - 'A' + 'a') : (unsigned char)c;
  return t;
}();
// The first two (lower-case) bytes of every phrase: a line is compared with the phrases only
// where such a pair starts, so the scan is one table look-up per byte.
inline constexpr auto c4_anchor = [] {
  std::array<std::uint64_t, 65536 / 64> bits{};
  for (const char* w : {"lorem ipsum", "javascript", "terms of use", "privacy policy", "cookie policy", "uses cookies", "use of cookies",
                        "use cookies"}) {
    const unsigned k = unsigned((unsigned char)w[0]) << 8 | (unsigned char)w[1];
    bits[k >> 6] |= std::uint64_t(1) << (k & 63);
  }
  return bits;
}();

// Which of C4's substrings a line holds, in one pass over its bytes (ASCII case folded).
inline unsigned c4_line_flags(std::string_view s) {
  unsigned f = 0;
  auto at = [&](std::size_t i, std::string_view w) {
    if (s.size() - i < w.size()) return false;
    for (std::size_t k = 2; k < w.size(); ++k)
      if (c4_lower[(unsigned char)s[i + k]] != (unsigned char)w[k]) return false;
    return true;
  };
  if (s.find('{') != std::string_view::npos) f |= c4_curly;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    const unsigned k = unsigned(c4_lower[(unsigned char)s[i]]) << 8 | c4_lower[(unsigned char)s[i + 1]];
    if (!((c4_anchor[k >> 6] >> (k & 63)) & 1)) continue;
    switch (k >> 8) {
      case 'l': if (at(i, "lorem ipsum")) f |= c4_lorem; break;
      case 'j': if (at(i, "javascript")) f |= c4_javascript; break;
      case 't': if (at(i, "terms of use")) f |= c4_policy; break;
      case 'p': if (at(i, "privacy policy")) f |= c4_policy; break;
      case 'c': if (at(i, "cookie policy")) f |= c4_policy; break;
      case 'u': if (at(i, "uses cookies") || at(i, "use of cookies") || at(i, "use cookies")) f |= c4_policy; break;
      default: break;
    }
  }
  return f;
}

// CITATION_REGEX = \[\d*]|\[edit]|\[citation needed]  (removed from a line)
inline std::string remove_citations(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    if (s[i] == '[') {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9') ++j;
      std::size_t end = 0;
      if (j < s.size() && s[j] == ']') end = j + 1;
      else if (s.substr(i).starts_with("[edit]")) end = i + 6;
      else if (s.substr(i).starts_with("[citation needed]")) end = i + 17;
      if (end) {
        i = end;
        continue;
      }
    }
    out.push_back(s[i++]);
  }
  return out;
}

// Sentences in a line, standing in for NLTK's punkt: a run of sentence-ending marks (any
// script's, datatrove's TERMINAL_PUNCTUATION) followed by closing quotes/brackets and then
// whitespace or the end of the line ends a sentence; a line with text holds at least one.
inline std::size_t count_sentences(std::string_view s) {
  std::size_t n = 0, i = 0;
  bool content = false, pending = false;
  while (i < s.size()) {
    const char32_t c = decode(s, i);
    const cclass k = classify(c);
    if (is_terminal_punctuation(c)) {
      pending = pending || content;
    } else if (pending && (c == '"' || c == '\'' || c == ')' || c == ']' || c == 0x201d || c == 0x2019)) {
      // closing marks after the full stop: the sentence still ends here
    } else if (k == cclass::space) {
      if (pending) ++n, content = false;
      pending = false;
    } else {
      pending = false;  // "3.14", "e.g": no sentence end inside a token
      content = content || k == cclass::letter || k == cclass::digit || k == cclass::ideograph;
    }
  }
  if (pending || content) ++n;
  return n == 0 && !s.empty() ? 1 : n;
}

}  // namespace detail

/// C4 quality: line removal plus document rules. With `kept_text`, receives the kept lines
/// joined by '\n' (when params.remove_lines and the document passes).
struct c4_quality {
  c4_quality_params params{};     ///< the rules; the defaults are datatrove's
  std::string name = "c4_quality"; ///< name in tallies, exclusion records and "<name>.<stat>" annotations

  /// Applies the line rules, then the document rules: "lorem_ipsum", "curly_bracket" or
  /// "too_few_sentences" when the document fails, "" when it passes (then, with `kept_text` and
  /// params.remove_lines, the kept lines are written there). With `out` it writes "lines_kept",
  /// "lines_removed" and "sentences" (counted over the lines seen before a document rule failed).
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* kept_text = nullptr) const {
    detail::checker ck{name, out};
    const auto& p = params;
    std::size_t sentences = 0, kept = 0, removed = 0;
    std::string joined;
    std::size_t n_lines = st.lines.size();
    if (n_lines && st.lines.back().size == 0) --n_lines;  // str.splitlines()
    for (std::size_t li = 0; li < n_lines; ++li) {
      const line_span& L = st.lines[li];
      if (p.max_word_length != -1 && L.max_ws_token_chars > std::size_t(p.max_word_length)) {
        ++removed;
        continue;
      }
      std::string_view line = st.stripped_line(li);
      std::string cleaned;
      if (p.remove_citations && line.find('[') != std::string_view::npos) {
        cleaned = detail::remove_citations(line);
        line = cleaned;
      }
      if (p.filter_no_terminal_punct) {
        const bool ends = !line.empty() && (line.back() == '.' || line.back() == '?' || line.back() == '!' ||
                                            line.back() == '"' || line.back() == '\'');
        if (!ends || line.ends_with("...")) {
          ++removed;
          continue;
        }
      }
      if (int(L.ws_tokens) < p.min_words_per_line) {
        ++removed;
        continue;
      }
      const unsigned flags = detail::c4_line_flags(line);
      if (p.filter_lorem_ipsum && (flags & detail::c4_lorem)) {
        ck.fail(true, "lorem_ipsum");
        break;  // the whole document goes
      }
      if (p.filter_javascript && (flags & detail::c4_javascript)) {
        ++removed;
        continue;
      }
      if (p.filter_curly_bracket && (flags & detail::c4_curly)) {
        ck.fail(true, "curly_bracket");
        break;
      }
      if (p.filter_policy && (flags & detail::c4_policy)) {
        ++removed;
        continue;
      }
      if (p.min_num_sentences != -1)
        sentences += p.sentences == word_split::datatrove_english ? detail::spacy_en::sentences(line) : detail::count_sentences(line);
      if (kept_text && p.remove_lines) {
        if (kept) joined.push_back('\n');
        joined.append(line);
      }
      ++kept;
    }
    ck.stat("lines_kept", double(kept));
    ck.stat("lines_removed", double(removed));
    ck.stat("sentences", double(sentences));
    if (!ck.reason.empty() && !out) return ck.reason;
    if (ck.fail(int(sentences) < p.min_num_sentences, "too_few_sentences")) return ck.reason;
    if (ck.reason.empty() && kept_text && p.remove_lines) {
      // datatrove strips the joined text; the lines are stripped already, so only empty ends remain.
      *kept_text = std::move(joined);
    }
    return ck.finish();
  }
};

}  // namespace millrace::filters
