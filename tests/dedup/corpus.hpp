// A tiny seeded corpus for the dedup tests: random documents and edited copies of some of them.
#pragma once

#include <random>
#include <string>
#include <vector>

namespace dedup_test {

inline std::string random_doc(std::mt19937_64& rng, std::size_t words) {
  static const char* syll[] = {"ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "ze", "po", "qu", "da"};
  std::string s;
  for (std::size_t w = 0; w < words; ++w) {
    if (w) s += (rng() % 13 == 0) ? ", " : " ";
    const std::size_t len = 1 + rng() % 3;
    for (std::size_t k = 0; k < len; ++k) s += syll[rng() % 12];
  }
  return s;
}

// Replaces about `fraction` of the words with fresh random ones.
inline std::string edit_doc(std::mt19937_64& rng, const std::string& src, double fraction) {
  std::string out, word;
  std::uniform_real_distribution<double> u(0, 1);
  auto flush = [&] {
    if (word.empty()) return;
    out += u(rng) < fraction ? random_doc(rng, 1) : word;
    word.clear();
  };
  for (char c : src) {
    if (c == ' ') {
      flush();
      out += c;
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

struct corpus {
  std::vector<std::string> docs;
  std::vector<std::size_t> origin;  // index of the document a copy was made from (itself for originals)
};

// `originals` random documents; each is followed (later in the corpus) by `copies` edited copies
// with probability 1/2; duplicates are interleaved with other documents.
inline corpus make_corpus(std::uint64_t seed, std::size_t originals, std::size_t copies, double edit) {
  std::mt19937_64 rng(seed);
  corpus c;
  std::vector<std::size_t> pending;
  for (std::size_t i = 0; i < originals; ++i) {
    c.origin.push_back(c.docs.size());
    c.docs.push_back(random_doc(rng, 60 + rng() % 120));
    if (rng() % 2) pending.push_back(c.docs.size() - 1);
    while (!pending.empty() && rng() % 3 == 0) {
      const std::size_t src = pending.back();
      pending.pop_back();
      for (std::size_t k = 0; k < copies; ++k) {
        c.origin.push_back(src);
        c.docs.push_back(edit_doc(rng, c.docs[src], edit));
      }
    }
  }
  for (std::size_t src : pending)
    for (std::size_t k = 0; k < copies; ++k) {
      c.origin.push_back(src);
      c.docs.push_back(edit_doc(rng, c.docs[src], edit));
    }
  return c;
}

inline std::vector<std::string_view> views(const std::vector<std::string>& v) {
  return {v.begin(), v.end()};
}

}  // namespace dedup_test
