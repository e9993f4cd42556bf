// millrace/dedup/span_dedup_out_of_core.hpp — span dedup in bounded memory: the same output as
// dedup::spans for any memory budget, in two passes over the input. Pass 1 hashes every span into
// (digest, document ordinal, window) entries sorted within the budget (sorted runs spilled to
// tmp_dir beyond it, core/spill.hpp); one merged pass over them lists the windows that are not
// their digest's first occurrence, sorted by (ordinal, window); pass 2 reads the input again in the
// same order and cuts those windows.
//   dd::span_dedup_out_of_core sd(opts, {.memory_budget = 1 << 30, .tmp_dir = "/scratch"});
//   mr::run(front() | sd.hash_pass(doc_text), ex);  sd.find_duplicates();  mr::run(front() | sd.remove_pass(doc_text) | sink, ex);
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/core/parallel.hpp>
#include <millrace/core/position.hpp>
#include <millrace/core/spill.hpp>
#include <millrace/dedup/detail/record_order.hpp>
#include <millrace/dedup/span_dedup.hpp>

namespace millrace::dedup {

/// One span of pass 1: 32 bytes on disk and in the sorter's budget (plus the slot: 64 in all).
struct span_entry {
  digest128 digest;  ///< the window's digest (as text_spans::digests)
  std::uint64_t ordinal = 0;  ///< the document's arrival index in the pass
  std::uint32_t window = 0;   ///< the window's index in its document
  std::uint32_t unused = 0;  ///< padding to 32 bytes, always 0
};

/// A window to cut in pass 2.
struct span_removal {
  std::uint64_t ordinal = 0;  ///< arrival index of the document (span_entry::ordinal)
  std::uint32_t window = 0;  ///< index of the window to cut in that document
  std::uint32_t unused = 0;  ///< padding to 16 bytes, always 0
};

namespace detail {
struct span_entry_less {
  bool operator()(const span_entry& a, const span_entry& b) const {
    return std::tie(a.digest.hi, a.digest.lo, a.ordinal, a.window) < std::tie(b.digest.hi, b.digest.lo, b.ordinal, b.window);
  }
};
struct span_removal_less {
  bool operator()(const span_removal& a, const span_removal& b) const {
    return std::tie(a.ordinal, a.window) < std::tie(b.ordinal, b.window);
  }
};
}  // namespace detail

/// The two passes and the step between them (see the top of this file). The stages it hands out
/// point to this object, which must outlive their runs. Memory: the spill budget (twice at most:
/// the merge of pass 1's entries runs while the removal list fills its own sorter) plus the
/// batches in flight; disk: 32 bytes per span beyond the budget, 16 per duplicate window.
/// Both passes must see the same records in the same order (checked: counts and positions).
class span_dedup_out_of_core {
 public:
  span_dedup_out_of_core(span_dedup_options o, spill_options s)
      : opts_(std::move(o)), spill_(std::move(s)), entries_(spill_, {}) {
    if (opts_.span_length == 0) opts_.span_length = 1;
    // Pass 2 only cuts; annotate mode would silently remove instead, so it is refused here.
    if (opts_.action == dedup_action::annotate)
      throw std::invalid_argument("dedup::span_dedup_out_of_core: action annotate is not supported out of core "
                                  "(use dedup::spans, which annotates, or action remove)");
  }

  /// Pass 1's stage (a sink): hashes the spans of each record, accessor T& -> std::string&.
  template <class A>
  auto hash_pass(A access, std::string name = "dedup.spans.hash") {
    detail::check_mutable_accessor<A>();
    return millrace::stage(hash_stage<detail::mutable_accessor_record<A>, A>{this, std::move(access), {}, {}}, std::move(name));
  }

  /// Between the passes: merges pass 1's entries and lists the windows seen before.
  void find_duplicates() {
    if (found_) throw std::logic_error("dedup::span_dedup_out_of_core: find_duplicates() called twice");
    found_ = true;
    external_sorter<span_removal, detail::span_removal_less> removals(spill_, {});
    auto r = entries_.finish();
    span_entry e, first;
    bool any = false;
    while (r.next(e)) {
      const bool same = any && e.digest == first.digest;
      if (!same) {
        first = e;
        any = true;
        continue;
      }
      if (!opts_.within_document && e.ordinal == first.ordinal) continue;  // a repeat inside the first document
      ++counts_.duplicate_spans;
      removals.push(span_removal{e.ordinal, e.window, 0});
    }
    add(r.stats());
    removals_.emplace(removals.finish());
    add(removals_->stats());
  }

  /// Pass 2's stage: the records with the duplicate windows cut, as dedup::spans gives them.
  template <class A>
  auto remove_pass(A access, std::string name = "dedup.spans.remove") {
    return remove_pass(std::move(access), dropped_callback<detail::mutable_accessor_record<A>>{}, std::move(name));
  }
  /// As remove_pass(), with an exclusion output for the dropped documents.
  template <class A>
  auto remove_pass(A access, dropped_callback<detail::mutable_accessor_record<A>> cb, std::string name = "dedup.spans.remove") {
    detail::check_mutable_accessor<A>();
    if (!found_) throw std::logic_error("dedup::span_dedup_out_of_core: remove_pass() before find_duplicates()");
    return millrace::stage(remove_stage<detail::mutable_accessor_record<A>, A>{this, std::move(access), std::move(cb), {}}, std::move(name));
  }

  /// Counts so far: spans and duplicate_spans from pass 1 and find_duplicates(), the others from pass 2.
  const span_dedup_counts& counts() const { return counts_; }
  /// The sorters' totals (runs written, bytes spilled, the largest buffer).
  const spill_stats& spill() const { return stats_; }

 private:
  void add(const spill_stats& s) {
    stats_.records += s.records;
    stats_.runs += s.runs;
    stats_.bytes_spilled += s.bytes_spilled;
    stats_.merge_passes += s.merge_passes;
    stats_.peak_buffered_bytes = std::max(stats_.peak_buffered_bytes, s.peak_buffered_bytes);
  }

  template <class T, class A>
  struct hash_stage {
    span_dedup_out_of_core* self;
    A access;
    detail::position_order order;
    std::vector<text_spans> spans;  // scratch, per batch
    void process(std::vector<T>&& batch) {
      if constexpr (positioned<T>)
        for (const T& r : batch) order.check(r.position, "dedup.spans.hash");
      if (self->found_) throw std::logic_error("dedup::span_dedup_out_of_core: hash_pass() run after find_duplicates()");
      spans.resize(std::max(spans.size(), batch.size()));
      millrace::parallel_for(0, batch.size(), 16, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) spans[i].compute(std::invoke(access, batch[i]), self->opts_);
      });
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const std::uint64_t ordinal = self->hashed_docs_++;
        self->counts_.spans += spans[i].digests.size();
        for (std::size_t w = 0; w < spans[i].digests.size(); ++w)
          self->entries_.push(span_entry{spans[i].digests[w], ordinal, std::uint32_t(w), 0});
      }
    }
  };

  template <class T, class A>
  struct remove_stage {
    span_dedup_out_of_core* self;
    A access;
    dropped_callback<T> on_dropped;
    detail::position_order order;
    std::vector<T> process(std::vector<T>&& batch) {
      if constexpr (positioned<T>)
        for (const T& r : batch) order.check(r.position, "dedup.spans.remove");
      auto& s = *self;
      std::vector<text_spans> spans(batch.size());
      millrace::parallel_for(0, batch.size(), 16, [&](std::size_t b, std::size_t e) {
        for (std::size_t i = b; i < e; ++i) spans[i].compute(std::invoke(access, batch[i]), s.opts_);
      });
      std::vector<T> out;
      out.reserve(batch.size());
      std::vector<char> removed;
      for (std::size_t i = 0; i < batch.size(); ++i) {
        const std::uint64_t ordinal = s.removed_docs_++;
        if (ordinal >= s.hashed_docs_) throw std::runtime_error(s.mismatch("more"));
        ++s.counts_.documents;
        removed.assign(spans[i].pieces.size(), 0);
        bool any = false;
        while (s.next_removal() && s.pending_->ordinal == ordinal) {
          const std::size_t w = s.pending_->window;
          if (w >= spans[i].digests.size()) throw std::runtime_error(s.mismatch("other"));
          for (std::size_t u = w; u < w + s.opts_.span_length; ++u) {
            const std::uint32_t p = spans[i].units[u];
            if (!removed[p]) {
              removed[p] = 1;
              ++s.counts_.units_removed;
              s.counts_.bytes_removed += spans[i].pieces[p].end - spans[i].pieces[p].begin;
            }
          }
          any = true;
          s.pending_.reset();
        }
        if (any) {
          ++s.counts_.documents_changed;
          std::string& text = std::invoke(access, batch[i]);
          text = remove_pieces(text, spans[i].pieces, removed);
          std::size_t b = 0, e = text.size();
          while (b < e && text::is_ascii_space(text[b])) ++b;
          while (e > b && text::is_ascii_space(text[e - 1])) --e;
          if (e - b < s.opts_.min_remaining_bytes) {
            ++s.counts_.documents_dropped;
            s.counts_.bytes_removed += text.size();
            if (on_dropped)
              on_dropped(batch[i], "too_little_left: " + std::to_string(e - b) + " bytes left after removing duplicate spans (min_remaining_bytes " +
                                       std::to_string(s.opts_.min_remaining_bytes) + ")");
            continue;
          }
        }
        out.push_back(std::move(batch[i]));
      }
      return out;
    }
    // The stream ended without error: both passes must have seen the same number of records.
    void commit() {
      if (self->removed_docs_ != self->hashed_docs_ || self->next_removal()) throw std::runtime_error(self->mismatch("fewer"));
    }
  };

  bool next_removal() {
    if (pending_) return true;
    span_removal r;
    if (removals_ && removals_->next(r)) pending_ = r;
    return pending_.has_value();
  }
  std::string mismatch(const char* how) const {
    return std::string("dedup::span_dedup_out_of_core: the second pass saw ") + how + " records than the first (" +
           std::to_string(hashed_docs_) + " hashed, " + std::to_string(removed_docs_) +
           " so far now): both passes must read the same input in the same order";
  }

  span_dedup_options opts_;
  spill_options spill_;
  external_sorter<span_entry, detail::span_entry_less> entries_;
  std::optional<sorted_reader<span_removal, detail::span_removal_less>> removals_;
  std::optional<span_removal> pending_;
  std::uint64_t hashed_docs_ = 0, removed_docs_ = 0;
  bool found_ = false;
  span_dedup_counts counts_;
  spill_stats stats_;
};

}  // namespace millrace::dedup
