// The web-like benchmark corpus of bench/filters and bench/recipe: the synthetic generator's words
// (Zipf, 6% non-ASCII) cut into lines of 4..24 words, most ending in a full stop, blank lines
// between paragraphs, English stop words sprinkled in: documents that pass and fail the quality
// filters for mixed reasons (and that CLD2 mostly calls English).
//   web_corpus::generate(8, [&](const std::string& id, std::string text) { docs.push_back({id, std::move(text)}); });
#pragma once

#include <cstddef>
#include <string>

#include <millrace/synth/corpus.hpp>

namespace web_corpus {

/// One generated text laid out as web-like lines and paragraphs.
inline std::string layout(const std::string& words) {
  static const char* stop[] = {"the", "of", "and", "to", "with", "that"};
  std::string t;
  std::size_t i = 0, line = 0, in_line = 0, next = 4 + (words.size() % 21), pos = 0;
  while (pos < words.size()) {
    std::size_t e = words.find(' ', pos);
    if (e == std::string::npos) e = words.size();
    if (in_line) t += ' ';
    t.append(words, pos, e - pos);
    if (++i % 7 == 0) t += std::string(" ") + stop[i % 6];
    pos = e + 1;
    if (++in_line == next) {
      t += (line % 5 != 4) ? ".\n" : "\n";
      if (line % 6 == 5) t += '\n';
      ++line, in_line = 0, next = 4 + ((line * 7 + words.size()) % 21);
    }
  }
  return t;
}

/// Calls emit(id, text) for documents until `mb` MiB of text were emitted; returns the documents.
template <class Emit>
std::size_t generate(std::size_t mb, Emit&& emit) {
  std::size_t bytes = 0, seed = 1, n = 0;
  while (bytes < mb << 20) {
    for (auto& d : millrace::synth::generate_corpus({.docs = 2000, .seed = seed++})) {
      std::string t = layout(d.text);
      bytes += t.size();
      emit(d.id, std::move(t));
      ++n;
      if (bytes >= mb << 20) break;
    }
  }
  return n;
}

}  // namespace web_corpus
