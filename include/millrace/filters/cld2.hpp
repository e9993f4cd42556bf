// millrace/filters/cld2.hpp — CLD2 (Compact Language Detector 2, Debian libcld2-dev; link
// millrace::cld2) as a language_detector for filters/langid.hpp: ~80 languages, no model file.
//   auto lid = mr::filters::language_filter{mr::filters::cld2_detector{}, {.languages = {"en", "de"}}};
#pragma once

#include <algorithm>
#include <climits>
#include <cstddef>
#include <string_view>

#include <cld2/public/compact_lang_det.h>
#include <cld2/public/encodings.h>

#include <millrace/filters/langid.hpp>

namespace millrace::filters {

/// How cld2_detector scores.
struct cld2_options {
  /// CLD2 calls a guess unreliable on short or mixed text; with this set such a guess scores 0
  /// (a min_score then drops it), otherwise it keeps its byte share.
  bool reliable_only = true;
  /// Bytes of a document CLD2 reads (its answer settles long before; it takes an int).
  std::size_t max_bytes = std::size_t(1) << 20;
};

/// CLD2's top language: its ISO 639-1 code as CLD2 writes it ("en", "de", "ja", "zh", "zh-Hant";
/// "un" when it cannot tell) and, as score, the share of the text's letters CLD2 gave to it
/// (percent3[0] / 100). Invalid UTF-8 is checked (CLD2 then answers "un", score 0). CLD2 keeps no
/// state between calls: thread-safe.
struct cld2_detector {
  cld2_options options{};

  language_guess detect(std::string_view text) const {
    if (text.size() > options.max_bytes) text = text.substr(0, options.max_bytes);
    const CLD2::CLDHints hints{nullptr, nullptr, CLD2::UNKNOWN_ENCODING, CLD2::UNKNOWN_LANGUAGE};
    CLD2::Language lang3[3];
    int percent3[3] = {0, 0, 0};
    double normalized3[3];
    int text_bytes = 0, valid_prefix = 0;
    bool reliable = false;
    const CLD2::Language top = CLD2::ExtDetectLanguageSummaryCheckUTF8(
        text.data(), static_cast<int>(std::min<std::size_t>(text.size(), INT_MAX)), /*is_plain_text=*/true, &hints,
        /*flags=*/0, lang3, percent3, normalized3, /*resultchunkvector=*/nullptr, &text_bytes, &reliable, &valid_prefix);
    language_guess g{CLD2::LanguageCode(top), percent3[0] / 100.0};
    if (top == CLD2::UNKNOWN_LANGUAGE || (options.reliable_only && !reliable)) g.score = 0;
    return g;
  }
};

}  // namespace millrace::filters
