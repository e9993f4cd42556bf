// millrace/augment/char_noise.hpp — character noise: keyboard-neighbour typos (QWERTY) and case
// flips on ASCII letters; other bytes (UTF-8 sequences included) are never touched, so the text
// stays valid UTF-8. Example: millrace::augment::keyboard_typos(text, r, 0.05, true);
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include <millrace/augment/rng.hpp>
#include <millrace/augment/tokens.hpp>

namespace millrace::augment {

/// Horizontal and vertical neighbours of each letter on a US QWERTY keyboard.
inline std::string_view qwerty_neighbours(char lower_letter) {
  static constexpr std::array<std::string_view, 26> n{
      "qwsz", "vghn", "xdfv", "serfcx", "wsdr", "drtgvc", "ftyhbv", "gyujnb", "ujko", "huikmn", "jiolm", "kop",
      "njk", "bhjm", "iklp", "ol", "wa", "edft", "awedxz", "rfgy", "yhji", "cfgb", "qase", "zsdc", "tghu", "asx"};
  return n[static_cast<std::size_t>(lower_letter - 'a')];
}

namespace detail {
// Visits each ASCII letter once with probability rate (or one forced letter when at_least_one and
// none was drawn); edit(char&) changes it. Returns the number of letters edited.
template <class Edit>
std::size_t per_letter(std::string& s, rng& r, double rate, bool at_least_one, Edit edit) {
  std::size_t edits = 0, letters = 0;
  for (char& c : s) {
    if (!is_alpha(c)) continue;
    ++letters;
    if (r.bernoulli(rate)) {
      edit(c);
      ++edits;
    }
  }
  if (edits == 0 && at_least_one && letters > 0) {
    std::size_t k = r.below(letters);
    for (char& c : s) {
      if (is_alpha(c) && k-- == 0) {
        edit(c);
        edits = 1;
        break;
      }
    }
  }
  return edits;
}
}  // namespace detail

/// Replaces letters by a random keyboard neighbour, keeping their case.
inline std::size_t keyboard_typos(std::string& s, rng& r, double rate, bool at_least_one) {
  return detail::per_letter(s, r, rate, at_least_one, [&](char& c) {
    const bool up = detail::is_upper(c);
    const std::string_view nb = qwerty_neighbours(detail::to_lower(c));
    const char x = nb[r.below(nb.size())];
    c = up ? detail::to_upper(x) : x;
  });
}

/// Flips the case of letters.
inline std::size_t case_flips(std::string& s, rng& r, double rate, bool at_least_one) {
  return detail::per_letter(s, r, rate, at_least_one, [](char& c) {
    c = detail::is_upper(c) ? detail::to_lower(c) : detail::to_upper(c);
  });
}

}  // namespace millrace::augment
