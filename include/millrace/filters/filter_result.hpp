// millrace/filters/filter_result.hpp — what quality filters write and count: the per-record
// filter_result (statistics and failed reasons, for annotate mode), an excluded record with its
// filter and reason (the exclusion output), and filter_tally (records in / dropped / reasons).
//   struct Doc { std::string text; mr::filters::filter_result filter_result; };
//   doc.filter_result.score("gopher_quality.mean_word_length"); doc.filter_result.failed("c4_quality");
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/json_value.hpp>

namespace millrace::filters {

/// A stretch of a record's text a step flagged: bytes [begin, end) and a score (Dolma's attribute
/// spans [start, end, score]; the dedup steps' annotate mode writes the spans they would cut).
struct scored_span {
  std::uint64_t begin = 0, end = 0;  ///< byte offsets into the text, end exclusive
  double score = 0;                  ///< the step's score for the span
  friend bool operator==(const scored_span&, const scored_span&) = default;
};

/// Written into a record by filters in annotate mode: every statistic a filter measured, named
/// "<filter>.<statistic>", and for each filter the record fails, the reason it would be dropped.
struct filter_result {
  std::vector<std::pair<std::string, double>> scores;  ///< ("<filter>.<statistic>", value), in write order
  std::vector<std::pair<std::string, std::string>> failures;  ///< (filter, reason)
  std::vector<std::pair<std::string, std::vector<scored_span>>> spans;  ///< ("<step>.<what>", spans)

  /// Adds the statistic "<filter>.<stat>".
  void set(std::string_view filter, std::string_view stat, double v) {
    scores.emplace_back(fmt::format("{}.{}", filter, stat), v);
  }
  /// Adds the spans "<step>.<what>" (in text order).
  void set_spans(std::string_view step, std::string_view what, std::vector<scored_span> s) {
    spans.emplace_back(fmt::format("{}.{}", step, what), std::move(s));
  }
  /// The spans "<step>.<what>", or null when the step did not write them.
  const std::vector<scored_span>* spans_of(std::string_view key) const {
    for (auto& [k, v] : spans)
      if (k == key) return &v;
    return nullptr;
  }
  /// Nothing written (the record carries no annotations).
  bool empty() const { return scores.empty() && failures.empty() && spans.empty(); }
  /// The statistic "<filter>.<stat>", or `missing` when the filter did not write it.
  double score(std::string_view key, double missing = -1) const {
    for (auto& [k, v] : scores)
      if (k == key) return v;
    return missing;
  }
  /// The reason `filter` would have dropped the record; empty when it passes (or did not run).
  std::string_view failed(std::string_view filter) const {
    for (auto& [f, r] : failures)
      if (f == filter) return r;
    return {};
  }
  /// True when no filter recorded a failure.
  bool passed_all() const { return failures.empty(); }
};

/// A record a filter dropped, with the filter's name and its reason (datatrove's reason strings).
template <class Rec>
struct excluded {
  Rec record;          ///< the dropped record, moved out of the stream
  std::string filter;  ///< name of the filter that dropped it
  std::string reason;  ///< that filter's reason string
};

/// Per filter: records it saw, records it dropped (or, in annotate mode, would have dropped) and
/// the count of each reason. Filled by every mr::filters::apply that is given it; thread-safe.
class filter_tally {
 public:
  struct counts {
    std::uint64_t in = 0, dropped = 0;
    std::map<std::string, std::uint64_t> reasons;
  };

  /// Adds one batch's counts (taken under a lock: batches run in parallel).
  void merge(const std::vector<std::pair<std::string, counts>>& batch) {
    std::lock_guard lock(mu_);
    for (auto& [name, c] : batch) {
      auto& t = find_or_add(name);
      t.in += c.in;
      t.dropped += c.dropped;
      for (auto& [r, n] : c.reasons) t.reasons[r] += n;
    }
  }
  /// A copy of the counts, filters in the order they were first seen.
  std::vector<std::pair<std::string, counts>> snapshot() const {
    std::lock_guard lock(mu_);
    return filters_;
  }
  /// The counts of one filter by name; all zero when no batch reported it.
  counts of(std::string_view filter) const {
    std::lock_guard lock(mu_);
    for (auto& [n, c] : filters_)
      if (n == filter) return c;
    return {};
  }
  /// {"filters":[{"name":..,"in":..,"dropped":..,"reasons":{..}}]}, for a run report's side file.
  std::string to_json() const {
    std::string s = "{\"filters\":[";
    bool first = true;
    for (auto& [n, c] : snapshot()) {
      s += fmt::format("{}{{\"name\":{},\"in\":{},\"dropped\":{},\"reasons\":{{", first ? "" : ",", json::quote(n), c.in, c.dropped);
      bool f2 = true;
      for (auto& [r, k] : c.reasons) s += fmt::format("{}{}:{}", f2 ? "" : ",", json::quote(r), k), f2 = false;
      s += "}}";
      first = false;
    }
    return s + "]}";
  }

 private:
  counts& find_or_add(const std::string& name) {
    for (auto& [n, c] : filters_)
      if (n == name) return c;
    return filters_.emplace_back(name, counts{}).second;
  }
  mutable std::mutex mu_;
  std::vector<std::pair<std::string, counts>> filters_;
};

}  // namespace millrace::filters
