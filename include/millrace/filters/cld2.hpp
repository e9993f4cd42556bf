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
  /// Bytes of a document CLD2 reads (its answer settles long before; it takes an int). CLD2's
  /// cost grows with the bytes read; a prefix changes answers on shorter documents: on
  /// bench/recipe's corpus (~1.3 KB per document) 4096 changes none, 2048 changes 0.5% of the
  /// keep/drop decisions of {en, 0.65}, 512 changes 11.5% (docs/filters.md, "Cost").
  std::size_t max_bytes = std::size_t(1) << 20;
  /// One scoring pass: CLD2 rescores text its first pass found unreliable (or mixed) with
  /// stricter settings (repeated-character prediction, its 40 most common languages); with this
  /// set it answers from the first pass (its internal flag kCLDFlagFinish). Faster where many
  /// documents are unreliable (2-core Intel Xeon AVX-512: 1.95x on bench/recipe's synthetic corpus, where 84% are; 1.08x
  /// on English prose), but answers differ there: 1.6% of the {en, 0.65}
  /// decisions on that corpus. Off: CLD2's own two-pass answer.
  bool single_pass = false;
};

/// CLD2's top language: its ISO 639-1 code as CLD2 writes it ("en", "de", "ja", "zh", "zh-Hant";
/// "un" when it cannot tell) and, as score, the share of the text's letters CLD2 gave to it
/// (percent3[0] / 100). Invalid UTF-8 is checked (CLD2 then answers "un", score 0). CLD2 keeps no
/// state between calls: thread-safe. The text is handed to CLD2 as it is (no copy), as plain
/// text (no HTML tag scanning).
struct cld2_detector {
  cld2_options options{};  ///< scoring and prefix settings (see cld2_options)
  /// CLD2's internal kCLDFlagFinish (cld2/internal/compact_lang_det_impl.h): no second pass.
  static constexpr int cld2_flag_finish = 1;

  /// CLD2's top language for the first options.max_bytes bytes of `text`; score 0 when CLD2
  /// cannot tell, or (with options.reliable_only) when it calls its guess unreliable.
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
        /*flags=*/options.single_pass ? cld2_flag_finish : 0, lang3, percent3, normalized3, /*resultchunkvector=*/nullptr, &text_bytes, &reliable, &valid_prefix);
    language_guess g{CLD2::LanguageCode(top), percent3[0] / 100.0};
    if (top == CLD2::UNKNOWN_LANGUAGE || (options.reliable_only && !reliable)) g.score = 0;
    return g;
  }
};

}  // namespace millrace::filters
