// millrace/filters/bad_words.hpp — C4's bad-words rule (Raffel et al. 2020): drop a document that
// holds any word or phrase of a per-language list (LDNOOBW for C4), matched on whole words of the
// shared segmentation, case-folded. The list comes from a file the user gives (one entry a line).
//   auto bw = mr::filters::c4_bad_words::from_file("lists/en", "en");  auto q = mr::filters::apply<Doc>(bw);
#pragma once

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <fmt/format.h>
#include <utf8proc.h>

#include <millrace/filters/detail/check.hpp>
#include <millrace/filters/detail/nemo_text.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/text_view.hpp>

namespace millrace::filters {

namespace detail {

// Lower case of a word (Unicode simple lower case per code point; ASCII fast path).
inline void lower_into(std::string_view w, std::string& out) {
  out.clear();
  std::size_t i = 0;
  while (i < w.size()) {
    const auto b = static_cast<unsigned char>(w[i]);
    if (b < 0x80) {
      out.push_back(char(ascii_lower(b)));
      ++i;
      continue;
    }
    const char32_t c = decode(w, i);
    utf8proc_uint8_t buf[4];
    const auto n = utf8proc_encode_char(utf8proc_tolower(static_cast<utf8proc_int32_t>(c)), buf);
    out.append(reinterpret_cast<const char*>(buf), std::size_t(n));
  }
}

// The entries, as sequences of lower-cased word hashes indexed by their first word, and the
// entries holding symbols (matched as case-folded substrings between non-word characters).
struct bad_word_index {
  std::vector<std::vector<std::uint64_t>> entries;
  std::unordered_map<std::uint64_t, std::vector<std::uint32_t>> by_first;
  std::vector<std::string> literals;
  std::size_t size = 0;
};

inline bool is_word_char_at(std::string_view s, std::size_t i) {
  const char32_t c = decode(s, i);
  const cclass k = classify(c);
  return k == cclass::letter || k == cclass::digit || k == cclass::mark || k == cclass::ideograph;
}
inline bool word_char_before(std::string_view s, std::size_t at) {
  if (at == 0) return false;
  std::size_t i = at - 1;
  while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xc0) == 0x80) --i;
  return is_word_char_at(s, i);
}

}  // namespace detail

/// Reads a bad-words list: one word or phrase per line (UTF-8), blank lines and lines starting
/// with '#' skipped, ends trimmed. Throws std::runtime_error naming the file when it cannot be read.
inline std::vector<std::string> load_bad_words(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("{}: cannot open the bad-words list", path));
  std::vector<std::string> words;
  std::string line;
  while (std::getline(in, line)) {
    const auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    const auto e = line.find_last_not_of(" \t\r");
    words.push_back(line.substr(b, e - b + 1));
  }
  return words;
}

/// C4's bad-words filter for one language: a document holding any entry of the list fails with
/// reason "c4_badwords". An entry of words (and ' . , joiners) matches the same words, in order
/// and one ' ' apart, among the document's words (text_view.hpp's segmentation), lower-cased on
/// both sides (a phrase's words are space-separated in the entry; other spacing makes it a literal); an
/// entry holding other symbols ("a$$") matches as a substring, ASCII case folded, with no
/// letter or digit just before or after it (C4's \W boundaries).
struct c4_bad_words {
  /// The list, parsed once and shared by copies of the filter; null (or empty) matches nothing.
  std::shared_ptr<const detail::bad_word_index> index;
  /// The list's language, a label only: matching does not depend on it.
  std::string language;
  /// The filter's name in tallies, exclusion records and "<name>.hits" annotations.
  std::string name = "c4_bad_words";

  /// The filter for `words` (entries as load_bad_words returns them) in `language`.
  static c4_bad_words from_words(const std::vector<std::string>& words, std::string language = "en",
                                 std::string name = "c4_bad_words") {
    auto idx = std::make_shared<detail::bad_word_index>();
    std::string low;
    for (const auto& w : words) {
      const doc_stats st = analyze(w);
      std::size_t joined = 0;  // bytes of the entry inside its words or between them as spaces
      for (std::size_t i = 0; i < st.words.size(); ++i) joined += st.words[i].size;
      joined += st.spaces;
      if (st.words.empty()) continue;
      if (joined != w.size()) {  // symbols inside: a literal
        detail::lower_into(w, low);
        idx->literals.push_back(low), ++idx->size;
        continue;
      }
      std::vector<std::uint64_t> seq;
      for (std::size_t i = 0; i < st.words.size(); ++i) {
        detail::lower_into(st.word(i), low);
        seq.push_back(detail::hash_bytes(low));
      }
      idx->by_first[seq[0]].push_back(std::uint32_t(idx->entries.size()));
      idx->entries.push_back(std::move(seq));
      ++idx->size;
    }
    return c4_bad_words{std::move(idx), std::move(language), std::move(name)};
  }
  /// The filter for the list in `path` (load_bad_words).
  static c4_bad_words from_file(const std::string& path, std::string language = "en", std::string name = "c4_bad_words") {
    return from_words(load_bad_words(path), std::move(language), std::move(name));
  }
  /// Entries in use (lines that held no word are skipped).
  std::size_t size() const { return index ? index->size : 0; }

  /// "c4_badwords" when the document holds an entry, "" when not; with `out` (annotate mode) it
  /// counts every matching entry and writes the count as "hits".
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    detail::checker ck{name, out};
    std::size_t hits = 0;
    if (index && !index->entries.empty()) {
      std::vector<std::uint64_t> h(st.words.size());
      std::string low;
      for (std::size_t i = 0; i < h.size(); ++i) detail::lower_into(st.word(i), low), h[i] = detail::hash_bytes(low);
      for (std::size_t i = 0; i < h.size() && (out || !hits); ++i) {
        const auto it = index->by_first.find(h[i]);
        if (it == index->by_first.end()) continue;
        for (auto e : it->second) {
          const auto& seq = index->entries[e];
          if (i + seq.size() > h.size()) continue;
          // C4 matches the entry literally: the words of a phrase are one ' ' apart in the text too.
          std::size_t k = 1;
          while (k < seq.size() && h[i + k] == seq[k] &&
                 st.words[i + k].begin == st.words[i + k - 1].begin + st.words[i + k - 1].size + 1 &&
                 st.text[st.words[i + k].begin - 1] == ' ')
            ++k;
          if (k == seq.size()) {
            ++hits;
            break;
          }
        }
      }
    }
    if (index && !index->literals.empty() && (out || !hits)) {
      // Literals are rare in such lists: one search each over an ASCII-folded copy of the text.
      std::string lowered;
      lowered.reserve(st.text.size());
      for (char c : st.text) lowered.push_back(char(detail::ascii_lower(static_cast<unsigned char>(c))));
      for (const auto& lit : index->literals) {
        for (std::size_t p = lowered.find(lit); p != std::string::npos; p = lowered.find(lit, p + 1)) {
          const std::size_t e = p + lit.size();
          if (!detail::word_char_before(st.text, p) && !(e < st.text.size() && detail::is_word_char_at(st.text, e))) {
            ++hits;
            break;
          }
        }
        if (hits && !out) break;
      }
    }
    ck.stat("hits", double(hits));
    ck.fail(hits > 0, "c4_badwords");
    return ck.finish();
  }
};

}  // namespace millrace::filters
