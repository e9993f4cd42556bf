// millrace/dedup/bloom_ngram.hpp — Bloom-filter n-gram dedup in the manner of Dolma's bff: a
// paragraph (or document) whose word n-grams are, by a fraction >= threshold, already in a Bloom
// filter of everything kept before is removed; the filter's memory is fixed (sized from the
// expected n-grams and a false-positive rate).
//   auto p = src | mr::dedup::bloom_ngrams({.expected_ngrams = 50'000'000, .false_positive_rate = 0.01}, doc_text) | sink;
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/core/param.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/core/position.hpp>
#include <millrace/dedup/bloom_filter.hpp>
#include <millrace/dedup/detail/record_order.hpp>
#include <millrace/dedup/span_dedup.hpp>
#include <millrace/text/shingle.hpp>

namespace millrace::dedup {

/// What is removed when it is a duplicate.
enum class bloom_scope {
  paragraph,  ///< each line ('\n'-separated, as bff's paragraphs) on its own
  document,   ///< the whole document, by its n-grams' overall overlap
};

/// Options of dedup::bloom_ngrams (defaults: Dolma bff's, with a filter for 10 M n-grams).
struct bloom_ngram_options {
  std::size_t ngram = 13;      ///< words per n-gram (bff's max n-gram size)
  std::size_t min_words = 5;   ///< paragraphs with fewer words are left alone (neither checked nor added); from min_words to ngram - 1 words a paragraph is one n-gram of all its words (bff's min n-gram size 5)
  double threshold = 0.8;      ///< duplicate when (n-grams found in the filter) / (n-grams) >= threshold
  bloom_scope scope = bloom_scope::paragraph;  ///< what a duplicate removes: a paragraph or the document
  std::uint64_t expected_ngrams = 10'000'000;  ///< n, to size the filter (distinct n-grams it will hold)
  double false_positive_rate = 0.01;           ///< p at n items: m = ceil(-n ln p / ln^2 2) bits (12 MB at the defaults)
  std::size_t min_remaining_bytes = 1;         ///< as span_dedup_options: a document that lost paragraphs is dropped below this
  /// remove (default) or annotate: keep every text and write into rec.filter_result what remove
  /// would do: "<name>.ngram_overlap" (n-grams found / checked, the whole document),
  /// "<name>.ngrams", "<name>.duplicate_fraction" (bytes cut / bytes), the spans
  /// "<name>.duplicate_spans" ([begin, end, found fraction] of each duplicate paragraph, or of the
  /// whole text in document scope) and a failure for a document remove would drop. The filter is
  /// updated as in remove mode (only what is kept is added), so the decisions are the same.
  dedup_action action = dedup_action::remove;

  /// Module parameters (core/param.hpp), named as the fields.
  auto parameters() {
    return millrace::params(
        millrace::param("ngram", ngram, "words per n-gram").range(1, 65536),
        millrace::param("min_words", min_words, "paragraphs with fewer words are left alone"),
        millrace::param("threshold", threshold, "duplicate when this fraction of its n-grams is in the filter").range(0, 1).exclusive_min(),
        millrace::param("scope", scope, "what is removed: a paragraph or the whole document")
            .one_of({{"paragraph", bloom_scope::paragraph}, {"document", bloom_scope::document}}),
        millrace::param("expected_ngrams", expected_ngrams, "distinct n-grams the filter is sized for").range(1, 1e15),
        millrace::param("false_positive_rate", false_positive_rate, "the filter's false-positive rate at expected_ngrams").range(0, 0.5).exclusive_min(),
        millrace::param("min_remaining_bytes", min_remaining_bytes, "a document that lost paragraphs is dropped below this"),
        millrace::param("action", action, "remove the duplicates, or annotate: write what remove would cut into filter_result")
            .one_of({{"remove", dedup_action::remove}, {"annotate", dedup_action::annotate}}));
  }
};

/// Counts of one Bloom n-gram run.
struct bloom_ngram_counts {
  std::uint64_t documents = 0;            ///< documents seen
  std::uint64_t paragraphs = 0;           ///< paragraphs checked (min_words or more)
  std::uint64_t paragraphs_removed = 0;   ///< paragraph scope: removed as duplicates
  std::uint64_t documents_dropped = 0;    ///< document scope: duplicates; paragraph scope: emptied below min_remaining_bytes
  std::uint64_t ngrams = 0;               ///< n-grams checked
  std::uint64_t ngrams_found = 0;         ///< of those, found in the filter
  std::uint64_t bytes_removed = 0;        ///< bytes cut or dropped
};

namespace detail {

/// The n-grams of one document, per eligible paragraph (computed in parallel, decided in order).
struct doc_ngrams {
  std::vector<text_piece> pieces;
  std::vector<std::uint32_t> paragraphs;  ///< indices of the pieces that are checked
  std::vector<std::uint32_t> offsets;     ///< hashes of paragraph j: [offsets[j], offsets[j + 1])
  std::vector<std::uint64_t> hashes;
  /// Splits `text` into lines and hashes the n-grams of each line of min_words words or more.
  void compute(std::string_view text, const bloom_ngram_options& o, std::vector<std::uint64_t>& scratch) {
    split_pieces(text, span_unit::line, pieces);
    paragraphs.clear();
    offsets.assign(1, 0);
    hashes.clear();
    for (std::size_t p = 0; p < pieces.size(); ++p) {
      if (pieces[p].blank()) continue;
      const std::string_view para = text.substr(pieces[p].content_begin, pieces[p].content_end - pieces[p].content_begin);
      const std::size_t n = std::max<std::size_t>(o.ngram, 1), min_words = std::max<std::size_t>(o.min_words, 1);
      text::word_shingle_hashes(para, n, scratch);
      // More than one n-gram means more than n words; only a short paragraph needs its words counted.
      if (scratch.empty()) continue;
      if (scratch.size() == 1 || min_words > n + 1) {
        std::size_t words = 0;
        for (std::size_t i = 0; i < para.size(); ++i)
          if (!text::is_ascii_space(para[i]) && (i == 0 || text::is_ascii_space(para[i - 1]))) ++words;
        if (words < min_words) continue;
      }
      paragraphs.push_back(std::uint32_t(p));
      hashes.insert(hashes.end(), scratch.begin(), scratch.end());
      offsets.push_back(std::uint32_t(hashes.size()));
    }
  }
};

/// Counters that any number of threads may add to (the unordered stage), copyable as values.
struct atomic_bloom_counts {
  std::atomic<std::uint64_t> documents{0}, paragraphs{0}, paragraphs_removed{0}, documents_dropped{0}, ngrams{0},
      ngrams_found{0}, bytes_removed{0};
  atomic_bloom_counts() = default;
  atomic_bloom_counts(const atomic_bloom_counts& o) { add(o.get()); }
  atomic_bloom_counts& operator=(const atomic_bloom_counts&) = delete;
  void add(const bloom_ngram_counts& c) {
    documents += c.documents;
    paragraphs += c.paragraphs;
    paragraphs_removed += c.paragraphs_removed;
    documents_dropped += c.documents_dropped;
    ngrams += c.ngrams;
    ngrams_found += c.ngrams_found;
    bytes_removed += c.bytes_removed;
  }
  bloom_ngram_counts get() const {
    return {documents.load(), paragraphs.load(), paragraphs_removed.load(), documents_dropped.load(),
            ngrams.load(), ngrams_found.load(), bytes_removed.load()};
  }
};

}  // namespace detail

/// The Bloom n-gram stage. Ordered (the default, dedup::bloom_ngrams): n-grams are hashed in
/// parallel within a batch, then each document is checked and added in input order, so the result
/// is the same for any thread count (the first occurrence by position survives; positions are
/// checked to arrive in order). The cost: the filter probes run on one thread, as a serial stage.
/// Unordered (dedup::bloom_ngrams_unordered): batches run in parallel on the shared atomic filter;
/// of two copies arriving at once both may survive or either may go, so the output depends on
/// timing. Memory: the filter's m / 8 bytes, fixed. Copyable (a run works on a copy).
template <class T, class A, bool Ordered>
class bloom_ngram_stage {
 public:
  /// True for the unordered stage: mr::stage may then run process() on several batches at once.
  static constexpr bool parallel = !Ordered;

  /// `name` keys the annotations (annotate mode) and names the step in refusals.
  bloom_ngram_stage(bloom_ngram_options o, A access, std::string name = "dedup.bloom_ngrams")
      : opts_(std::move(o)), access_(std::move(access)), name_(std::move(name)) {
    bloom_size_for(opts_.expected_ngrams, opts_.false_positive_rate);  // rejects a bad rate at build time
    detail::check_annotatable<T>(opts_.action, name_);
  }
  bloom_ngram_stage(const bloom_ngram_stage& o)
      : opts_(o.opts_), access_(o.access_), name_(o.name_), on_dropped_(o.on_dropped_), counts_(o.counts_),
        // (the copy gets its own copy of the filter's bits; none when the source has not run a batch)
        filter_(o.filter_ ? std::make_unique<bloom_filter>(*o.filter_) : nullptr) {}
  bloom_ngram_stage& operator=(const bloom_ngram_stage&) = delete;

  /// Exclusion output for dropped documents (see dropped_callback).
  bloom_ngram_stage& on_dropped(dropped_callback<T> cb) {
    on_dropped_ = std::move(cb);
    return *this;
  }

  /// One batch: returns the documents kept, duplicate paragraphs cut (remove mode), or every document
  /// with its annotations (annotate mode). Allocates the filter at the first call.
  std::vector<T> process(std::vector<T>&& batch) {
    std::call_once(allocated_, [this] {
      if (!filter_) filter_ = std::make_unique<bloom_filter>(bloom_filter::for_items(opts_.expected_ngrams, opts_.false_positive_rate));
    });
    if constexpr (Ordered && positioned<T>)
      for (const T& r : batch) order_.check(r.position, "dedup.bloom_ngrams");
    std::vector<detail::doc_ngrams> grams(batch.size());
    millrace::parallel_for(0, batch.size(), 16, [&](std::size_t b, std::size_t e) {
      std::vector<std::uint64_t> scratch;
      for (std::size_t i = b; i < e; ++i) grams[i].compute(std::invoke(access_, batch[i]), opts_, scratch);
    });
    bloom_ngram_counts c;
    const bool annotate = opts_.action == dedup_action::annotate;
    std::vector<std::vector<char>> removed(batch.size());
    std::vector<char> drop(batch.size(), 0), changed(batch.size(), 0);
    std::vector<std::vector<std::uint32_t>> found(annotate ? batch.size() : 0);  // annotate: n-grams found per checked paragraph
    for (std::size_t i = 0; i < batch.size(); ++i) decide(grams[i], removed[i], drop[i], changed[i], c, annotate ? &found[i] : nullptr);
    // remove: the text without its duplicate paragraphs; annotate: that text aside, the record's unchanged.
    std::vector<std::string> rest(annotate ? batch.size() : 0);
    millrace::parallel_for(0, batch.size(), 16, [&](std::size_t b, std::size_t e) {
      for (std::size_t i = b; i < e; ++i)
        if (changed[i] && !drop[i]) {
          std::string& text = std::invoke(access_, batch[i]);
          (annotate ? rest[i] : text) = remove_pieces(text, grams[i].pieces, removed[i]);
        }
    });
    std::vector<T> out;
    out.reserve(batch.size());
    c.documents += batch.size();
    for (std::size_t i = 0; i < batch.size(); ++i) {
      std::string& text = std::invoke(access_, batch[i]);
      std::string reason;
      if (drop[i]) {
        reason = "duplicate_document: n-gram overlap with earlier documents >= threshold " + std::to_string(opts_.threshold);
      } else if (changed[i]) {
        const std::size_t left = detail::stripped_size(annotate ? rest[i] : text);
        if (left < opts_.min_remaining_bytes)
          reason = "too_little_left: " + std::to_string(left) + " bytes left after removing duplicate paragraphs (min_remaining_bytes " +
                   std::to_string(opts_.min_remaining_bytes) + ")";
      }
      if (!reason.empty()) {
        ++c.documents_dropped;
        c.bytes_removed += annotate && !drop[i] ? rest[i].size() : text.size();
      }
      if (annotate) {
        if constexpr (detail::annotatable<T>) annotate_record(batch[i], grams[i], removed[i], found[i], drop[i] != 0, reason);
      } else if (!reason.empty()) {
        if (on_dropped_) on_dropped_(batch[i], reason);
        continue;
      }
      out.push_back(std::move(batch[i]));
    }
    counts_.add(c);
    return out;
  }

  /// Counts so far; in annotate mode what remove would have done.
  bloom_ngram_counts counts() const { return counts_.get(); }
  /// The filter (empty before the first batch).
  const bloom_filter* filter() const { return filter_.get(); }
  /// The filter's bytes once allocated (m / 8), else what it will take.
  std::size_t memory_bytes() const {
    return filter_ ? filter_->memory_bytes() : std::size_t(bloom_size_for(opts_.expected_ngrams, opts_.false_positive_rate).bits / 8);
  }

 private:
  // Annotate mode: what remove would do to one record (see bloom_ngram_options::action).
  void annotate_record(T& r, const detail::doc_ngrams& g, const std::vector<char>& removed, const std::vector<std::uint32_t>& found,
                       bool drop, const std::string& reason) {
    filters::filter_result& fr = r.filter_result;
    const std::string& text = std::invoke(access_, r);
    std::size_t hits = 0;
    for (std::uint32_t h : found) hits += h;
    const double overlap = g.hashes.empty() ? 0.0 : double(hits) / double(g.hashes.size());
    std::vector<filters::scored_span> cut;
    std::uint64_t bytes = 0;
    if (drop) {
      cut.push_back({0, text.size(), overlap});
      bytes = text.size();
    } else {
      for (std::size_t j = 0; j < g.paragraphs.size(); ++j)
        if (!removed.empty() && removed[g.paragraphs[j]]) {
          const text_piece& p = g.pieces[g.paragraphs[j]];
          cut.push_back({p.begin, p.end, double(found[j]) / double(g.offsets[j + 1] - g.offsets[j])});
          bytes += p.end - p.begin;
        }
    }
    fr.set(name_, "ngram_overlap", overlap);
    fr.set(name_, "ngrams", double(g.hashes.size()));
    fr.set(name_, "duplicate_fraction", text.empty() ? 0.0 : double(bytes) / double(text.size()));
    fr.set_spans(name_, "duplicate_spans", std::move(cut));
    if (!reason.empty()) fr.failures.emplace_back(name_, reason);
  }

  // Ordered: one thread decides at a time, so plain stores suffice; unordered: atomic fetch_or.
  static void add(bloom_filter& f, std::uint64_t h) {
    if constexpr (Ordered) f.insert_exclusive(h);
    else f.insert(h);
  }

  bool duplicate(std::size_t found, std::size_t total) const { return total > 0 && double(found) >= opts_.threshold * double(total); }

  // Checks one document against the filter, then adds what it keeps. Checking a paragraph before
  // adding it means a paragraph repeating its own n-grams does not match itself.
  // `hits` (annotate mode): each checked paragraph's n-grams found in the filter.
  void decide(const detail::doc_ngrams& g, std::vector<char>& removed, char& drop, char& changed, bloom_ngram_counts& c,
              std::vector<std::uint32_t>* hits) {
    bloom_filter& f = *filter_;
    const std::size_t P = g.paragraphs.size();
    c.paragraphs += P;
    c.ngrams += g.hashes.size();
    if (hits) hits->assign(P, 0);
    if (opts_.scope == bloom_scope::document) {
      std::size_t found = 0;
      for (std::size_t j = 0; j < P; ++j) {
        std::size_t in_para = 0;
        for (std::uint32_t k = g.offsets[j]; k < g.offsets[j + 1]; ++k) in_para += f.contains(g.hashes[k]);
        if (hits) (*hits)[j] = std::uint32_t(in_para);
        found += in_para;
      }
      c.ngrams_found += found;
      if (duplicate(found, g.hashes.size())) {
        drop = 1;
        return;
      }
      for (std::uint64_t h : g.hashes) add(f, h);
      return;
    }
    removed.assign(g.pieces.size(), 0);
    for (std::size_t j = 0; j < P; ++j) {
      const std::uint32_t b = g.offsets[j], e = g.offsets[j + 1];
      std::size_t found = 0;
      for (std::uint32_t k = b; k < e; ++k) found += f.contains(g.hashes[k]);
      c.ngrams_found += found;
      if (hits) (*hits)[j] = std::uint32_t(found);
      if (duplicate(found, e - b)) {
        const text_piece& p = g.pieces[g.paragraphs[j]];
        removed[g.paragraphs[j]] = 1;
        changed = 1;
        ++c.paragraphs_removed;
        c.bytes_removed += p.end - p.begin;
        continue;
      }
      for (std::uint32_t k = b; k < e; ++k) add(f, g.hashes[k]);
    }
  }

  bloom_ngram_options opts_;
  A access_;
  std::string name_;
  dropped_callback<T> on_dropped_;
  detail::atomic_bloom_counts counts_;
  std::unique_ptr<bloom_filter> filter_;
  std::once_flag allocated_;  // the filter is allocated by the run's copy, at its first batch
  detail::position_order order_;
};

/// mr::dedup::bloom_ngrams(options, accessor, "name"): the ordered (deterministic) stage over
/// records whose text the accessor (T& -> std::string&) gives; bloom_ngrams(options) for std::string.
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto bloom_ngrams(bloom_ngram_options o, A access, std::string name = "dedup.bloom_ngrams") {
  detail::check_mutable_accessor<A>();
  bloom_ngram_stage<detail::mutable_accessor_record<A>, A, true> s(std::move(o), std::move(access), name);
  return millrace::stage(std::move(s), std::move(name));
}
inline auto bloom_ngrams(bloom_ngram_options o = {}, std::string name = "dedup.bloom_ngrams") {
  return bloom_ngrams(std::move(o), detail::string_ref{}, std::move(name));
}
/// As bloom_ngrams(), with an exclusion output for the dropped documents.
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto bloom_ngrams(bloom_ngram_options o, A access, dropped_callback<detail::mutable_accessor_record<A>> cb,
                  std::string name = "dedup.bloom_ngrams") {
  detail::check_mutable_accessor<A>();
  bloom_ngram_stage<detail::mutable_accessor_record<A>, A, true> s(std::move(o), std::move(access), name);
  s.on_dropped(std::move(cb));
  return millrace::stage(std::move(s), std::move(name));
}
/// The unordered stage: batches in parallel on one atomic filter; faster on many cores, but which
/// of two near-simultaneous duplicates survives depends on timing (see bloom_ngram_stage).
template <class A>
  requires(!std::is_convertible_v<A, std::string>)
auto bloom_ngrams_unordered(bloom_ngram_options o, A access, std::string name = "dedup.bloom_ngrams_unordered") {
  detail::check_mutable_accessor<A>();
  bloom_ngram_stage<detail::mutable_accessor_record<A>, A, false> s(std::move(o), std::move(access), name);
  return millrace::stage(std::move(s), std::move(name));
}

}  // namespace millrace::dedup
