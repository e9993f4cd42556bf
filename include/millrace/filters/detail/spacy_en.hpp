// millrace/filters/detail/spacy_en.hpp — datatrove's English word split: spaCy's blank English
// tokenizer (spacy.blank("en"), which datatrove's split_into_words and split_into_sentences use),
// re-implemented from spaCy 3.8's Tokenizer (tokenizer.pyx) and its English rules (tables in
// spacy_en_tables.hpp, written by bench/filters/gen_spacy_tables.py): text cut at Python-isspace
// characters; each piece checked against the special cases (contractions "don't" -> "do" "n't",
// abbreviations "Mr." "e.g.", emoticons), then prefixes and suffixes split off one at a time
// (re-checking special cases), then URLs kept whole, then infixes split; last, spaCy's second
// pass merges a run of tokens whose text is a special case back into that case ("x..." "e.g"
// "."). Not ported: that second pass across whitespace (spaCy's matcher can match a run of
// tokens over a space, which then only blocks overlapping matches), URLs with IP-address hosts.
// Used by word_split::datatrove_english (gopher_quality, gopher_repetition, c4_quality,
// fineweb_quality).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <millrace/filters/detail/spacy_en_tables.hpp>
#include <millrace/filters/detail/unicode.hpp>

namespace millrace::filters::detail::spacy_en {

// The class bits of a code point (binary search in the generated runs).
inline std::uint16_t bits(char32_t c) {
  const cp_range* lo = std::begin(ranges);
  const cp_range* hi = std::end(ranges);
  const cp_range* r = std::upper_bound(lo, hi, c, [](char32_t v, const cp_range& x) { return v < x.first; });
  if (r == lo) return 0;
  --r;
  return c <= r->last ? r->bits : 0;
}

/// One token: bytes [begin, end) of the text, with what the datatrove filters ask of it.
struct token {
  std::uint32_t begin = 0, end = 0, chars = 0;
  bool alpha = false;       ///< a character with str.isalpha()
  bool symbol = true;       ///< every character in datatrove's PUNCTUATION_SET (not a "word" for Gopher)
  bool punct = true;        ///< spaCy's is_punct: every character in Unicode category P*
  bool sentence_end = false;  ///< the token is one of the Sentencizer's punct_chars ('.', '!', '?', ...)
};

// A special case: its tokens ('\001' between) and, when the affix rules alone split its text in
// more than one token, those tokens (spaCy merges such runs back into the special case).
struct special_case {
  std::string_view pieces, affix_pieces;
};

// The special cases by text.
inline const std::unordered_map<std::string_view, special_case>& special_table() {
  static const std::vector<std::string> keys = [] {  // each text without the separators
    std::vector<std::string> k;
    k.reserve(std::size(specials));
    for (const char* s : specials) {
      k.emplace_back();
      for (const char* c = s; *c && *c != '\002'; ++c)
        if (*c != '\001') k.back().push_back(*c);
    }
    return k;
  }();
  static const auto table = [] {
    std::unordered_map<std::string_view, special_case> t;
    t.reserve(keys.size() * 2);
    for (std::size_t i = 0; i < keys.size(); ++i) {
      const std::string_view v(specials[i]);
      const std::size_t cut = v.find('\002');
      t.emplace(keys[i], cut == std::string_view::npos ? special_case{v, {}} : special_case{v.substr(0, cut), v.substr(cut + 1)});
    }
    return t;
  }();
  return table;
}

// The most affix tokens of a special case (the longest run the merge pass looks at).
inline std::size_t max_affix_tokens() {
  static const std::size_t n = [] {
    std::size_t m = 1;
    for (auto& [k, v] : special_table())
      if (!v.affix_pieces.empty()) m = std::max<std::size_t>(m, 1 + std::size_t(std::count(v.affix_pieces.begin(), v.affix_pieces.end(), '\001')));
    return m;
  }();
  return n;
}

// The tokenizer over one whitespace-free piece, in code points with their byte offsets.
class piece_tokenizer {
 public:
  piece_tokenizer(std::string_view text, std::vector<token>& out) : text_(text), out_(out) {}

  void run(std::size_t byte_begin, std::size_t byte_end) {
    cp_.clear(), off_.clear(), bits_.clear();
    for (std::size_t i = byte_begin; i < byte_end;) {
      off_.push_back(std::uint32_t(i));
      const char32_t c = decode(text_, i);
      cp_.push_back(c);
      bits_.push_back(bits(c));
    }
    off_.push_back(std::uint32_t(byte_end));
    spans_.clear();
    first_ = out_.size();
    const std::size_t n = cp_.size();
    if (emit_special(0, n)) return;
    std::size_t b = 0, e = n, last = std::size_t(-1);
    std::vector<std::pair<std::size_t, std::size_t>> prefixes, suffixes;
    while (b < e && e - b != last) {
      if (special(b, e)) break;
      last = e - b;
      const std::size_t pre = find_prefix(b, e);
      if (pre && b + pre < e && special(b + pre, e)) {
        prefixes.push_back({b, b + pre});
        b += pre;
        break;
      }
      const std::size_t suf = find_suffix(b + pre, e);
      if (suf && b < e - suf && special(b, e - suf)) {
        suffixes.push_back({e - suf, e});
        e -= suf;
        break;
      }
      if (pre && suf && pre + suf <= e - b) {
        prefixes.push_back({b, b + pre}), suffixes.push_back({e - suf, e});
        b += pre, e -= suf;
      } else if (pre) {
        prefixes.push_back({b, b + pre});
        b += pre;
      } else if (suf) {
        suffixes.push_back({e - suf, e});
        e -= suf;
      }
    }
    for (auto [x, y] : prefixes) emit(x, y);
    if (b < e && !emit_special(b, e)) {
      if (is_url(b, e)) emit(b, e);
      else split_infixes(b, e);
    }
    for (auto it = suffixes.rbegin(); it != suffixes.rend(); ++it) emit(it->first, it->second);
    merge_specials();
  }

 private:
  std::string_view text_;
  std::vector<token>& out_;
  std::vector<char32_t> cp_;
  std::vector<std::uint32_t> off_;
  std::vector<std::uint16_t> bits_;
  std::vector<std::pair<std::size_t, std::size_t>> spans_;  // code points of this piece's tokens
  std::size_t first_ = 0;                                   // this piece's first token in out_

  // spaCy's second pass (_apply_special_cases): a run of 2+ tokens whose text is a special case
  // and whose tokens are that text's affix split becomes the special case's tokens; the longest
  // runs first, none overlapping.
  void merge_specials() {
    const std::size_t m = spans_.size();
    if (m < 2) return;
    const auto& table = special_table();
    std::vector<token> merged(out_.begin() + std::ptrdiff_t(first_), out_.end());
    std::vector<std::pair<std::size_t, std::size_t>> spans = spans_;
    out_.resize(first_), spans_.clear();
    for (std::size_t i = 0; i < m;) {
      std::size_t hit = 0;
      for (std::size_t len = std::min(max_affix_tokens(), m - i); len >= 2 && !hit; --len) {
        const auto it = table.find(str(spans[i].first, spans[i + len - 1].second));
        if (it == table.end() || it->second.affix_pieces.empty()) continue;
        std::string_view v = it->second.affix_pieces;  // same cuts as our tokens?
        bool same = true;
        for (std::size_t k = 0; k < len && same; ++k) {
          const std::size_t cut = v.find('\001');
          const std::size_t bytes = cut == std::string_view::npos ? v.size() : cut;
          same = (cut == std::string_view::npos) == (k + 1 == len) && bytes == merged[i + k].end - merged[i + k].begin;
          v.remove_prefix(cut == std::string_view::npos ? v.size() : cut + 1);
        }
        if (same) hit = len;
      }
      if (hit) {
        emit_special(spans[i].first, spans[i + hit - 1].second);
        i += hit;
      } else {
        out_.push_back(merged[i]), spans_.push_back(spans[i]);
        ++i;
      }
    }
  }

  std::string_view str(std::size_t b, std::size_t e) const { return text_.substr(off_[b], off_[e] - off_[b]); }
  bool has(std::size_t i, std::uint16_t m) const { return (bits_[i] & m) != 0; }
  bool digit(std::size_t i) const { return cp_[i] >= '0' && cp_[i] <= '9'; }
  bool special(std::size_t b, std::size_t e) const { return special_table().count(str(b, e)) != 0; }

  void emit(std::size_t b, std::size_t e) {
    token t;
    t.begin = off_[b], t.end = off_[e], t.chars = std::uint32_t(e - b);
    for (std::size_t i = b; i < e; ++i) {
      t.alpha |= has(i, py_alpha);
      t.symbol &= has(i, dt_punct);
      t.punct &= has(i, is_punct);
    }
    t.sentence_end = e - b == 1 && has(b, sent_punct);
    out_.push_back(t);
    spans_.push_back({b, e});
  }
  // A special case: its pieces as tokens.
  bool emit_special(std::size_t b, std::size_t e) {
    const auto& t = special_table();
    const auto it = t.find(str(b, e));
    if (it == t.end()) return false;
    // The pieces are the text of [b, e) in order: cut after each piece's bytes.
    std::size_t start = b;
    std::string_view v = it->second.pieces;
    while (true) {
      const std::size_t cut = v.find('\001');
      const std::size_t bytes = cut == std::string_view::npos ? v.size() : cut;
      std::size_t end = start;
      while (end < e && off_[end] - off_[start] < bytes) ++end;
      emit(start, end);
      start = end;
      if (cut == std::string_view::npos) break;
      v.remove_prefix(cut + 1);
    }
    return true;
  }
  bool starts(std::size_t i, std::size_t e, std::string_view s) const { return off_[e] - off_[i] >= s.size() && text_.substr(off_[i], s.size()) == s; }
  bool ends(std::size_t b, std::size_t e, std::string_view s) const {
    return off_[e] - off_[b] >= s.size() && text_.substr(off_[e] - s.size(), s.size()) == s;
  }
  // Code points in the last `bytes` bytes of [b, e) (the affix tables are strings).
  std::size_t cps_of_tail(std::size_t b, std::size_t e, std::size_t bytes) const {
    std::size_t k = e;
    while (k > b && off_[e] - off_[k] < bytes) --k;
    return e - k;
  }

  // prefix_search: the first alternative of TOKENIZER_PREFIXES that matches at b.
  std::size_t find_prefix(std::size_t b, std::size_t e) const {
    if (b >= e) return 0;
    const char32_t c = cp_[b];
    if (c == '+') return (b + 1 < e && digit(b + 1)) ? 0 : 1;
    if (has(b, prefix)) return 1;  // § % = — – and the punctuation, quotes, currencies, icons
    if (c == '.' && b + 1 < e && cp_[b + 1] == '.') {
      std::size_t k = b;
      while (k < e && cp_[k] == '.') ++k;
      return k - b;
    }
    for (std::string_view s : {"US$", "C$", "A$"})
      if (starts(b, e, s)) return s.size();
    return 0;
  }
  // suffix_search: the leftmost suffix any alternative matches (they are all anchored at the end).
  std::size_t find_suffix(std::size_t b, std::size_t e) const {
    if (b >= e) return 0;
    const std::size_t n = e - b;
    std::size_t best = 0;  // length
    auto take = [&](std::size_t len) { best = std::max(best, len); };
    const std::size_t l = e - 1;
    if (has(l, suffix)) take(1);
    if (n >= 2 && cp_[l] == 0x2026 && cp_[l - 1] == 0x2026) take(2);
    if (cp_[l] == '.') {
      std::size_t k = e;
      while (k > b && cp_[k - 1] == '.') --k;
      if (e - k >= 2) take(e - k);
      if (n >= 2 && (has(l - 1, dot_after) || digit(l - 1))) take(1);
      if (n >= 3 && has(l - 1, upper) && has(l - 2, upper)) take(1);
      if (n >= 3 && cp_[l - 2] == 0xb0 && std::u32string_view(U"FfCcKk").find(cp_[l - 1]) != std::u32string_view::npos) take(1);
    }
    if (n >= 2 && (cp_[l] == 's' || cp_[l] == 'S') && (cp_[l - 1] == '\'' || cp_[l - 1] == 0x2019)) take(2);
    if (n >= 2 && cp_[l] == '+' && digit(l - 1)) take(1);
    for (const char* const* list : {std::begin(units), std::begin(currencies)}) {
      const char* const* end = list == std::begin(units) ? std::end(units) : std::end(currencies);
      for (const char* const* u = list; u != end; ++u) {
        const std::string_view s(*u);
        if (s.empty() || !ends(b, e, s)) continue;
        const std::size_t len = cps_of_tail(b, e, s.size());
        if (len < n && off_[e] - off_[e - len] == s.size() && digit(e - len - 1)) take(len);
      }
    }
    return best;
  }
  bool alpha_at(std::size_t i, std::size_t b, std::size_t e) const { return i >= b && i < e && has(i, alpha); }
  // One infix match at i (the first alternative of the English TOKENIZER_INFIXES): its length, or 0.
  std::size_t infix_at(std::size_t i, std::size_t b, std::size_t e) const {
    const char32_t c = cp_[i];
    if (c == '.' && i + 1 < e && cp_[i + 1] == '.') {
      std::size_t k = i;
      while (k < e && cp_[k] == '.') ++k;
      return k - i;
    }
    if (c == 0x2026 || has(i, icon)) return 1;
    const bool after_digit = i > b && digit(i - 1);
    if ((c == '+' || c == '-' || c == '*' || c == '^') && after_digit && i + 1 < e && (digit(i + 1) || cp_[i + 1] == '-')) return 1;
    if (c == '.' && i > b && (has(i - 1, lower) || has(i - 1, quote)) && i + 1 < e && (has(i + 1, upper) || has(i + 1, quote))) return 1;
    if (c == ',' && alpha_at(i - 1, b, e) && alpha_at(i + 1, b, e)) return 1;
    if (i > b && (alpha_at(i - 1, b, e) || after_digit)) {
      // (?:-|–|—|--|---|——|~)(?=[ALPHA]) in that order
      for (std::u32string_view h : {U"-", U"\u2013", U"\u2014", U"--", U"---", U"\u2014\u2014", U"~"}) {
        if (i + h.size() > e) continue;
        if (std::u32string_view(&cp_[i], h.size()) != h) continue;
        if (alpha_at(i + h.size(), b, e)) return h.size();
      }
      if ((c == ':' || c == '<' || c == '>' || c == '=' || c == '/') && alpha_at(i + 1, b, e)) return 1;
    }
    return 0;
  }
  void split_infixes(std::size_t b, std::size_t e) {
    std::size_t start = b;
    for (std::size_t i = b; i < e;) {
      const std::size_t len = infix_at(i, b, e);
      if (!len) {
        ++i;
        continue;
      }
      if (i != b) {  // an infix at the very start is no split (tokenizer.pyx: start_before_infixes)
        if (i != start) emit(start, i);
        emit(i, i + len);
        start = i + len;
      }
      i += len;
    }
    if (start < e) emit(start, e);
  }

  // URL_MATCH (spacy/lang/tokenizer_exceptions.py) for host names: [scheme://][user@]
  // (label.)+tld[:port][/?#...], the labels [A-Za-z0-9\u00a1-\uffff_-], the TLD ALPHA_LOWER{2,63}.
  bool url_char(std::size_t i) const {
    const char32_t c = cp_[i];
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c >= 0xa1 && c <= 0xffff);
  }
  bool host_from(std::size_t h, std::size_t e) const {
    std::size_t p = h;
    while (p < e && (url_char(p) || cp_[p] == '_' || cp_[p] == '-' || cp_[p] == '.')) ++p;
    // the tail: end, a port (2..5 digits) then end or a path, or a path
    if (p < e) {
      if (cp_[p] == ':') {
        std::size_t d = p + 1;
        while (d < e && digit(d)) ++d;
        if (d - p - 1 < 2 || d - p - 1 > 5) return false;
        if (d < e && cp_[d] != '/' && cp_[d] != '?' && cp_[d] != '#') return false;
      } else if (cp_[p] != '/' && cp_[p] != '?' && cp_[p] != '#') {
        return false;
      }
    }
    std::size_t dot = p;
    while (dot > h && cp_[dot - 1] != '.') --dot;
    if (dot == h) return false;  // no label
    const std::size_t tld = p - dot;
    if (tld < 2 || tld > 63) return false;
    for (std::size_t k = dot; k < p; ++k)
      if (!has(k, lower)) return false;
    // labels between h and dot - 1, each 1..64 code points, first and last not '_' or '-'
    std::size_t s = h;
    for (std::size_t k = h; k < dot; ++k) {
      if (cp_[k] != '.') continue;
      if (k == s || k - s > 64 || !url_char(s) || !url_char(k - 1)) return false;
      s = k + 1;
    }
    return true;
  }
  bool is_url(std::size_t b, std::size_t e) const {
    std::vector<std::size_t> starts_at{b};
    for (std::size_t k = b; k + 2 < e; ++k)
      if (cp_[k] == ':' && cp_[k + 1] == '/' && cp_[k + 2] == '/') {
        bool scheme = k - b >= 2;
        for (std::size_t j = b; j < k && scheme; ++j)
          scheme = has(j, alpha) || digit(j) || cp_[j] == '_' || cp_[j] == '+' || cp_[j] == '-' || cp_[j] == '.' ||
                   classify(cp_[j]) == cclass::letter || classify(cp_[j]) == cclass::digit;
        if (scheme) starts_at.push_back(k + 3);
        break;
      }
    for (std::size_t s : std::vector<std::size_t>(starts_at)) {
      for (std::size_t k = s; k < e; ++k)
        if (cp_[k] == '@' && k > s) starts_at.push_back(k + 1);
    }
    for (std::size_t s : starts_at)
      if (s < e && host_from(s, e)) return true;
    return false;
  }
};

/// The tokens of `text` as datatrove's English split_into_words gives them (whitespace tokens
/// dropped, as its strip_strings does).
inline std::vector<token> tokens(std::string_view text) {
  std::vector<token> out;
  out.reserve(text.size() / 4 + 1);
  piece_tokenizer pt(text, out);
  std::size_t i = 0, start = 0;
  bool in_piece = false;
  while (i < text.size()) {
    const std::size_t at = i;
    const char32_t c = decode(text, i);
    const bool sp = c < 0x80 ? (c == ' ' || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f)) : (bits(c) & space) != 0;
    if (sp) {
      if (in_piece) pt.run(start, at), in_piece = false;
    } else if (!in_piece) {
      start = at, in_piece = true;
    }
  }
  if (in_piece) pt.run(start, text.size());
  return out;
}

/// Sentences in `text` as datatrove's split_into_sentences counts them (spaCy's Sentencizer on
/// spaCy's tokens; at least one, "" and "  " included): one, plus one for each token that is no
/// punctuation and follows a sentence-end token (with only punctuation between). Whitespace
/// tokens count as such tokens: spaCy makes one of each whitespace run except a single ' '
/// after a token ("ends.  ! Next" is 3 sentences, "ends. ! Next" 2, "ends.\t" 2).
inline std::size_t sentences(std::string_view text) {
  std::size_t n = 1;
  bool seen_end = false;
  std::size_t prev_end = 0;
  const auto whitespace_token = [&](std::size_t begin) {  // the gap [prev_end, begin) holds one
    const std::string_view gap = text.substr(prev_end, begin - prev_end);
    if (seen_end && !gap.empty() && gap != " ") ++n, seen_end = false;
  };
  for (const token& t : tokens(text)) {
    whitespace_token(t.begin);
    if (seen_end && !t.punct && !t.sentence_end) ++n, seen_end = false;
    else if (t.sentence_end) seen_end = true;
    prev_end = t.end;
  }
  whitespace_token(text.size());
  return n;
}

}  // namespace millrace::filters::detail::spacy_en
