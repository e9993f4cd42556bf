// millrace/text/normalize.hpp — Unicode text normalization for deduplication: NFKC, case folding,
// accent stripping, punctuation, digit and whitespace normalization (utf8proc), with an ASCII fast
// path that gives identical output.
//   std::string s = millrace::text::normalize("Ça  coûte 12,50 €!");   // "ca coute 00 00"
// This header declares; text/detail/normalize_impl.hpp defines (and includes utf8proc).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <millrace/core/param.hpp>
#include <millrace/detail/config.hpp>

namespace millrace::text {

/// Every flag is applied per code point after NFKC (so fullwidth forms, ligatures and the like are
/// folded first). Defaults suit near-duplicate detection; set a flag to false to keep that feature.
struct normalize_options {
  bool lowercase = true;              ///< Unicode full case folding ("Straße" -> "strasse")
  bool strip_accents = true;          ///< decompose, drop nonspacing marks (Mn), recompose
  bool normalize_punctuation = true;  ///< categories P* and S* (punctuation, symbols) -> one space
  bool normalize_digits = true;       ///< every decimal digit (Nd) -> '0', digit by digit
  bool collapse_whitespace = true;    ///< runs of White_Space -> one ' ', trimmed at both ends

  /// Module parameters (core/param.hpp), one switch per step, named as the fields.
  auto parameters() {
    return millrace::params(millrace::param("lowercase", lowercase, "Unicode full case folding"),
                            millrace::param("strip_accents", strip_accents, "drop nonspacing marks"),
                            millrace::param("normalize_punctuation", normalize_punctuation, "punctuation and symbols -> one space"),
                            millrace::param("normalize_digits", normalize_digits, "every decimal digit -> 0"),
                            millrace::param("collapse_whitespace", collapse_whitespace, "runs of whitespace -> one space, trimmed"));
  }
};

namespace detail {

// Appends output for the Unicode path. In collapse mode a space is written only after a visible
// character (so runs collapse and the text is left-trimmed); the caller drops one trailing space.
// Every ' ' in collapsed output comes from space(), so out.back() == ' ' means "just wrote a space".
// A recording emitter (record = true) writes every space() as ' ': the segment memo below stores
// such event strings and replays them, since ' ' never reaches byte() in collapse mode.
struct emitter {
  std::string& out;
  const normalize_options& o;
  bool record = false;

  void space(char original) {
    if (record || !o.collapse_whitespace) out.push_back(original);
    else if (!out.empty() && out.back() != ' ') out.push_back(' ');
  }
  void byte(char c) { out.push_back(c); }
};

// The ASCII path: whole 16-byte chunks with SSSE3 where the CPU has it, the byte loop for the
// rest and for chunks holding a control character. simd = false: the byte loop only (tests).
void normalize_ascii(std::string_view in, emitter& e, bool simd = true);

// The Unicode path; usable on any input (the tests run it on ASCII to compare with the fast path).
void normalize_unicode(std::string_view in, emitter& e);

// normalize_unicode for one segment, memoized per thread: text repeats its non-ASCII words (and so
// its segments, which are short: a base character and a run of non-ASCII bytes), and utf8proc's
// decompose, category lookups and recompose cost ~10x a hash-map probe. Exact by construction:
// a hit replays what normalize_unicode emitted for the same bytes and options.
class unicode_segment_memo {
 public:
  static constexpr std::size_t max_key = 48;        // longer segments (CJK runs) are not kept
  static constexpr std::size_t max_entries = 8192;  // then the memo starts afresh: bounded memory

  void emit(std::string_view segment, emitter& e);

  static unicode_segment_memo& local();

 private:
  int bits_ = -1;
  std::string key_;
  std::unordered_map<std::string, std::string> map_;
};

// Whole-text entry points (the tests compare them).
void normalize_ascii(std::string_view in, const normalize_options& o, std::string& out, bool simd = true);
void normalize_unicode(std::string_view in, const normalize_options& o, std::string& out);

bool is_ascii(std::string_view s);

}  // namespace detail

/// Normalizes into `out` (cleared first); reuse `out` across calls to avoid allocations.
void normalize_into(std::string_view utf8, std::string& out, const normalize_options& o = {});

/// Invalid UTF-8 sequences become U+FFFD (then, with normalize_punctuation, a space).
std::string normalize(std::string_view utf8, const normalize_options& o = {});

}  // namespace millrace::text

#if MILLRACE_HEADER_ONLY
#include <millrace/text/detail/normalize_impl.hpp>
#endif
