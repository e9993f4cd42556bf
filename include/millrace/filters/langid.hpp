// millrace/filters/langid.hpp — language identification as a quality filter: any detector (CLD2
// in filters/cld2.hpp, a fastText model in filters/fasttext_langid.hpp) gives each document's
// language and score; the filter keeps a language set above a minimum score and, in annotate
// mode, writes both into the record's filter_result ("language.score", "language.<code>").
//   auto lid = mr::filters::language_filter{mr::filters::cld2_detector{}, {.languages = {"en"}, .min_score = 0.65}};
//   auto q = mr::filters::apply<Doc>({.action = mr::filters::on_fail::annotate}, lid);   // detected_language(doc.filter_result)
#pragma once

#include <cmath>
#include <concepts>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/text_view.hpp>

namespace millrace::filters {

/// A detector's answer for one text: a language code ("en", "de", "zh-Hant", GlotLID's
/// "eng_Latn") and a score in [0, 1] (what it means depends on the detector; see its header).
struct language_guess {
  std::string language;  ///< the detector's code; empty from detected_language() when the filter did not run
  double score = 0;      ///< in [0, 1], its meaning set by the detector (see its header)
};

/// Something that names the language of a text: `detect(text) const`, callable from several
/// threads at once (the filter runs on batches in parallel).
template <class D>
concept language_detector = requires(const D& d, std::string_view text) {
  { d.detect(text) } -> std::convertible_to<language_guess>;
};

/// What the language filter keeps.
struct language_options {
  /// Languages kept, as the detector names them; empty: every language (only min_score applies).
  std::vector<std::string> languages{};
  /// The lowest score kept. 0.65: datatrove's LanguageFilter default (fastText lid.176).
  double min_score = 0.65;
};

namespace detail {

// Reason strings outlive the check() that made them (apply keeps the first one as a view until
// the record is done): they are interned here, shared by the copies of a filter. The set stays
// small: one entry per language met outside the set, and one per score bucket of 0.01.
class reason_pool {
 public:
  std::string_view intern(std::string s) {
    std::lock_guard lock(mu_);
    return *set_.insert(std::move(s)).first;
  }

 private:
  std::mutex mu_;
  std::set<std::string, std::less<>> set_;
};

}  // namespace detail

/// The filter: drops (or in annotate mode marks) a document whose detected language is not in
/// `languages` ("language de not in {en,fr}") or whose score is below `min_score` ("language score
/// 0.42 < 0.65", the score rounded down to 0.01 so the reasons stay few). It writes
/// "<name>.score" and "<name>.<language>" (both the score) into filter_result in annotate mode.
template <language_detector D>
struct language_filter {
  D detector;                      ///< names each document's language (called from several threads)
  language_options options{};      ///< languages kept and minimum score (read by the constructor too)
  std::string name = "language";   ///< name in tallies, exclusion records and "<name>.<stat>" annotations
  /// It reads only the text: mr::filters::apply analyzes no record this filter drops.
  static constexpr bool text_only = true;

  language_filter(D d, language_options opt = {}, std::string filter_name = "language")
      : detector(std::move(d)), options(std::move(opt)), name(std::move(filter_name)),
        pool_(std::make_shared<detail::reason_pool>()) {
    std::string set;
    for (auto& l : options.languages) set += (set.empty() ? "" : ",") + l;
    set_text_ = "{" + set + "}";
  }

  /// Detects st.text's language: "language X not in {..}" when `languages` is set and lacks it,
  /// else "language score S < M" when the score is below min_score, else "" (kept). With `out`
  /// it writes "<name>.score" and "<name>.<language>" (both the score) and any failure.
  std::string_view check(const doc_stats& st, filter_result* out = nullptr, std::string* = nullptr) const {
    const language_guess g = detector.detect(st.text);
    if (out) {
      out->set(name, "score", g.score);
      out->set(name, g.language, g.score);
    }
    std::string_view why;
    if (!options.languages.empty() && !in_set(g.language))
      why = pool_->intern(fmt::format("language {} not in {}", g.language.empty() ? "unknown" : g.language, set_text_));
    else if (g.score < options.min_score)
      why = pool_->intern(fmt::format("language score {:.2f} < {}", std::floor(g.score * 100) / 100, options.min_score));
    if (out && !why.empty()) out->failures.emplace_back(name, std::string(why));
    return why;
  }

 private:
  bool in_set(std::string_view lang) const {
    for (auto& l : options.languages)
      if (l == lang) return true;
    return false;
  }
  std::shared_ptr<detail::reason_pool> pool_;
  std::string set_text_;
};

/// The language and score a language filter named `filter` wrote into `r` (annotate mode);
/// an empty language when it did not run.
inline language_guess detected_language(const filter_result& r, std::string_view filter = "language") {
  language_guess g;
  for (auto& [k, v] : r.scores) {
    if (k.size() <= filter.size() + 1 || !k.starts_with(filter) || k[filter.size()] != '.') continue;
    const std::string_view stat = std::string_view(k).substr(filter.size() + 1);
    if (stat == "score") g.score = v;
    else g.language = std::string(stat);
  }
  return g;
}

}  // namespace millrace::filters
