// millrace/augment/pos_guess.hpp — part-of-speech guess for a word in running text, from WordNet
// alone: the parts of speech whose index holds the word's base form, narrowed by the previous word,
// ranked by SemCor tag counts. Example: auto g = millrace::augment::guess_pos(wn, "cars", "the");
// // {pos::noun, "car"}
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <millrace/augment/wordnet.hpp>

namespace millrace::augment {

/// A guessed part of speech for a word (no tagger), with its WordNet base form.
struct pos_guess {
  augment::pos pos = augment::pos::noun;   ///< the most likely part of speech
  std::string base;   ///< WordNet base form (lower case)
};

namespace detail {
inline bool in_list(std::string_view w, std::initializer_list<std::string_view> l) {
  return std::find(l.begin(), l.end(), w) != l.end();
}
}  // namespace detail

/// What the previous word says about the next one (all guess_pos looks at).
enum class pos_context : std::uint8_t { none, after_determiner, before_verb, after_adjective };

/// The context the previous word gives the next one's part of speech.
inline pos_context context_of(std::string_view prev) {
  if (detail::in_list(prev, {"a", "an", "the", "this", "that", "these", "those", "my", "your", "his", "her",
                             "its", "our", "their", "some", "every", "each", "no", "any", "of"}))
    return pos_context::after_determiner;
  if (detail::in_list(prev, {"to", "will", "would", "can", "could", "shall", "should", "may", "might",
                             "must", "i", "you", "he", "she", "we", "they", "did", "does", "do"}))
    return pos_context::before_verb;
  return pos_context::none;
}

/// As above, and a previous word that WordNet knows only as an adjective ("strongest") announces a
/// noun or another adjective, like a determiner does.
inline pos_context context_of(const wordnet& wn, std::string_view prev) {
  const pos_context c = context_of(prev);
  if (c != pos_context::none || prev.size() < 2) return c;
  if (wn.base_form(prev, pos::adj) && !wn.base_form(prev, pos::noun) && !wn.base_form(prev, pos::verb))
    return pos_context::after_adjective;
  return c;
}

/// word is lower case. Heuristic, in order:
///  1. candidates = parts of speech where morphy finds a base form;
///  2. after a determiner/possessive or an adjective-only word, verbs and adverbs are dropped; after
///     "to" or a modal, or after a subject pronoun, a verb reading wins; a word ending in "ly"
///     prefers an adverb reading;
///  3. otherwise the part of speech with the most SemCor-tagged occurrences wins (ties: n, v, a, r).
inline std::optional<pos_guess> guess_pos(const wordnet& wn, std::string_view word, pos_context ctx) {
  std::array<std::optional<std::string>, 4> base;
  std::array<double, 4> score{};
  int n = 0;
  for (pos p : all_pos) {
    const auto i = static_cast<std::size_t>(p);
    base[i] = wn.base_form(word, p);
    if (base[i]) {
      ++n;
      score[i] = 1.0 + wn.tag_count(*base[i], p);
    }
  }
  if (n == 0) return std::nullopt;
  auto drop = [&](pos p) {
    const auto i = static_cast<std::size_t>(p);
    if (base[i] && n > 1) {
      base[i].reset();
      score[i] = 0;
      --n;
    }
  };
  auto prefer = [&](pos p) {
    const auto i = static_cast<std::size_t>(p);
    if (base[i]) score[i] += 1e9;
  };
  if (ctx == pos_context::after_determiner || ctx == pos_context::after_adjective) {
    drop(pos::verb);
    drop(pos::adv);
  } else if (ctx == pos_context::before_verb) {
    prefer(pos::verb);
  }
  if (word.size() > 4 && word.ends_with("ly")) prefer(pos::adv);
  std::size_t best = 0;
  for (std::size_t i = 1; i < 4; ++i)
    if (score[i] > score[best]) best = i;
  return pos_guess{static_cast<pos>(best), *base[best]};
}

/// word and prev are lower case; prev may be empty (start of text).
inline std::optional<pos_guess> guess_pos(const wordnet& wn, std::string_view word, std::string_view prev) {
  return guess_pos(wn, word, context_of(wn, prev));
}

}  // namespace millrace::augment
