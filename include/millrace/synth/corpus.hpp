// millrace/synth/corpus.hpp — seeded synthetic text corpus for dedup quality tests, benchmarks and
// demos: Zipf-distributed words over a generated vocabulary (with accented, CJK and emoji words),
// clusters of edited near-duplicates and boilerplate-sharing hard negatives. Same options + seed ->
// byte-identical documents on any platform.
//   auto docs = millrace::synth::generate_corpus({.docs = 1000, .seed = 7});
//   auto pipeline = mr::source(millrace::synth::corpus_source({.docs = 1000})) | ...;   // as a pipeline source
#pragma once

#include <millrace/core/random.hpp>

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_set>
#include <utility>
#include <vector>

namespace millrace::synth {

/// The corpus generator's random numbers: the project's splitmix64 (millrace/core/random.hpp),
/// portable, so the corpus is the same bytes everywhere. Draws use below_unbiased (exact).
using rng = millrace::splitmix64;

/// P(k) proportional to 1 / (k + 1)^s for k in [0, n): inverse CDF by binary search.
/// (std::pow may differ in the last ulp between libms; a draw changes only if it lands within an ulp
/// of a CDF boundary, about 1e-13 per draw.)
class zipf_sampler {
 public:
  zipf_sampler(std::size_t n, double s) : cdf_(n) {
    if (n == 0) throw std::invalid_argument("zipf_sampler: empty support");
    double sum = 0;
    for (std::size_t k = 0; k < n; ++k) cdf_[k] = (sum += 1.0 / std::pow(static_cast<double>(k + 1), s));
  }
  std::size_t operator()(rng& r) const {
    const double u = r.uniform() * cdf_.back();
    const auto it = std::upper_bound(cdf_.begin(), cdf_.end(), u);
    return std::min<std::size_t>(static_cast<std::size_t>(it - cdf_.begin()), cdf_.size() - 1);
  }
  std::size_t size() const { return cdf_.size(); }  ///< n: draws are in [0, n)

 private:
  std::vector<double> cdf_;
};

/// One generated document: id, text and debug labels (the original it copies, the edit strength).
struct document {
  std::string id;    ///< id_prefix + the document's index, zero-padded to at least 8 digits
  std::string text;  ///< the generated text: words separated by single spaces (noise may add others)
  // Debug labels only (the ground truth is always the exact Jaccard of the texts, never these):
  std::int64_t source = -1;   ///< index of the original this is an edited copy of; -1 for an original
  double edit = 0;            ///< edit strength applied to the copy, in [0, 1]
  bool hard_negative = false; ///< an original built from a short body plus a shared boilerplate block
};

/// How many documents the generator writes, how many near-duplicates each cluster gets and how they are edited.
struct corpus_options {
  std::size_t docs = 1000;  ///< documents made by generate_corpus and corpus_source
  std::uint64_t seed = 1;   ///< same seed and options: byte-identical corpus
  std::size_t vocabulary = 30000;   ///< distinct words, ranked by Zipf frequency
  double zipf_exponent = 1.05;      ///< s of the Zipf word distribution, P(rank k) ~ 1 / (k + 1)^s
  double non_ascii_words = 0.06;    ///< share of the vocabulary that is accented Latin, Cyrillic, CJK or emoji
  std::size_t min_words = 40, max_words = 300;   ///< length of an original
  double duplicate_rate = 0.4;      ///< probability that a document is an edited copy of a recent original
  std::size_t max_copies = 4;       ///< copies made of one original at most
  std::size_t pool = 256;           ///< recent originals a copy may come from (bounds the generator's memory)
  /// A copy's word-edit rate is calibrated so that, on word n-grams of size calibration_ngram, its Jaccard
  /// to its original is roughly uniform in [min_similarity, max_similarity] before the extra edits below.
  double min_similarity = 0.0, max_similarity = 1.0;
  std::size_t calibration_ngram = 5;  ///< n used by the calibration above (0 counts as 1)
  double truncate_rate = 0.1;       ///< copies cut to 50-100% of their words
  double boilerplate_rate = 0.15;   ///< copies with a boilerplate block appended
  double noise_rate = 0.3;          ///< copies with case / punctuation / Unicode noise (normalization undoes most)
  double hard_negative_rate = 0.1;  ///< originals = short body + one of `boilerplates` shared blocks
  std::size_t boilerplates = 16;    ///< distinct shared boilerplate blocks (0 counts as 1)
  std::string id_prefix = "doc-";   ///< prefix of every document id
};

namespace detail {

inline void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

// Precomposed Latin vowels with the decomposed (NFD) spelling noise may swap in.
struct accented {
  const char* composed;
  char base;
  char32_t combining;
};
inline constexpr accented accented_letters[] = {
    {"\u00e9", 'e', 0x301}, {"\u00e8", 'e', 0x300}, {"\u00e1", 'a', 0x301}, {"\u00e0", 'a', 0x300},
    {"\u00fc", 'u', 0x308}, {"\u00f6", 'o', 0x308}, {"\u00ed", 'i', 0x301}, {"\u00f1", 'n', 0x303},
    {"\u00e7", 'c', 0x327}, {"\u00e2", 'a', 0x302},
};

// `syl` (1-4) sets the length: frequent ranks get short words, as in natural language.
inline std::string make_word(rng& r, double non_ascii, std::uint64_t syl) {
  static constexpr std::string_view onsets[] = {"b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r",
                                                "s", "t", "v", "w", "z", "br", "ch", "st", "tr", "pl", "sh", "gr", ""};
  static constexpr std::string_view vowels[] = {"a", "e", "i", "o", "u", "ai", "ou", "ea", "y"};
  static constexpr std::string_view codas[] = {"", "", "", "n", "r", "s", "t", "l", "m", "ck", "nd"};
  std::string w;
  if (r.bernoulli(non_ascii)) {
    switch (r.below_unbiased(4)) {
      case 0: {  // CJK ideographs, 1-3
        for (std::uint64_t i = 0; i < std::min<std::uint64_t>(syl, 3); ++i)
          append_utf8(w, static_cast<char32_t>(0x4E00 + r.below_unbiased(0x5000)));
        return w;
      }
      case 1: {  // emoji, 1-2
        for (std::uint64_t i = 0; i < std::min<std::uint64_t>(syl, 2); ++i)
          append_utf8(w, static_cast<char32_t>(0x1F600 + r.below_unbiased(0x50)));
        return w;
      }
      case 2: {  // Cyrillic lowercase
        const auto len = 2 * syl + r.below_unbiased(2);
        for (std::uint64_t i = 0; i < len; ++i) append_utf8(w, static_cast<char32_t>(0x430 + r.below_unbiased(32)));
        return w;
      }
      default: {  // Latin syllables with accented vowels
        for (std::uint64_t i = 0; i < syl; ++i) {
          w += onsets[r.below_unbiased(std::size(onsets))];
          w += accented_letters[r.below_unbiased(std::size(accented_letters))].composed;
          w += codas[r.below_unbiased(std::size(codas))];
        }
        return w;
      }
    }
  }
  for (std::uint64_t i = 0; i < syl; ++i) {
    w += onsets[r.below_unbiased(std::size(onsets))];
    w += vowels[r.below_unbiased(std::size(vowels))];
    w += codas[r.below_unbiased(std::size(codas))];
  }
  if (w.empty()) w.push_back('a');  // not w = "a": g++ 12 -O3 warns (-Wrestrict, PR 105329) in some inlinings
  return w;
}

inline std::vector<std::string> make_vocabulary(std::size_t n, double non_ascii, rng& r) {
  std::vector<std::string> words;
  words.reserve(n);
  std::unordered_set<std::string> seen;
  std::size_t attempts = 0;
  while (words.size() < n) {
    const std::size_t k = words.size();
    const std::uint64_t syl = 1 + (k >= 60) + (k >= 1500) + (k >= 12000 && r.bernoulli(0.5));
    std::string w = make_word(r, non_ascii, syl);
    if (++attempts > 50 * n + 1000) w += std::to_string(words.size());  // tiny syllable space: force unique
    if (seen.insert(w).second) words.push_back(std::move(w));
  }
  return words;
}

using tokens = std::vector<std::string>;

inline std::string render(const tokens& t) {
  std::string s;
  for (std::size_t i = 0; i < t.size(); ++i) {
    if (i) s += ' ';
    s += t[i];
  }
  return s;
}

inline bool is_ascii_lower(char c) { return c >= 'a' && c <= 'z'; }

// In place (by-value versions trip g++ 12's -Wmaybe-uninitialized on moved-from strings).
inline void capitalize(std::string& w) {
  if (!w.empty() && is_ascii_lower(w[0])) w[0] = static_cast<char>(w[0] - 'a' + 'A');
}

inline void upper(std::string& w) {
  for (char& c : w)
    if (is_ascii_lower(c)) c = static_cast<char>(c - 'a' + 'A');
}

}  // namespace detail

/// Produces documents one at a time with bounded memory (a pool of recent originals), so that it can
/// feed benchmarks of any size. Deterministic: the n-th document depends only on the options.
class corpus_generator {
 public:
  explicit corpus_generator(corpus_options o)
      : o_(std::move(o)),
        rng_(o_.seed ^ 0x6d696c6c72616365ULL),
        words_(detail::make_vocabulary(std::max<std::size_t>(o_.vocabulary, 16), o_.non_ascii_words, rng_)),
        zipf_(words_.size(), o_.zipf_exponent) {
    if (o_.min_words == 0 || o_.max_words < o_.min_words)
      throw std::invalid_argument("corpus_options: need 0 < min_words <= max_words");
    if (o_.min_similarity < 0 || o_.max_similarity > 1 || o_.min_similarity > o_.max_similarity)
      throw std::invalid_argument("corpus_options: need 0 <= min_similarity <= max_similarity <= 1");
    for (std::size_t i = 0; i < std::max<std::size_t>(o_.boilerplates, 1); ++i)
      boilerplate_.push_back(sentences(rng_.between(30, 120)));
  }

  /// The next document: an edited copy of a pooled original with probability duplicate_rate (once
  /// the pool holds one), else a new original (a hard negative with probability hard_negative_rate).
  document next() {
    document d;
    const std::size_t index = produced_++;
    d.id = o_.id_prefix + pad(index);
    if (!pool_.empty() && rng_.bernoulli(o_.duplicate_rate)) {
      const std::size_t k = rng_.below_unbiased(pool_.size());
      const double target = o_.min_similarity + (o_.max_similarity - o_.min_similarity) * rng_.uniform();
      d.edit = strength_for(target);
      d.text = detail::render(edit(pool_[k].words, d.edit));
      d.source = static_cast<std::int64_t>(pool_[k].index);
      if (++pool_[k].copies >= o_.max_copies) pool_.erase(pool_.begin() + static_cast<std::ptrdiff_t>(k));
      return d;
    }
    detail::tokens words;
    if (rng_.bernoulli(o_.hard_negative_rate)) {
      d.hard_negative = true;
      words = sentences(rng_.between(std::max<std::size_t>(o_.min_words / 4, 5), std::max<std::size_t>(o_.min_words, 6)));
      const auto& b = boilerplate_[rng_.below_unbiased(boilerplate_.size())];
      if (rng_.bernoulli(0.5)) words.insert(words.end(), b.begin(), b.end());
      else words.insert(words.begin(), b.begin(), b.end());
    } else {
      words = sentences(rng_.between(o_.min_words, o_.max_words));
    }
    d.text = detail::render(words);
    if (o_.max_copies > 0 && o_.duplicate_rate > 0) {
      if (o_.pool > 0 && pool_.size() >= o_.pool) pool_.pop_front();
      if (o_.pool > 0) pool_.push_back({index, 0, std::move(words)});
    }
    return d;
  }

  std::size_t produced() const { return produced_; }  ///< documents returned by next() so far
  /// The generated words, by Zipf rank (most frequent first).
  const std::vector<std::string>& vocabulary() const { return words_; }

  /// Word-edit rate whose expected n-gram Jaccard to the original is `target`: a fraction x = (1-p)^n of
  /// the n-grams survive, and J = x / (2 - x) when the copy has as many n-grams as the original.
  double strength_for(double target) const {
    const double x = 2 * target / (1 + target);
    const double n = static_cast<double>(std::max<std::size_t>(o_.calibration_ngram, 1));
    return std::clamp(1 - std::pow(x, 1 / n), 0.0, 1.0);
  }

 private:
  struct original {
    std::size_t index;
    std::size_t copies;
    detail::tokens words;
  };

  std::string pad(std::size_t i) const {
    std::string s = std::to_string(i);
    return s.size() >= 8 ? s : std::string(8 - s.size(), '0') + s;
  }

  std::string word() { return words_[zipf_(rng_)]; }

  // Sentences of 4-18 words: a capitalized first word, sometimes a comma or a number, a final stop.
  detail::tokens sentences(std::size_t n) {
    detail::tokens t;
    t.reserve(n);
    std::size_t left_in_sentence = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const bool first = left_in_sentence == 0;
      if (first) left_in_sentence = rng_.between(4, 18);
      std::string w = rng_.bernoulli(0.02) ? std::to_string(rng_.below_unbiased(2100)) : word();
      if (first) detail::capitalize(w);
      if (--left_in_sentence == 0 || i + 1 == n) {
        static constexpr std::string_view ends[] = {".", ".", ".", ".", "?", "!"};
        w += ends[rng_.below_unbiased(std::size(ends))];
        left_in_sentence = 0;
      } else if (rng_.bernoulli(0.06)) {
        w += ',';
      }
      t.push_back(std::move(w));
    }
    return t;
  }

  detail::tokens edit(const detail::tokens& in, double s) {
    detail::tokens out;
    out.reserve(in.size() + in.size() / 4 + 8);
    for (const auto& w : in) {  // substitution, deletion, insertion: each with rate s / 3
      const double u = rng_.uniform();
      if (u < s / 3) out.push_back(word());
      else if (u < 2 * s / 3) continue;
      else if (u < s) {
        out.push_back(w);
        out.push_back(word());
      } else out.push_back(w);
    }
    if (out.empty()) out.push_back(word());
    if (rng_.bernoulli(o_.truncate_rate)) {
      const auto keep = static_cast<std::size_t>(std::ceil(static_cast<double>(out.size()) * (0.5 + 0.5 * rng_.uniform())));
      out.resize(std::max<std::size_t>(keep, 1));
    }
    if (rng_.bernoulli(o_.boilerplate_rate)) {
      const auto& b = boilerplate_[rng_.below_unbiased(boilerplate_.size())];
      out.insert(out.end(), b.begin(), b.end());
    }
    if (rng_.bernoulli(o_.noise_rate)) noise(out);
    return out;
  }

  // Surface noise that text normalization is meant to undo: case, punctuation variants, decomposed
  // accents, non-breaking or doubled spaces, curly quotes, full-width commas.
  void noise(detail::tokens& t) {
    const bool decompose = rng_.bernoulli(0.5);  // NFD spelling of every precomposed accent in the copy
    for (auto& w : t) {
      if (decompose)
        for (const auto& a : detail::accented_letters)
          for (auto pos = w.find(a.composed); pos != std::string::npos; pos = w.find(a.composed, pos)) {
            std::string nfd(1, a.base);
            detail::append_utf8(nfd, a.combining);
            w.replace(pos, std::string_view(a.composed).size(), nfd);
          }
      if (!rng_.bernoulli(0.12)) continue;
      switch (rng_.below_unbiased(5)) {
        case 0: detail::upper(w); break;
        case 1: detail::capitalize(w); break;
        case 2: w = "\u201c" + w + "\u201d"; break;
        case 3:
          if (!w.empty() && (w.back() == ',' || w.back() == '.')) {
            const bool comma = w.back() == ',';
            w.pop_back();
            w += comma ? "\uff0c" : "\u2026";
          } else {
            w += ';';
          }
          break;
        default: w += rng_.bernoulli(0.5) ? "\u00a0" : " "; break;  // next separator becomes NBSP + space or two spaces
      }
    }
  }

  corpus_options o_;
  rng rng_;
  std::vector<std::string> words_;
  zipf_sampler zipf_;
  std::vector<detail::tokens> boilerplate_;
  std::deque<original> pool_;
  std::size_t produced_ = 0;
};

/// A pipeline source (mr::source(obj)) of the first o.docs documents of corpus_generator(o).
class corpus_source {
 public:
  using value_type = document;
  explicit corpus_source(corpus_options o) : left_(o.docs), g_(std::move(o)) {}
  /// Appends up to max documents to out; false once all o.docs have been produced.
  bool fill(std::vector<document>& out, std::size_t max) {
    for (; max > 0 && left_ > 0; --max, --left_) out.push_back(g_.next());
    return left_ > 0;
  }

 private:
  std::size_t left_;
  corpus_generator g_;
};

/// The first o.docs documents of corpus_generator(o).
inline std::vector<document> generate_corpus(const corpus_options& o) {
  corpus_generator g(o);
  std::vector<document> docs;
  docs.reserve(o.docs);
  for (std::size_t i = 0; i < o.docs; ++i) docs.push_back(g.next());
  return docs;
}

}  // namespace millrace::synth
