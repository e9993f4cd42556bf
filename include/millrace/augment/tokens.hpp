// millrace/augment/tokens.hpp — editable whitespace-token view of a text for augmentation: tokens
// keep the whitespace before them, unchanged tokens stay views into the source, new text lives in
// the list's own storage. Example: millrace::augment::token_list t("Hello big world"); t.erase(1);
// t.join() == "Hello world".
#pragma once

#include <array>
#include <cctype>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

namespace millrace::augment {

/// One word of a text with the whitespace before it (so that the text's layout survives edits).
struct token {
  std::string_view ws;     ///< whitespace before the token (kept so the text's layout survives)
  std::string_view text;   ///< non-empty, no whitespace
};

/// The word inside a token: leading/trailing punctuation split off.
struct word_parts {
  std::string_view prefix, core, suffix;   ///< leading punctuation, the word, trailing punctuation
};

namespace detail {
constexpr bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }
constexpr bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
constexpr bool is_upper(char c) { return c >= 'A' && c <= 'Z'; }
constexpr bool is_lower(char c) { return c >= 'a' && c <= 'z'; }
constexpr char to_lower(char c) { return is_upper(c) ? static_cast<char>(c - 'A' + 'a') : c; }
constexpr char to_upper(char c) { return is_lower(c) ? static_cast<char>(c - 'a' + 'A') : c; }
}  // namespace detail

/// Splits "(Hello," into "(", "Hello", ","; a core is what lies between the first and the last
/// byte that is not ASCII punctuation (so UTF-8 letters stay inside the core).
inline word_parts split_word(std::string_view t) {
  auto is_punct = [](char c) { return static_cast<unsigned char>(c) < 0x80 && std::ispunct(static_cast<unsigned char>(c)); };
  std::size_t b = 0, e = t.size();
  while (b < e && is_punct(t[b])) ++b;
  while (e > b && is_punct(t[e - 1])) --e;
  return {t.substr(0, b), t.substr(b, e - b), t.substr(e)};
}

/// True for an ASCII word WordNet could know: letters, inner hyphens, at least two letters.
inline bool is_lookup_word(std::string_view core) {
  if (core.size() < 2 || !detail::is_alpha(core.front()) || !detail::is_alpha(core.back())) return false;
  for (char c : core)
    if (!detail::is_alpha(c) && c != '-') return false;
  return true;
}

/// A text split into tokens that can be edited and joined back into text.
class token_list {
 public:
  token_list() = default;
  explicit token_list(std::string_view text) { assign(text); }
  token_list(const token_list&) = delete;   // tokens may view own_ storage
  token_list& operator=(const token_list&) = delete;

  /// Re-splits the list into text's whitespace-separated tokens, dropping owned strings; the tokens
  /// view text, which must outlive them.
  void assign(std::string_view text) {
    tokens_.clear();
    own_.clear();
    std::size_t i = 0;
    while (true) {
      const std::size_t ws_begin = i;
      while (i < text.size() && detail::is_space(text[i])) ++i;
      if (i == text.size()) {
        trailing_ = text.substr(ws_begin);
        break;
      }
      const std::size_t tb = i;
      while (i < text.size() && !detail::is_space(text[i])) ++i;
      tokens_.push_back({text.substr(ws_begin, tb - ws_begin), text.substr(tb, i - tb)});
    }
  }

  std::size_t size() const { return tokens_.size(); }     ///< number of tokens
  bool empty() const { return tokens_.empty(); }          ///< true when the text has no tokens
  const token& operator[](std::size_t i) const { return tokens_[i]; }
  const std::vector<token>& tokens() const { return tokens_; }   ///< all tokens, in text order

  /// Stores s in the list and returns a view that stays valid for the list's lifetime.
  std::string_view own(std::string s) { return own_.emplace_back(std::move(s)); }

  /// Replaces token i's text, keeping its whitespace; t is viewed, not copied (see own()).
  void set_text(std::size_t i, std::string_view t) { tokens_[i].text = t; }
  /// Removes token i; removing the first token moves its leading whitespace to the next one.
  void erase(std::size_t i) {
    // The first token's leading whitespace stays at the front of the text.
    if (i == 0 && tokens_.size() > 1) tokens_[1].ws = tokens_[0].ws;
    tokens_.erase(tokens_.begin() + static_cast<std::ptrdiff_t>(i));
  }
  /// Inserts a token with text t (viewed, not copied) before token i, separated by one space; at
  /// i == 0 it takes over the text's leading whitespace.
  void insert(std::size_t i, std::string_view t) {
    if (i == 0 && !tokens_.empty()) {
      tokens_.insert(tokens_.begin(), token{tokens_[0].ws, t});
      tokens_[1].ws = " ";
      return;
    }
    tokens_.insert(tokens_.begin() + static_cast<std::ptrdiff_t>(i), token{" ", t});
  }
  void set_tokens(std::vector<token> v) { tokens_ = std::move(v); }   ///< views must come from this list or its source
  /// Exchanges the texts of tokens i and j; their whitespace stays in place.
  void swap_text(std::size_t i, std::size_t j) { std::swap(tokens_[i].text, tokens_[j].text); }

  /// The edited text: each token's whitespace and text, then the source's trailing whitespace.
  std::string join() const {
    std::size_t n = trailing_.size();
    for (const token& t : tokens_) n += t.ws.size() + t.text.size();
    std::string out;
    out.reserve(n);
    for (const token& t : tokens_) {
      out += t.ws;
      out += t.text;
    }
    out += trailing_;
    return out;
  }

 private:
  std::vector<token> tokens_;
  std::string_view trailing_;
  std::deque<std::string> own_;   // deque: references stay valid as it grows
};

/// Gives replacement the letter case of the word it replaces ("Car" -> "Automobile", "CAR" -> "AUTOMOBILE").
inline std::string match_case(std::string_view original, std::string_view replacement) {
  std::string r(replacement);
  bool all_upper = original.size() > 1, has_alpha = false;
  for (char c : original) {
    if (detail::is_lower(c)) all_upper = false;
    has_alpha = has_alpha || detail::is_alpha(c);
  }
  if (all_upper && has_alpha) {
    for (char& c : r) c = detail::to_upper(c);
  } else if (!original.empty() && detail::is_upper(original.front()) && !r.empty()) {
    r.front() = detail::to_upper(r.front());
  }
  return r;
}

}  // namespace millrace::augment
