// millrace/recipe/step_exclusions.hpp — the tally and exclusion side of a recipe's non-filter
// steps (exact, near, span and Bloom dedup, take): each record such a step drops is counted in the
// run's filter tally under the step's name and reason and written to the exclusion output, a
// duplicate with the file and line of the record it duplicates; per step, in = out + excluded.
//   auto drops = mr::recipe::step_drops(ctx);
//   return mr::recipe::make_step(mr::stage(mr::recipe::tallied(my_stage, drops), ctx.step_name));
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include <millrace/core/json_value.hpp>
#include <millrace/dedup/operators.hpp>
#include <millrace/dedup/span_dedup.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/recipe/document.hpp>
#include <millrace/recipe/exclusions.hpp>
#include <millrace/recipe/registry.hpp>

namespace millrace::recipe {

/// The counting and exclusion output of one step (copyable; copies share the tally and writer).
/// A reason is "code" or "code: detail": the tally counts the code, the exclusion line has the
/// code as "reason" and the detail as "detail".
class step_drops {
 public:
  explicit step_drops(const step_context& ctx) : step_(ctx.step_name), tally_(ctx.tally), exclusions_(ctx.exclusions) {}

  /// Records that reached the step (one batch).
  void count_in(std::size_t n) const {
    if (tally_ && n) tally_->merge({{step_, filters::filter_tally::counts{n, 0, {}}}});
  }
  /// One record the step dropped; `extra` as exclusion_writer::write's.
  void drop(const document& d, std::string_view reason, std::string_view extra = {}) const {
    const std::size_t colon = reason.find(':');
    const std::string_view code = reason.substr(0, colon);
    if (tally_) tally_->merge({{step_, filters::filter_tally::counts{0, 1, {{std::string(code), 1}}}}});
    if (!exclusions_) return;
    std::string more(extra);
    if (colon != std::string_view::npos) {
      std::string_view detail = reason.substr(colon + 1);
      while (!detail.empty() && detail.front() == ' ') detail.remove_prefix(1);
      if (!more.empty()) more += ',';
      more += "\"detail\":" + json::quote(detail);
    }
    exclusions_->write(step_, step_, code, d, more);
  }
  /// True when dropped records are written (a duplicate's original must then be remembered).
  bool writes() const { return exclusions_ != nullptr; }
  /// True when anything is counted or written.
  bool active() const { return tally_ || exclusions_; }
  /// The step's name.
  const std::string& step() const { return step_; }

 private:
  std::string step_;
  filters::filter_tally* tally_ = nullptr;
  std::shared_ptr<exclusion_writer> exclusions_;
};

/// The exclusion output of a record filter's options (url_filter, pii): each record it drops is
/// written with the step's name; empty without exclusions.
inline std::function<void(filters::excluded<document>&&)> filter_exclusions(const step_context& ctx) {
  if (!ctx.exclusions) return {};
  return [ex = ctx.exclusions, step = ctx.step_name](filters::excluded<document>&& e) { ex->write(step, e); };
}

/// A stage object `S` on documents whose records in are counted per batch (its drops are
/// counted by the callbacks it was given); process, finish, counters and rejected_count forward.
template <class S>
class tallied_stage {
 public:
  static constexpr bool parallel = [] {
    if constexpr (requires { S::parallel; }) return bool(S::parallel);
    else return false;
  }();

  tallied_stage(S s, step_drops drops) : s_(std::move(s)), drops_(std::move(drops)) {}

  /// The inner stage's process, after counting the batch in.
  std::vector<document> process(std::vector<document>&& batch) {
    drops_.count_in(batch.size());
    return s_.process(std::move(batch));
  }
  /// The inner stage's barrier (exists only when S has one).
  std::vector<document> finish()
    requires requires(S& s) { s.finish(); }
  {
    return s_.finish();
  }
  /// The inner stage's counters for the run report.
  auto counters() const
    requires requires(const S& s) { s.counters(); }
  {
    return s_.counters();
  }

 private:
  S s_;
  step_drops drops_;
};

/// tallied(stage, drops): see tallied_stage.
template <class S>
tallied_stage<S> tallied(S s, step_drops drops) {
  return {std::move(s), std::move(drops)};
}

namespace detail {

// Where the records a dedup step kept came from, by arrival index (kept records arrive in
// increasing index), so that a duplicate's exclusion names its original: 16 bytes per kept
// record, held only while exclusions are written.
struct kept_origins {
  struct origin {
    std::uint64_t arrival;
    std::uint32_t input;
    std::uint32_t line;
  };
  std::vector<origin> kept;
  std::map<std::uint32_t, std::string> files;  // input index -> file name

  void add(std::uint64_t arrival, const document& d) {
    kept.push_back({arrival, d.input, std::uint32_t(d.line)});
    files.try_emplace(d.input, d.file);
  }
  // `"duplicate_of":{"file":...,"line":N}`, or "" when the original is not known.
  std::string duplicate_of(std::uint64_t cluster) const {
    auto it = std::lower_bound(kept.begin(), kept.end(), cluster, [](const origin& o, std::uint64_t c) { return o.arrival < c; });
    if (it == kept.end() || it->arrival != cluster) return {};
    auto f = files.find(it->input);
    return fmt::format("\"duplicate_of\":{{\"file\":{},\"line\":{}}}", json::quote(f == files.end() ? std::string() : f->second), it->line);
  }
};

}  // namespace detail

/// The cluster callback of exact / near dedup in a recipe: a duplicate is dropped with `reason`
/// ("exact_duplicate", "near_duplicate") and the file and line of its cluster's kept record.
/// Called in input order by the (ordered) dedup stage; empty when nothing is counted or written.
inline dedup::cluster_callback<document> duplicate_drops(step_drops drops, std::string reason) {
  if (!drops.active()) return {};
  auto origins = std::make_shared<detail::kept_origins>();
  auto arrival = std::make_shared<std::uint64_t>(0);
  return [drops = std::move(drops), reason = std::move(reason), origins, arrival](const document& d, std::uint64_t cluster, bool kept) {
    const std::uint64_t self = (*arrival)++;
    if (kept) {
      if (drops.writes()) origins->add(self, d);
      return;
    }
    drops.drop(d, reason, drops.writes() ? origins->duplicate_of(cluster) : std::string());
  };
}

/// The on_dropped callback of span / Bloom dedup in a recipe (their reasons are "code: detail").
inline dedup::dropped_callback<document> dropped_drops(step_drops drops) {
  if (!drops.active()) return {};
  return [drops = std::move(drops)](const document& d, const std::string& reason) { drops.drop(d, reason); };
}

/// take(n) in a recipe: the first n records in input order; the others are dropped with reason
/// "beyond_take_limit" (counted and written to the exclusions), as filters::take otherwise.
class take_stage {
 public:
  take_stage(std::size_t n, step_drops drops) : left_(n), drops_(std::move(drops)) {}
  /// Keeps what is left of the first n, drops the rest.
  std::vector<document> process(std::vector<document>&& batch) {
    drops_.count_in(batch.size());
    const std::size_t keep = std::min(left_, batch.size());
    for (std::size_t i = keep; i < batch.size(); ++i) drops_.drop(batch[i], "beyond_take_limit");
    batch.resize(keep);
    left_ -= keep;
    return std::move(batch);
  }

 private:
  std::size_t left_;
  step_drops drops_;
};

}  // namespace millrace::recipe
