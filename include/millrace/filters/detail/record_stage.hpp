// millrace/filters/detail/record_stage.hpp — private: the parallel stage behind the filters that
// look at a whole record rather than at doc_stats (url_filter, the PII operator): a per-record
// check that may rewrite the record, drop or annotate, exclusions, tally and rejected count.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <millrace/filters/apply.hpp>
#include <millrace/filters/filter_result.hpp>

namespace millrace::filters::detail {

// The run's own counts (for the run report's counters), fresh in every copy of the stage.
struct fresh_counts {
  filter_tally t;
  fresh_counts() = default;
  fresh_counts(const fresh_counts&) {}
  fresh_counts& operator=(const fresh_counts&) { return *this; }
};

/// Check: `std::string_view operator()(Rec& r, filter_result* annotations_or_null) const`
/// returning the reason `r` fails ("" when it passes); it may rewrite `r` (redaction). A failing
/// record leaves the stream (to `exclusions` when set) unless `keep_failing` (annotate mode, PII
/// redaction): then it stays and only the tally counts it. With `annotate` the check is handed
/// r.filter_result for its statistics (the record type must have that member).
template <class Rec, class Check>
class record_filter_stage {
 public:
  static constexpr bool parallel = true;

  record_filter_stage(Check check, std::string filter, bool keep_failing, bool annotate,
                      std::function<void(excluded<Rec>&&)> exclusions, filter_tally* tally)
      : check_(std::move(check)), filter_(std::move(filter)), keep_failing_(keep_failing), annotate_(annotate),
        exclusions_(std::move(exclusions)), tally_(tally) {
    if constexpr (!requires(Rec& r) { r.filter_result; })
      if (annotate_)
        throw std::invalid_argument("mr::filters::" + filter_ +
                                    ": annotate needs records with a `mr::filters::filter_result filter_result` member");
  }

  std::vector<Rec> process(std::vector<Rec>&& batch) {
    std::vector<std::pair<std::string, filter_tally::counts>> counts{{filter_, {}}};
    auto& c = counts[0].second;
    std::vector<Rec> out;
    out.reserve(batch.size());
    std::vector<excluded<Rec>> dropped;
    for (auto& r : batch) {
      filter_result* ann = nullptr;
      if constexpr (requires { r.filter_result; })
        if (annotate_) ann = &r.filter_result;
      ++c.in;
      const std::string_view why = check_(r, ann);
      if (!why.empty()) {
        ++c.dropped;
        ++c.reasons[std::string(why)];
        if (!keep_failing_) {
          if (exclusions_) dropped.push_back({std::move(r), filter_, std::string(why)});
          continue;
        }
      }
      out.push_back(std::move(r));
    }
    rejected_.n.fetch_add(batch.size() - out.size(), std::memory_order_relaxed);
    if (tally_) tally_->merge(counts);
    run_counts_.t.merge(counts);
    if (!dropped.empty()) {
      std::lock_guard lock(excl_mu_.m);
      for (auto& e : dropped) exclusions_(std::move(e));
    }
    return out;
  }

  /// Records dropped: the run report's `rejected` for this operator.
  std::uint64_t rejected_count() const { return rejected_.n.load(std::memory_order_relaxed); }

  /// This run's counts, as apply's stage gives them: "<filter>.in", "<filter>.dropped" (failed:
  /// dropped, or kept in annotate / redact mode) and "<filter>.reason.<reason>".
  std::vector<std::pair<std::string, std::uint64_t>> counters() const {
    std::vector<std::pair<std::string, std::uint64_t>> c;
    for (auto& [f, n] : run_counts_.t.snapshot()) {
      c.emplace_back(f + ".in", n.in);
      c.emplace_back(f + ".dropped", n.dropped);
      for (auto& [r, k] : n.reasons) c.emplace_back(f + ".reason." + r, k);
    }
    return c;
  }

 private:
  Check check_;
  std::string filter_;
  bool keep_failing_, annotate_;
  std::function<void(excluded<Rec>&&)> exclusions_;
  filter_tally* tally_;
  fresh_mutex excl_mu_;
  fresh_counter rejected_;
  fresh_counts run_counts_;
};

}  // namespace millrace::filters::detail
