// millrace/augment/eda.hpp — the four EDA operations (Wei & Zou 2019) on a token_list: synonym
// replacement (WordNet), random insertion of synonyms, random swap, random deletion. Each returns
// how many edits it made. Example: millrace::augment::random_swap(tokens, r, 0.1, true);
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <millrace/augment/detail/stopwords.hpp>
#include <millrace/augment/pos_guess.hpp>
#include <millrace/augment/rng.hpp>
#include <millrace/augment/tokens.hpp>
#include <millrace/augment/wordnet.hpp>

namespace millrace::augment {

/// Rates: every operation draws per position with probability `rate` (synonym: each eligible word is
/// replaced with probability rate; insert/swap: the number of edits is Binomial(tokens, rate);
/// delete: each token is dropped with probability rate). With at_least_one, a draw that made no edit
/// is followed by one forced edit, so a variant always differs from its source when it can.
struct synonym_lookup {
  const wordnet* wn = nullptr;   ///< WordNet database synonyms come from (must be set for lookups)
  synonym_options senses{};      ///< which senses of a word may supply synonyms
  bool pos_aware = true;   ///< false: union over all parts of speech (original EDA)
};

namespace detail {

inline std::string lower(std::string_view s) {
  std::string r(s);
  for (char& c : r) c = to_lower(c);
  return r;
}

// Regular English plural of a (possibly multi-word) lemma: the last word takes the ending.
inline std::string pluralize(std::string_view s) {
  std::string r(s);
  if (r.ends_with("s") || r.ends_with("x") || r.ends_with("z") || r.ends_with("ch") || r.ends_with("sh")) {
    r += "es";
  } else if (r.size() > 1 && r.back() == 'y' && std::string_view("aeiou").find(r[r.size() - 2]) == std::string_view::npos) {
    r.back() = 'i';
    r += "es";
  } else {
    r += 's';
  }
  return r;
}

// Synonyms of a word (its core, lower-cased), in the form to write back: plural nouns are
// re-inflected; other inflected forms ("went" -> "go") are not eligible because WordNet gives base
// forms only.
// A synonym worth writing: two or more letters, and only letters, spaces, hyphens and apostrophes
// (WordNet also lists "5" and "V" for "five", or "U.S.").
inline bool usable_synonym(std::string_view s) {
  std::size_t letters = 0;
  for (char c : s) {
    if (is_alpha(c)) ++letters;
    else if (c != ' ' && c != '-' && c != '\'') return false;
  }
  return letters >= 2;
}

inline void compute_synonyms(const synonym_lookup& lk, std::string_view core_lower, pos_context ctx,
                             std::vector<std::string_view>& syn, std::vector<std::string>& out) {
  out.clear();
  if (lk.wn == nullptr || !is_lookup_word(core_lower) || is_stopword(core_lower)) return;
  if (lk.pos_aware) {
    auto g = guess_pos(*lk.wn, core_lower, ctx);
    if (!g) return;
    const bool same = g->base == core_lower;
    const bool plural = !same && g->pos == pos::noun && (core_lower == pluralize(g->base));
    if (!same && !plural) return;
    lk.wn->synonyms(g->base, g->pos, syn, lk.senses);
    for (auto s : syn)
      if (usable_synonym(s)) out.push_back(plural ? pluralize(s) : std::string(s));
  } else {
    for (pos p : all_pos) {
      if (lk.wn->sense_count(core_lower, p) == 0) continue;
      lk.wn->synonyms(core_lower, p, syn, lk.senses);
      for (auto s : syn) {
        if (!usable_synonym(s)) continue;
        bool seen = false;
        for (const auto& o : out) seen = seen || o == s;
        if (!seen) out.emplace_back(s);
      }
    }
  }
}

// Memoized compute_synonyms. Words repeat (Zipf), and a lookup costs a dozen hash probes into
// WordNet's tables, so each thread keeps its own bounded cache; a result depends only on
// (database, options, word, context), so the cache never changes the output.
inline void word_synonyms(const synonym_lookup& lk, std::string_view core_lower, std::string_view prev_lower,
                          std::vector<std::string_view>& syn, std::vector<std::string>& out) {
  struct cache_t {
    const wordnet* wn = nullptr;
    std::size_t max_senses = 0;
    bool pos_aware = false;
    std::unordered_map<std::string, std::vector<std::string>> map;
  };
  thread_local cache_t cache;
  if (!is_lookup_word(core_lower) || is_stopword(core_lower)) {
    out.clear();
    return;
  }
  if (cache.wn != lk.wn || cache.max_senses != lk.senses.max_senses || cache.pos_aware != lk.pos_aware ||
      cache.map.size() > (1u << 16)) {
    cache.map.clear();
    cache.wn = lk.wn;
    cache.max_senses = lk.senses.max_senses;
    cache.pos_aware = lk.pos_aware;
  }
  const pos_context ctx = lk.pos_aware ? context_of(*lk.wn, prev_lower) : pos_context::none;
  thread_local std::string key;
  key.assign(1, static_cast<char>('0' + static_cast<int>(ctx)));
  key += core_lower;
  if (auto it = cache.map.find(key); it != cache.map.end()) {
    out = it->second;
    return;
  }
  compute_synonyms(lk, core_lower, ctx, syn, out);
  cache.map.emplace(key, out);
}

inline std::string prev_core_lower(const token_list& t, std::size_t i) {
  return i == 0 ? std::string() : lower(split_word(t[i - 1].text).core);
}

}  // namespace detail

/// Replaces eligible words (not stop words, known to WordNet in the guessed part of speech) with a
/// random synonym, keeping the word's punctuation and letter case.
inline std::size_t synonym_replace(token_list& t, rng& r, const synonym_lookup& lk, double rate, bool at_least_one) {
  std::vector<std::string_view> syn;
  std::vector<std::string> cands;
  std::size_t edits = 0;
  auto replace = [&](std::size_t i, const word_parts& wp) {
    const std::string word = match_case(wp.core, cands[r.below(cands.size())]);
    std::string s(wp.prefix);
    s += word;
    s += wp.suffix;
    t.set_text(i, t.own(std::move(s)));
    ++edits;
    // Keep "a"/"an" in agreement with the new word (by its first letter: a heuristic).
    if (i > 0 && wp.prefix.empty()) {
      const std::string_view prev = t[i - 1].text;
      const bool vowel = std::string_view("aeiouAEIOU").find(word.front()) != std::string_view::npos;
      if (prev == "a" || prev == "an") t.set_text(i - 1, vowel ? "an" : "a");
      else if (prev == "A" || prev == "An") t.set_text(i - 1, vowel ? "An" : "A");
    }
  };
  const std::size_t n = t.size();
  // One draw per token whatever the token is: eligibility is looked up only for drawn tokens, and
  // "drawn and eligible" has probability rate for every eligible token.
  std::vector<std::string_view> src(n);   // the source's words are the context, not earlier edits
  for (std::size_t i = 0; i < n; ++i) src[i] = t[i].text;
  auto prev = [&](std::size_t i) { return i == 0 ? std::string() : detail::lower(split_word(src[i - 1]).core); };
  for (std::size_t i = 0; i < n; ++i) {
    if (!r.bernoulli(rate)) continue;
    const word_parts wp = split_word(t[i].text);
    detail::word_synonyms(lk, detail::lower(wp.core), prev(i), syn, cands);
    if (!cands.empty()) replace(i, wp);
  }
  if (edits == 0 && at_least_one) {
    std::vector<std::size_t> eligible;
    for (std::size_t i = 0; i < n; ++i) {
      detail::word_synonyms(lk, detail::lower(split_word(t[i].text).core), prev(i), syn, cands);
      if (!cands.empty()) eligible.push_back(i);
    }
    if (!eligible.empty()) {
      const std::size_t i = eligible[r.below(eligible.size())];
      const word_parts wp = split_word(t[i].text);
      detail::word_synonyms(lk, detail::lower(wp.core), prev(i), syn, cands);
      replace(i, wp);
    }
  }
  return edits;
}

/// Inserts Binomial(n, rate) synonyms of random eligible words at random positions (EDA: up to 10
/// tries to find a word with synonyms per insertion).
inline std::size_t random_insert(token_list& t, rng& r, const synonym_lookup& lk, double rate, bool at_least_one) {
  const std::size_t n = t.size();
  if (n == 0) return 0;
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) k += r.bernoulli(rate) ? 1 : 0;
  if (k == 0 && at_least_one) k = 1;
  std::vector<std::string_view> syn;
  std::vector<std::string> cands;
  std::size_t edits = 0;
  for (std::size_t e = 0; e < k; ++e) {
    for (int attempt = 0; attempt < 10; ++attempt) {
      const std::size_t i = r.below(t.size());
      detail::word_synonyms(lk, detail::lower(split_word(t[i].text).core), detail::prev_core_lower(t, i), syn, cands);
      if (cands.empty()) continue;
      const std::string_view w = t.own(cands[r.below(cands.size())]);
      t.insert(r.below(t.size() + 1), w);
      ++edits;
      break;
    }
  }
  return edits;
}

/// Swaps the texts of two distinct random positions, Binomial(n, rate) times.
inline std::size_t random_swap(token_list& t, rng& r, double rate, bool at_least_one) {
  const std::size_t n = t.size();
  if (n < 2) return 0;
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) k += r.bernoulli(rate) ? 1 : 0;
  if (k == 0 && at_least_one) k = 1;
  for (std::size_t e = 0; e < k; ++e) {
    const std::size_t i = r.below(n);
    std::size_t j = r.below(n - 1);
    if (j >= i) ++j;
    t.swap_text(i, j);
  }
  return k;
}

/// Drops each token with probability rate; never drops every token (EDA keeps one random token).
inline std::size_t random_delete(token_list& t, rng& r, double rate, bool at_least_one) {
  const std::size_t n = t.size();
  if (n < 2) return 0;
  std::vector<char> drop(n, 0);
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    drop[i] = r.bernoulli(rate) ? 1 : 0;
    k += drop[i];
  }
  if (k == n) {
    drop[r.below(n)] = 0;
    --k;
  }
  if (k == 0 && at_least_one) {
    drop[r.below(n)] = 1;
    k = 1;
  }
  for (std::size_t i = n; i-- > 0;)
    if (drop[i]) t.erase(i);
  return k;
}

}  // namespace millrace::augment
