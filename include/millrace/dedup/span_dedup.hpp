// millrace/dedup/span_dedup.hpp — corpus-wide line, paragraph and sentence-span dedup (C4's "all
// but one of any three-sentence span", datatrove's sentence dedup): a span seen in an earlier
// document (or earlier in the same one) is cut out of the later documents; the first occurrence by
// record position stays.
//   auto p = src | mr::dedup::spans({.unit = mr::dedup::span_unit::sentence, .span_length = 3}, doc_text) | sink;
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/core/param.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/core/position.hpp>
#include <millrace/dedup/detail/record_order.hpp>
#include <millrace/dedup/exact.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/text/shingle.hpp>

namespace millrace::dedup {

/// What a span is made of.
enum class span_unit {
  line,       ///< the text between two '\n'
  paragraph,  ///< the text between runs of two or more '\n' (blank lines)
  sentence,   ///< ends at . ! ? (and 。！？) followed by whitespace, or at a '\n'
};

/// What a corpus-level dedup step (dedup::spans, dedup::bloom_ngrams) does with what it finds.
enum class dedup_action {
  remove,    ///< cut the duplicate spans; a document left too small is dropped (to on_dropped)
  /// Change no text and drop nothing: write into rec.filter_result what remove would cut (Dolma's
  /// dedup taggers): "<name>.duplicate_fraction" (bytes cut / bytes), the spans as
  /// "<name>.duplicate_spans" ([begin, end, score] byte ranges of the text) and, for a document
  /// remove would drop, a failure (name, reason). The same decisions as remove, for any thread count.
  annotate,
};

/// Options of dedup::spans (defaults: line dedup, as C4's published code does it).
struct span_dedup_options {
  span_unit unit = span_unit::line;  ///< what a span is made of
  /// Units per span: a sliding window of this many consecutive non-blank units is one span; a span
  /// seen before removes all its units. 3 sentences is C4's paper and datatrove's default. A text
  /// with fewer non-blank units than this has no span and passes unchanged (as datatrove).
  std::size_t span_length = 1;
  /// Also cut a span repeated inside one document (its first occurrence stays). false: only
  /// spans of earlier documents count (datatrove's behaviour).
  bool within_document = true;
  /// A document that lost a span and whose remaining text (without surrounding whitespace) has
  /// fewer bytes than this is dropped (given to on_dropped); 1 drops documents emptied entirely.
  /// A document that lost nothing is never dropped.
  std::size_t min_remaining_bytes = 1;
  /// remove (default) or annotate: keep every text as it is and write what remove would cut into
  /// the record's `filter_result` (the record type must have one; see dedup_action).
  dedup_action action = dedup_action::remove;
  /// How a unit's text is matched: its bytes without surrounding ASCII whitespace, or
  /// text::normalize'd (match.normalize = true) so case and punctuation do not matter.
  exact_options match{};

  /// Module parameters (core/param.hpp): unit, span_length, within_document, min_remaining_bytes, match (nested exact_options), action.
  auto parameters() {
    return millrace::params(
        millrace::param("unit", unit, "what a span is made of")
            .one_of({{"line", span_unit::line}, {"paragraph", span_unit::paragraph}, {"sentence", span_unit::sentence}}),
        millrace::param("span_length", span_length, "units per span (a sliding window)").range(1, 65536),
        millrace::param("within_document", within_document, "also cut a span repeated inside one document"),
        millrace::param("min_remaining_bytes", min_remaining_bytes, "a document that lost spans is dropped below this"),
        millrace::param("match", match, "how a unit's text is matched"),
        millrace::param("action", action, "remove the duplicates, or annotate: write what remove would cut into filter_result")
            .one_of({{"remove", dedup_action::remove}, {"annotate", dedup_action::annotate}}));
  }
};

/// One piece of a text: a unit with the separator after it. [content_begin, content_end) is the
/// unit without surrounding whitespace (empty for a blank piece, which is never a unit).
struct text_piece {
  std::uint32_t begin = 0, end = 0;  ///< [begin, end): the piece's bytes, separator included
  std::uint32_t content_begin = 0, content_end = 0;  ///< the unit without surrounding whitespace
  bool blank() const { return content_begin == content_end; }  ///< no content: only whitespace (never a unit)
};

/// Cuts `text` into pieces (clears `out`) that cover it exactly, in order: removing pieces and
/// joining the rest never leaves half a line or merges two units.
void split_pieces(std::string_view text, span_unit unit, std::vector<text_piece>& out);

/// The spans of one text, as split_pieces and span_dedup_options define them: digests[i] covers
/// the non-blank pieces units[i .. i + span_length). Filled in parallel, decided in order.
struct text_spans {
  std::vector<text_piece> pieces;  ///< the whole text, split_pieces(text, o.unit)
  std::vector<std::uint32_t> units;  ///< indices of the non-blank pieces
  std::vector<digest128> digests;    ///< one per window of span_length units
  /// Splits `text` by o.unit and digests each window of o.span_length consecutive units (o.match
  /// decides how a unit's text is compared); replaces what the struct held.
  void compute(std::string_view text, const span_dedup_options& o);
};

/// The text without the pieces whose flag is set (flags indexed like pieces).
std::string remove_pieces(std::string_view text, const std::vector<text_piece>& pieces, const std::vector<char>& removed);

/// Counts of one span-dedup run (the report shows records in and out; these say why).
struct span_dedup_counts {
  std::uint64_t documents = 0;          ///< documents seen
  std::uint64_t documents_changed = 0;  ///< documents that lost at least one unit
  std::uint64_t documents_dropped = 0;  ///< of those, dropped under min_remaining_bytes
  std::uint64_t spans = 0;              ///< spans (windows) seen
  std::uint64_t duplicate_spans = 0;    ///< spans seen before
  std::uint64_t units_removed = 0;      ///< lines / paragraphs / sentences cut
  std::uint64_t bytes_removed = 0;      ///< bytes cut (separators included), dropped documents' too
};

/// Called with each dropped document (and the reason) before it leaves the stream: an exclusion
/// output, so nothing vanishes unexplained.
template <class T>
using dropped_callback = std::function<void(const T& record, const std::string& reason)>;

namespace detail {

/// Records that can carry annotations (dedup_action::annotate): a `filter_result` member.
template <class T>
concept annotatable = requires(T& r) {
  { r.filter_result } -> std::convertible_to<filters::filter_result&>;
};

/// Refuses annotate mode for records without a filter_result member (at build time, naming the step).
template <class T>
void check_annotatable(dedup_action a, const std::string& name) {
  if constexpr (!annotatable<T>)
    if (a == dedup_action::annotate)
      throw std::invalid_argument("mr::dedup: " + name + ": action annotate needs records with a `mr::filters::filter_result filter_result` member");
}

/// Bytes of `s` without surrounding ASCII white space.
inline std::size_t stripped_size(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && text::is_ascii_space(s[b])) ++b;
  while (e > b && text::is_ascii_space(s[e - 1])) --e;
  return e - b;
}

/// The default text accessor of dedup::spans and dedup::bloom_ngrams: the std::string record itself.
struct string_ref {
  std::string& operator()(std::string& s) const { return s; }
};

template <class A>
using mutable_accessor_record = std::remove_cvref_t<millrace::detail::first_param_t<A>>;

template <class A>
void check_mutable_accessor() {
  using T = mutable_accessor_record<A>;
  static_assert(!std::is_same_v<T, millrace::generic_parameter>,
                "millrace::dedup: the text accessor must take the record type explicitly, e.g. "
                "[](Doc& d) -> std::string& { return d.text; } (not auto)");
  static_assert(std::is_same_v<std::invoke_result_t<const A&, T&>, std::string&>,
                "millrace::dedup: this operator edits the text: its accessor takes T& and returns std::string& "
                "([](Doc& d) -> std::string& { return d.text; })");
}

}  // namespace detail

/// The span-dedup stage (ordered): spans are hashed in parallel within a batch; the decision
/// "seen before?" is taken in input order against one digest set, so the output is the same for
/// any thread count and batch size. First = smallest position when T is positioned (checked).
/// Memory: the digest set, 16 bytes a slot at a load factor in (7/16, 7/8]: 18-37 bytes per
/// distinct span. State by value (mr::stage's rule); std::ref(stage) keeps counts() readable.
template <class T, class A>
class span_dedup_stage {
 public:
  /// `name` keys the annotations (annotate mode) and names the step in refusals.
  span_dedup_stage(span_dedup_options o, A access, std::string name = "dedup.spans")
      : opts_(std::move(o)), access_(std::move(access)), name_(std::move(name)) {
    if (opts_.span_length == 0) opts_.span_length = 1;
    detail::check_annotatable<T>(opts_.action, name_);
  }

  /// Exclusion output for dropped documents (see dropped_callback).
  span_dedup_stage& on_dropped(dropped_callback<T> cb) {
    on_dropped_ = std::move(cb);
    return *this;
  }

  /// One batch: spans are hashed in parallel, checked and added in input order; returns the records
  /// with duplicate spans cut (annotate mode: unchanged, annotated), less the documents dropped.
  std::vector<T> process(std::vector<T>&& batch) {
    if constexpr (positioned<T>)
      for (const T& r : batch) order_.check(r.position, "dedup.spans");
    spans_.resize(std::max(spans_.size(), batch.size()));
    removed_.resize(std::max(removed_.size(), batch.size()));
    millrace::parallel_for(0, batch.size(), 16, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i) spans_[i].compute(std::invoke(access_, batch[i]), opts_);
    });
    // The decisions, in input order: this is what makes "first occurrence" global.
    std::vector<char> changed(batch.size(), 0);
    for (std::size_t i = 0; i < batch.size(); ++i) changed[i] = decide(spans_[i], removed_[i]);
    // remove: the text without its duplicate pieces; annotate: the same text, kept aside (to know
    // whether remove would drop the document) while the record keeps its own.
    const bool annotate = opts_.action == dedup_action::annotate;
    rest_.resize(std::max(rest_.size(), batch.size()));
    millrace::parallel_for(0, batch.size(), 16, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i)
        if (changed[i]) {
          std::string& text = std::invoke(access_, batch[i]);
          (annotate ? rest_[i] : text) = remove_pieces(text, spans_[i].pieces, removed_[i]);
        }
    });
    std::vector<T> out;
    out.reserve(batch.size());
    for (std::size_t i = 0; i < batch.size(); ++i) {
      ++counts_.documents;
      std::string reason;
      if (changed[i]) {
        ++counts_.documents_changed;
        const std::string& rest = annotate ? rest_[i] : std::invoke(access_, batch[i]);
        const std::size_t left = detail::stripped_size(rest);
        if (left < opts_.min_remaining_bytes) {
          ++counts_.documents_dropped;
          counts_.bytes_removed += rest.size();
          reason = "too_little_left: " + std::to_string(left) + " bytes left after removing duplicate spans (min_remaining_bytes " +
                   std::to_string(opts_.min_remaining_bytes) + ")";
        }
      }
      if (annotate) {
        if constexpr (detail::annotatable<T>) annotate_record(batch[i], i, reason);
      } else if (!reason.empty()) {
        if (on_dropped_) on_dropped_(batch[i], reason);
        continue;
      }
      out.push_back(std::move(batch[i]));
    }
    return out;
  }

  /// Counts so far; in annotate mode what remove would have done (changed, dropped, bytes cut).
  const span_dedup_counts& counts() const { return counts_; }
  /// Distinct spans held.
  std::size_t distinct_spans() const { return seen_.size(); }
  /// Bytes of the digest set (the memory that grows with the corpus).
  std::size_t memory_bytes() const { return seen_.memory_bytes(); }

 private:
  // Annotate mode: what remove would cut from record i of the batch (its pieces, with their
  // separators, so cutting the spans from the text gives remove's text) and why it would drop it.
  void annotate_record(T& r, std::size_t i, const std::string& reason) {
    filters::filter_result& fr = r.filter_result;
    const std::string& text = std::invoke(access_, r);
    std::vector<filters::scored_span> cut;
    std::uint64_t bytes = 0, units = 0;
    for (std::size_t p = 0; p < removed_[i].size(); ++p)
      if (removed_[i][p]) {
        const text_piece& pc = spans_[i].pieces[p];
        cut.push_back({pc.begin, pc.end, 1.0});
        bytes += pc.end - pc.begin;
        ++units;
      }
    fr.set(name_, "duplicate_fraction", text.empty() ? 0.0 : double(bytes) / double(text.size()));
    fr.set(name_, "duplicate_units", double(units));
    fr.set_spans(name_, "duplicate_spans", std::move(cut));
    if (!reason.empty()) fr.failures.emplace_back(name_, reason);
  }

  // Marks the pieces of spans seen before; true if any was.
  bool decide(const text_spans& t, std::vector<char>& removed) {
    removed.assign(t.pieces.size(), 0);
    bool any = false;
    const std::size_t n = opts_.span_length;
    counts_.spans += t.digests.size();
    for (std::size_t w = 0; w < t.digests.size(); ++w) {
      const bool fresh = opts_.within_document ? seen_.insert(t.digests[w]) : !seen_.contains(t.digests[w]);
      if (fresh) continue;
      ++counts_.duplicate_spans;
      any = true;
      for (std::size_t u = w; u < w + n; ++u) {
        const std::uint32_t p = t.units[u];
        if (!removed[p]) {
          removed[p] = 1;
          ++counts_.units_removed;
          counts_.bytes_removed += t.pieces[p].end - t.pieces[p].begin;
        }
      }
    }
    if (!opts_.within_document)
      for (const digest128& d : t.digests) seen_.insert(d);
    return any;
  }

  span_dedup_options opts_;
  A access_;
  std::string name_;
  dropped_callback<T> on_dropped_;
  digest_set seen_;
  span_dedup_counts counts_;
  detail::position_order order_;
  std::vector<text_spans> spans_;      // scratch, per batch
  std::vector<std::vector<char>> removed_;  // scratch, per batch
  std::vector<std::string> rest_;           // scratch, per batch (annotate mode)
};

/// mr::dedup::spans(options, accessor, "name"): the span-dedup stage over records whose text the
/// accessor (T& -> std::string&) gives; spans(options) for a stream of std::string.
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto spans(span_dedup_options o, A access, std::string name = "dedup.spans") {
  detail::check_mutable_accessor<A>();
  span_dedup_stage<detail::mutable_accessor_record<A>, A> s(std::move(o), std::move(access), name);
  return millrace::stage(std::move(s), std::move(name));
}
inline auto spans(span_dedup_options o = {}, std::string name = "dedup.spans") {
  return spans(std::move(o), detail::string_ref{}, std::move(name));
}
/// As spans(), with an exclusion output for the dropped documents.
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto spans(span_dedup_options o, A access, dropped_callback<detail::mutable_accessor_record<A>> cb,
           std::string name = "dedup.spans") {
  detail::check_mutable_accessor<A>();
  span_dedup_stage<detail::mutable_accessor_record<A>, A> s(std::move(o), std::move(access), name);
  s.on_dropped(std::move(cb));
  return millrace::stage(std::move(s), std::move(name));
}

// ---------------------------------------------------------------------------------------------
// Definitions (short, non-template; inline in the header).

namespace detail {

inline bool span_space(char c) { return text::is_ascii_space(c); }

// The sentence end at text[i] ('.', '!', '?' or the UTF-8 of 。！？): returns the byte length of
// the mark, 0 if none.
inline std::size_t sentence_mark(std::string_view s, std::size_t i) {
  const char c = s[i];
  if (c == '.' || c == '!' || c == '?') return 1;
  if (static_cast<unsigned char>(c) == 0xE3 && s.substr(i, 3) == "\xE3\x80\x82") return 3;  // 。
  if (static_cast<unsigned char>(c) == 0xEF && (s.substr(i, 3) == "\xEF\xBC\x81" || s.substr(i, 3) == "\xEF\xBC\x9F"))
    return 3;  // ！ ？
  return 0;
}

inline void push_piece(std::string_view text, std::size_t b, std::size_t e, std::vector<text_piece>& out) {
  std::size_t cb = b, ce = e;
  while (cb < ce && span_space(text[cb])) ++cb;
  while (ce > cb && span_space(text[ce - 1])) --ce;
  out.push_back({std::uint32_t(b), std::uint32_t(e), std::uint32_t(cb), std::uint32_t(ce)});
}

}  // namespace detail

inline void split_pieces(std::string_view text, span_unit unit, std::vector<text_piece>& out) {
  out.clear();
  const std::size_t n = text.size();
  std::size_t b = 0;
  switch (unit) {
    case span_unit::line:
      while (b < n) {
        const std::size_t nl = text.find('\n', b);
        const std::size_t e = nl == std::string_view::npos ? n : nl + 1;
        detail::push_piece(text, b, e, out);
        b = e;
      }
      break;
    case span_unit::paragraph:
      while (b < n) {
        // A paragraph ends at "\n\n"; the whole run of newlines (and spaces between them) goes with it.
        std::size_t cut = text.find("\n\n", b);
        std::size_t e = n;
        if (cut != std::string_view::npos) {
          e = cut;
          while (e < n && (text[e] == '\n' || text[e] == '\r' || text[e] == ' ' || text[e] == '\t')) ++e;
        }
        detail::push_piece(text, b, e, out);
        b = e;
      }
      break;
    case span_unit::sentence:
      for (std::size_t i = 0; i < n;) {
        std::size_t mark = 0;
        if (text[i] == '\n') {
          std::size_t e = i + 1;
          while (e < n && detail::span_space(text[e])) ++e;
          detail::push_piece(text, b, e, out);
          b = i = e;
          continue;
        }
        if ((mark = detail::sentence_mark(text, i)) != 0) {
          std::size_t j = i + mark;
          while (j < n && detail::sentence_mark(text, j)) j += detail::sentence_mark(text, j);  // "?!", "..."
          while (j < n && (text[j] == '"' || text[j] == '\'' || text[j] == ')' || text[j] == ']')) ++j;
          if (j == n || detail::span_space(text[j])) {
            std::size_t e = j;
            while (e < n && detail::span_space(text[e])) ++e;
            detail::push_piece(text, b, e, out);
            b = i = e;
            continue;
          }
          i = j;  // "3.14", "e.g.x": not a sentence end
          continue;
        }
        ++i;
      }
      if (b < n) detail::push_piece(text, b, n, out);
      break;
  }
}

inline void text_spans::compute(std::string_view text, const span_dedup_options& o) {
  split_pieces(text, o.unit, pieces);
  units.clear();
  digests.clear();
  for (std::size_t p = 0; p < pieces.size(); ++p)
    if (!pieces[p].blank()) units.push_back(std::uint32_t(p));
  const std::size_t n = std::max<std::size_t>(o.span_length, 1);
  if (units.size() < n) return;
  std::vector<digest128> unit_digests(units.size());
  for (std::size_t u = 0; u < units.size(); ++u) {
    const text_piece& p = pieces[units[u]];
    unit_digests[u] = exact_digest(text.substr(p.content_begin, p.content_end - p.content_begin), o.match);
  }
  if (n == 1) {
    digests = std::move(unit_digests);
    return;
  }
  // A window's digest: xxh3-128 of its units' digests (16 bytes each), so a window costs n*16 bytes
  // of hashing whatever the length of its sentences.
  digests.resize(units.size() - n + 1);
  for (std::size_t w = 0; w + n <= units.size(); ++w)
    digests[w] = exact_digest(std::string_view(reinterpret_cast<const char*>(unit_digests.data() + w), n * sizeof(digest128)));
}

inline std::string remove_pieces(std::string_view text, const std::vector<text_piece>& pieces, const std::vector<char>& removed) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t p = 0; p < pieces.size(); ++p)
    if (!removed[p]) out.append(text.substr(pieces[p].begin, pieces[p].end - pieces[p].begin));
  return out;
}

}  // namespace millrace::dedup
