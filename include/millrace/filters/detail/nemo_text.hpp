// millrace/filters/detail/nemo_text.hpp — private: the pieces of text NeMo Curator's heuristic
// filters read, derived from doc_stats without another decode: its "sentences" (non-blank lines),
// its paragraphs (text.split("\n\n")), its URL pattern, and a case-folded substring matcher for
// the boilerplate phrases.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <millrace/filters/text_view.hpp>

namespace millrace::filters::detail {

/// Calls f(begin_byte, end_byte, code_points) for each piece of text.split("\n\n"), in order,
/// empty pieces included (Python's split: "a\n\n\nb" gives "a" and "\nb").
template <class F>
void for_each_nemo_paragraph(const doc_stats& st, F&& f) {
  const auto& L = st.lines;
  const std::size_t k = L.size() - 1;  // '\n' j ends line j, for j < k
  // Code points before each line: its own plus one '\n' for every line before it.
  std::size_t cp_a = 0, cp = 0, a = 0;
  auto emit = [&](std::size_t b, std::size_t cp_b) {
    f(std::size_t(L[a].begin), std::size_t(L[b].begin) + L[b].size, cp_b + L[b].chars - cp_a);
  };
  std::size_t j = 0;
  while (j < k) {
    if (j + 1 < k && L[j + 1].size == 0) {  // '\n' j and '\n' j+1 are adjacent: a separator
      emit(j, cp);
      cp += L[j].chars + 1 + 1;               // line j, its '\n', the empty line j+1 and its '\n'
      a = j + 2, cp_a = cp;
      j += 2;
    } else {
      cp += L[j].chars + 1;
      ++j;
    }
  }
  emit(k, cp);
}

/// The bytes NeMo's URL pattern accepts after "http[s]://": [a-zA-Z0-9], '!' and the range
/// '$'..'_' (its "[$-_@.&+]" is a range), which holds '%', '(', ')', '*', ',', '/', ':', '?', ...
inline bool nemo_url_byte(unsigned char c) { return c == '!' || (c >= 0x24 && c <= 0x5f) || (c >= 'a' && c <= 'z'); }

/// Code points (= bytes: the pattern is ASCII) of the non-overlapping matches of NeMo's regex_url,
/// http[s]?://(?:...)+, found left to right as re.findall does.
inline std::size_t nemo_url_chars(std::string_view t) {
  std::size_t n = 0, p = t.find("http");
  while (p != std::string_view::npos) {
    std::size_t q = p + 4;
    if (q < t.size() && t[q] == 's') ++q;
    std::size_t e = q + 3;
    if (t.substr(q, 3) == "://" && e < t.size() && nemo_url_byte(static_cast<unsigned char>(t[e]))) {
      while (e < t.size() && nemo_url_byte(static_cast<unsigned char>(t[e]))) ++e;
      n += e - p;
      p = t.find("http", e);
    } else {
      p = t.find("http", p + 1);
    }
  }
  return n;
}

/// ASCII lower case of a byte (other bytes unchanged).
inline unsigned char ascii_lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

/// A set of lower-case phrases found case-insensitively (ASCII folding) in one pass over a text:
/// a candidate is compared only where the first two folded bytes of some phrase start.
class phrase_matcher {
 public:
  explicit phrase_matcher(std::vector<std::string> phrases) : phrases_(std::move(phrases)) {
    for (std::size_t i = 0; i < phrases_.size(); ++i) {
      const auto& w = phrases_[i];
      const unsigned k = unsigned((unsigned char)w[0]) << 8 | (unsigned char)w[1];
      anchor_[k >> 6] |= std::uint64_t(1) << (k & 63);
      by_first_[(unsigned char)w[0]].push_back(std::uint16_t(i));
    }
  }
  /// Calls hit(phrase index) for each phrase starting at each byte of s; stops when hit returns false.
  template <class Hit>
  void scan(std::string_view s, Hit&& hit) const {
    for (std::size_t i = 0; i + 1 < s.size(); ++i) {
      const unsigned c0 = ascii_lower((unsigned char)s[i]);
      const unsigned k = c0 << 8 | ascii_lower((unsigned char)s[i + 1]);
      if (!((anchor_[k >> 6] >> (k & 63)) & 1)) continue;
      for (auto idx : by_first_[c0]) {
        const auto& w = phrases_[idx];
        if (s.size() - i < w.size()) continue;
        std::size_t m = 1;
        while (m < w.size() && ascii_lower((unsigned char)s[i + m]) == (unsigned char)w[m]) ++m;
        if (m == w.size() && !hit(std::size_t(idx))) return;
      }
    }
  }

 private:
  std::vector<std::string> phrases_;
  std::array<std::uint64_t, 65536 / 64> anchor_{};
  std::array<std::vector<std::uint16_t>, 256> by_first_{};
};

}  // namespace millrace::filters::detail
