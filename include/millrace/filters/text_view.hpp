// millrace/filters/text_view.hpp — one scan of a document's UTF-8 text into the statistics every
// quality filter reads (words, symbol tokens, lines, paragraphs, character counts), so a chain of
// filters decodes the text once.
//   auto st = mr::filters::analyze(doc.text);   // st.words.size(), st.lines[0].chars, st.word(3)
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#include <millrace/filters/detail/unicode.hpp>

namespace millrace::filters {

/// A word: a run of letters, digits and marks of any script (joined across ' ’ . between letters
/// and digits, and , . between digits, as in "don't", "3.14", "1,000"), or one Han ideograph or
/// Hiragana character. Offsets are bytes into the text; `chars` counts code points.
struct word_span {
  std::uint32_t begin = 0, size = 0, chars = 0;  ///< byte offset, bytes, code points
  bool alpha = false;  ///< holds at least one letter (L*), as Python's str.isalpha on a character
};

/// A line: the text between two '\n' (a '\r' before the '\n' stays in the line, as in
/// str.split("\n")); the text after a final '\n' is a last, empty line.
struct line_span {
  std::uint32_t begin = 0, size = 0, chars = 0;  ///< byte offset, bytes, code points ('\n' excluded)
  std::uint32_t strip_begin = 0, strip_size = 0;  ///< the line without leading/trailing whitespace (str.strip())
  std::uint32_t first_word = 0, n_words = 0;      ///< its words: st.words[first_word, +n_words)
  std::uint32_t ws_tokens = 0;                    ///< whitespace-separated tokens (str.split())
  std::uint32_t max_ws_token_chars = 0;           ///< the longest of them, in code points
  /// True when the line holds only whitespace (or nothing).
  bool blank() const { return strip_size == 0; }
};

/// A whitespace-separated token (Python's str.split(): NeMo Curator's English "word"): a maximal
/// run of code points that are not whitespace (str.isspace(): White_Space and U+001C..U+001F).
struct token_span {
  std::uint32_t begin = 0, size = 0, chars = 0;  ///< byte offset, bytes, code points
  bool alpha = false;  ///< holds a letter (L*, ideographs included)
  bool hash = false;   ///< holds a '#'
};

/// A paragraph: the stripped text cut at runs of two or more '\n' (re.split(r"\n{2,}")).
struct paragraph_span {
  std::uint32_t begin = 0, size = 0, chars = 0;  ///< byte offset, bytes, code points
};

/// Everything the filters measure, from one pass over the text (see analyze()).
struct doc_stats {
  std::string_view text;          ///< the analyzed text, not owned (it must outlive the stats)
  std::size_t chars = 0;          ///< code points, '\n' included (Python's len(text))
  std::size_t newlines = 0;       ///< '\n' bytes
  std::size_t hashes = 0;         ///< '#'
  std::size_t ellipses = 0;       ///< non-overlapping "..." plus "…" (U+2026)
  std::size_t letters = 0;        ///< code points in L*
  std::size_t uppercase = 0;      ///< code points in Lu
  std::size_t digits = 0;         ///< code points in N*
  std::size_t spaces = 0;         ///< whitespace code points (str.isspace()), '\n' included
  std::size_t symbols = 0;        ///< code points in P* and S*
  std::size_t symbol_tokens = 0;  ///< punctuation/symbol tokens: each P*/S* code point, a run of one repeated character counted once
  std::size_t ascii_letters = 0;  ///< [A-Za-z]
  std::size_t ascii_digits = 0;   ///< [0-9]
  std::size_t angle_brackets = 0; ///< U+27E8 and U+27E9 (NeMo's parentheses set holds them)
  /// Each ASCII code point that is not a letter or digit (spaces, controls, punctuation), by value.
  std::array<std::uint32_t, 128> ascii_marks{};
  std::vector<token_span> ws_tokens;  ///< whitespace-separated tokens, in order
  std::vector<word_span> words;            ///< words (see word_span), in order
  std::vector<line_span> lines;            ///< lines split on '\n', in order; at least one
  std::vector<paragraph_span> paragraphs;  ///< paragraphs, in order; an all-blank text has one empty one

  /// The text of words[i].
  std::string_view word(std::size_t i) const { return text.substr(words[i].begin, words[i].size); }
  /// The text of lines[i] (a trailing '\r' kept).
  std::string_view line(std::size_t i) const { return text.substr(lines[i].begin, lines[i].size); }
  /// The text of lines[i] without its leading and trailing whitespace.
  std::string_view stripped_line(std::size_t i) const { return text.substr(lines[i].strip_begin, lines[i].strip_size); }
  /// The text of paragraphs[i].
  std::string_view paragraph(std::size_t i) const { return text.substr(paragraphs[i].begin, paragraphs[i].size); }
  /// The text of ws_tokens[i].
  std::string_view ws_token(std::size_t i) const { return text.substr(ws_tokens[i].begin, ws_tokens[i].size); }
  /// Tokens as a word tokenizer with punctuation tokens counts them (datatrove's NLTK words).
  std::size_t tokens() const { return words.size() + symbol_tokens; }
  /// XXH3-64 of each whitespace token, computed on the first call and kept: the n-gram filters
  /// of a group share it (not collected by the scan, so filters that need none pay nothing).
  /// One doc_stats is read by one thread at a time (apply analyzes per record).
  const std::vector<std::uint64_t>& ws_token_hashes() const {
    if (ws_token_hashes_.size() != ws_tokens.size()) {
      ws_token_hashes_.resize(ws_tokens.size());
      for (std::size_t i = 0; i < ws_tokens.size(); ++i) {
        const std::string_view t = ws_token(i);
        ws_token_hashes_[i] = XXH3_64bits(t.data(), t.size());
      }
    }
    return ws_token_hashes_;
  }

 private:
  mutable std::vector<std::uint64_t> ws_token_hashes_;
};

namespace detail {

inline bool word_class(cclass c) { return c == cclass::letter || c == cclass::digit || c == cclass::mark; }

// Paragraphs from the lines: the text stripped of whitespace at both ends, cut at empty lines.
inline void find_paragraphs(doc_stats& st) {
  std::size_t first = 0, last = st.lines.size();
  while (first < last && st.lines[first].blank()) ++first;
  while (last > first && st.lines[last - 1].blank()) --last;
  if (first == last) {  // "".split(...) is [""]: one empty paragraph
    st.paragraphs.push_back({});
    return;
  }
  // Inner lines holding only spaces belong to their paragraph; only empty lines ("\n\n") cut.
  std::size_t i = first;
  while (i < last) {
    paragraph_span p;
    const bool first_para = i == first;
    p.begin = first_para ? st.lines[i].strip_begin : st.lines[i].begin;
    std::size_t j = i;
    std::size_t end_byte = 0;
    while (j < last && (st.lines[j].size > 0 || j == i)) {
      end_byte = (j + 1 == last) ? st.lines[j].strip_begin + st.lines[j].strip_size : st.lines[j].begin + st.lines[j].size;
      ++j;
    }
    p.size = std::uint32_t(end_byte - p.begin);
    // Code points of the paragraph: count them in its bytes (only the clipped ends differ from the lines).
    std::size_t n = 0;
    for (std::size_t k = p.begin; k < end_byte; ++k) n += (static_cast<unsigned char>(st.text[k]) & 0xc0) != 0x80;
    p.chars = std::uint32_t(n);
    st.paragraphs.push_back(p);
    while (j < last && st.lines[j].size == 0) ++j;
    i = j;
  }
}

}  // namespace detail

/// Scans `text` once (UTF-8, malformed bytes read as U+FFFD) and fills every statistic of
/// doc_stats; paragraphs come from the lines afterwards. The text must outlive the result.
inline doc_stats analyze(std::string_view text) {
  using detail::cclass;
  doc_stats st;
  st.text = text;
  st.words.reserve(text.size() / 6 + 1);
  st.lines.reserve(text.size() / 64 + 1);
  st.ws_tokens.reserve(text.size() / 6 + 1);

  line_span line;
  bool line_has_visible = false;
  std::size_t line_chars = 0;
  std::uint32_t ws_token_chars = 0;
  bool in_ws_token = false;
  token_span tok;

  bool in_word = false;
  word_span w;
  cclass prev_word_char = cclass::other;  // class of the word's last letter/digit
  char32_t prev_sym = 0;                 // last symbol code point, for runs of one character
  std::size_t dot_run = 0;

  auto end_word = [&] {
    if (in_word) {
      st.words.push_back(w);
      ++line.n_words;
      in_word = false;
    }
  };
  auto end_ws_token = [&](std::size_t end) {
    if (in_ws_token) {
      tok.size = std::uint32_t(end - tok.begin);
      tok.chars = ws_token_chars;
      st.ws_tokens.push_back(tok);
      ++line.ws_tokens;
      if (ws_token_chars > line.max_ws_token_chars) line.max_ws_token_chars = ws_token_chars;
      in_ws_token = false;
      ws_token_chars = 0;
    }
  };
  auto end_line = [&](std::size_t end) {
    end_word();
    end_ws_token(end);
    line.size = std::uint32_t(end - line.begin);
    line.chars = std::uint32_t(line_chars);
    if (!line_has_visible) line.strip_begin = line.begin, line.strip_size = 0;
    st.lines.push_back(line);
  };

  std::size_t i = 0;
  line.begin = 0;
  while (i < text.size()) {
    const std::size_t at = i;
    const char32_t c = detail::decode(text, i);
    if (c < 0x80) {
      const cclass a = detail::ascii_class[c];
      if (a == cclass::letter) ++st.ascii_letters;
      else if (a == cclass::digit) ++st.ascii_digits;
      else ++st.ascii_marks[c];
    }
    if (c == '.') {
      if (++dot_run == 3) ++st.ellipses, dot_run = 0;
    } else {
      dot_run = 0;
    }
    ++st.chars;
    if (c == '\n') {
      ++st.newlines;
      ++st.spaces;
      end_line(at);
      line = line_span{};
      line.begin = std::uint32_t(i);
      line.first_word = std::uint32_t(st.words.size());
      line_has_visible = false;
      line_chars = 0;
      prev_sym = 0;
      continue;
    }
    ++line_chars;
    const cclass k = detail::classify(c);
    if (k == cclass::space) {
      ++st.spaces;
      end_word();
      end_ws_token(at);
      prev_sym = 0;
      continue;
    }
    // Visible on this line: extend the stripped range.
    if (!line_has_visible) line.strip_begin = std::uint32_t(at), line_has_visible = true;
    line.strip_size = std::uint32_t(i - line.strip_begin);
    if (!in_ws_token) tok = token_span{std::uint32_t(at), 0, 0, false, false};
    in_ws_token = true;
    ++ws_token_chars;

    if (detail::word_class(k)) {
      if (k == cclass::letter) {
        ++st.letters;
        tok.alpha = true;
        st.uppercase += c < 0x80 ? (c >= 'A' && c <= 'Z') : detail::is_upper(c);
      }
      st.digits += k == cclass::digit;
      if (!in_word) {
        w = word_span{std::uint32_t(at), 0, 0, false};
        in_word = true;
      }
      ++w.chars;
      w.alpha |= k == cclass::letter;
      if (k != cclass::mark) prev_word_char = k;
      // Fast path: the ASCII letters and digits that follow, in a tight loop (most of a text).
      std::size_t j = i;
      bool letters = false;
      cclass last = prev_word_char;
      std::size_t n_letters = 0, n_upper = 0;
      while (j < text.size()) {
        const auto b = static_cast<unsigned char>(text[j]);
        if (b >= 0x80) break;
        const cclass kb = detail::ascii_class[b];
        if (kb != cclass::letter && kb != cclass::digit) break;
        n_letters += kb == cclass::letter;
        n_upper += unsigned(b - 'A') < 26u;
        last = kb;
        ++j;
      }
      letters = n_letters > 0;
      tok.alpha |= letters;
      st.letters += n_letters, st.uppercase += n_upper, st.digits += (j - i) - n_letters;
      st.ascii_letters += n_letters, st.ascii_digits += (j - i) - n_letters;
      if (j > i) {
        const std::size_t run = j - i;
        st.chars += run, line_chars += run, w.chars += std::uint32_t(run);
        ws_token_chars += std::uint32_t(run);
        w.alpha |= letters;
        prev_word_char = last;
        i = j;
        line.strip_size = std::uint32_t(i - line.strip_begin);
      }
      w.size = std::uint32_t(i - w.begin);
      prev_sym = 0;
      continue;
    }
    if (k == cclass::ideograph) {
      ++st.letters;
      tok.alpha = true;
      end_word();
      st.words.push_back({std::uint32_t(at), std::uint32_t(i - at), 1, true});
      ++line.n_words;
      prev_sym = 0;
      continue;
    }
    if (k == cclass::punct) {
      ++st.symbols;
      tok.hash |= c == '#';
      st.angle_brackets += c == 0x27e8 || c == 0x27e9;
      // Joiners inside a word: ' ’ . between letters/digits, , between digits ("don't", "3.14").
      if (in_word && (c == '\'' || c == 0x2019 || c == '.' || c == ',') && i < text.size()) {
        std::size_t j = i;
        const cclass next = detail::classify(detail::decode(text, j));
        const bool joins = c == ','   ? (prev_word_char == cclass::digit && next == cclass::digit)
                           : c == '.' ? (next == cclass::letter || next == cclass::digit)
                                      : (prev_word_char == cclass::letter && next == cclass::letter);
        if (joins) {
          w.size = std::uint32_t(i - w.begin);
          ++w.chars;
          if (c == '.') dot_run = 0;  // "3.14" is no part of an ellipsis
          continue;
        }
      }
      end_word();
      if (c == '#') ++st.hashes;
      if (c == 0x2026) ++st.ellipses;
      if (c != prev_sym) ++st.symbol_tokens;
      prev_sym = c;
      continue;
    }
    end_word();  // other: controls, format characters
    prev_sym = 0;
  }
  end_line(text.size());
  detail::find_paragraphs(st);
  return st;
}

}  // namespace millrace::filters
