// millrace/filters/apply.hpp — the pipeline operator that runs quality filters on records: one
// analyze() per record feeds every filter of the group (the fused scan); failing records are
// dropped (and handed to an exclusion output with the filter and reason) or annotated.
//   struct Doc { std::string id, text; mr::filters::filter_result filter_result; };
//   mr::filters::filter_tally tally;
//   auto q = mr::filters::apply<Doc>({.tally = &tally}, mr::filters::gopher_quality{}, mr::filters::c4_quality{});
//   mr::run(mr::from_range(docs) | q | mr::collect(kept));   // tally.of("c4_quality").reasons
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include <millrace/core/compose.hpp>
#include <millrace/filters/filter_result.hpp>
#include <millrace/filters/text_view.hpp>

namespace millrace::filters {

/// A quality filter: a name and check(stats, annotations-or-null, rewritten-text-or-null)
/// returning the reason it fails ("" when it passes).
template <class F>
concept quality_filter = requires(const F& f, const doc_stats& st, filter_result* out, std::string* text) {
  { f.check(st, out, text) } -> std::convertible_to<std::string_view>;
  { f.name } -> std::convertible_to<std::string_view>;
};

/// True when filter `f` reads only doc_stats::text (it says so with a `text_only` member, static
/// or not, that is true: language ID, PII): apply then analyzes a record's text only when a
/// filter that reads the statistics comes to it, so records an earlier text-only filter drops
/// are never analyzed. The decisions, reasons and statistics do not change.
template <class F>
bool reads_text_only(const F& f) {
  if constexpr (requires { static_cast<bool>(f.text_only); }) return static_cast<bool>(f.text_only);
  else return false;
}

/// What apply does with a record a filter fails.
enum class on_fail {
  drop,      ///< failing records leave the stream (to `exclusions` when set); the first failure decides
  annotate,  ///< every record stays; each filter writes its statistics and reason into rec.filter_result
};

/// Options of mr::filters::apply: drop or annotate, the exclusion output, the tally and the report name.
template <class Rec>
struct apply_options {
  on_fail action = on_fail::drop;  ///< drop failing records (the default) or keep all and annotate them
  /// The exclusion output: called with each dropped record, its filter's name and reason; calls
  /// are serialized (one at a time), in no set order across batches.
  std::function<void(excluded<Rec>&&)> exclusions{};
  /// Per filter records in / dropped / reasons; the caller keeps it (it outlives the run).
  filter_tally* tally = nullptr;
  /// The operator's name in the run report; empty: the filters' names joined by '+'.
  std::string name{};
};

namespace detail {

template <class Rec>
std::string_view text_of(const Rec& r) {
  if constexpr (std::is_convertible_v<const Rec&, std::string_view>) return std::string_view(r);
  else {
    static_assert(requires { std::string_view(r.text); },
                  "millrace: mr::filters::apply needs records with a `text` member (or strings)");
    return std::string_view(r.text);
  }
}

template <class Rec>
void set_text(Rec& r, std::string&& t) {
  if constexpr (std::is_convertible_v<const Rec&, std::string_view>) r = std::move(t);
  else r.text = std::move(t);
}

// A mutex / counter that copies as a fresh one: the stage object is copied for every run, and
// a run's state is its own (the state rule of mr::stage).
struct fresh_mutex {
  std::mutex m;
  fresh_mutex() = default;
  fresh_mutex(const fresh_mutex&) {}
  fresh_mutex& operator=(const fresh_mutex&) { return *this; }
};
struct fresh_counter {
  std::atomic<std::uint64_t> n{0};
  fresh_counter() = default;
  fresh_counter(const fresh_counter&) {}
  fresh_counter& operator=(const fresh_counter&) { return *this; }
};
// The run's own tally (for the run report's counters), fresh in every copy like the above.
struct fresh_tally {
  filter_tally t;
  fresh_tally() = default;
  fresh_tally(const fresh_tally&) {}
  fresh_tally& operator=(const fresh_tally&) { return *this; }
};

}  // namespace detail

/// The reason and filter of the first failing filter, in order, on one analyzed document.
struct decision {
  /// The failing filter's name and its reason; both empty when the document passes every filter.
  std::string_view filter, reason;
  /// True when no filter failed (the reason is empty).
  bool keep() const { return reason.empty(); }
};
/// The first of the filters the record fails (filter and reason), or none; the drop-mode decision.
template <quality_filter... F>
decision first_failure(const doc_stats& st, const F&... f) {
  decision d;
  ((d.keep() ? (void)(d = decision{f.name, f.check(st, nullptr, nullptr)}) : (void)0), ...);
  if (d.keep()) d.filter = {};
  return d;
}

/// The stage object behind mr::filters::apply (parallel over batches; see apply()).
template <class Rec, quality_filter... F>
class filter_stage {
 public:
  /// Tells mr::stage that batches may run on several threads at once.
  static constexpr bool parallel = true;

  explicit filter_stage(apply_options<Rec> opt, F... f) : opt_(std::move(opt)), filters_(std::move(f)...) {
    if constexpr (!requires(Rec& r) { r.filter_result; })
      if (opt_.action == on_fail::annotate)
        throw std::invalid_argument(
            "mr::filters::apply: on_fail::annotate needs records with a `mr::filters::filter_result filter_result` member");
  }

  /// Runs the filters on one batch and returns the records kept (with C4's rewritten text where it
  /// applies); counts into the tallies and hands dropped records to the exclusion output.
  std::vector<Rec> process(std::vector<Rec>&& batch) {
    std::vector<std::pair<std::string, filter_tally::counts>> counts;
    std::apply([&](const auto&... f) { (counts.emplace_back(std::string(f.name), filter_tally::counts{}), ...); }, filters_);
    std::vector<Rec> out;
    out.reserve(batch.size());
    std::vector<excluded<Rec>> dropped;
    doc_stats text_only;  // what a text-only filter reads: the text
    for (auto& r : batch) {
      // One analysis for every filter of the group, made when the first filter that reads it runs.
      std::optional<doc_stats> full;
      text_only.text = detail::text_of(r);
      auto stats_for = [&](const auto& f) -> const doc_stats& {
        if (reads_text_only(f)) return text_only;
        if (!full) full.emplace(analyze(text_only.text));
        return *full;
      };
      std::string new_text;
      bool rewrite = false;
      std::string_view fail_filter, fail_reason;
      std::size_t k = 0;
      auto run_one = [&](const auto& f) {
        auto& c = counts[k++].second;
        if (opt_.action == on_fail::drop && !fail_reason.empty()) return;
        ++c.in;
        std::string text;
        filter_result* ann = nullptr;
        if constexpr (requires { r.filter_result; })
          if (opt_.action == on_fail::annotate) ann = &r.filter_result;
        const std::string_view why = f.check(stats_for(f), ann, opt_.action == on_fail::drop ? &text : nullptr);
        if (!why.empty()) {
          ++c.dropped;
          ++c.reasons[std::string(why)];
          if (fail_reason.empty()) fail_filter = f.name, fail_reason = why;
        } else if (!text.empty() && !rewrite) {
          new_text = std::move(text), rewrite = true;  // later filters of the group read the text as it came
        }
      };
      std::apply([&](const auto&... f) { (run_one(f), ...); }, filters_);
      if (opt_.action == on_fail::drop && !fail_reason.empty()) {
        if (opt_.exclusions) dropped.push_back({std::move(r), std::string(fail_filter), std::string(fail_reason)});
        continue;
      }
      if (rewrite) detail::set_text(r, std::move(new_text));
      out.push_back(std::move(r));
    }
    rejected_.n.fetch_add(batch.size() - out.size(), std::memory_order_relaxed);
    if (opt_.tally) opt_.tally->merge(counts);
    run_tally_.t.merge(counts);
    if (!dropped.empty()) {
      std::lock_guard lock(excl_mu_.m);
      for (auto& e : dropped) opt_.exclusions(std::move(e));
    }
    return out;
  }

  /// Records dropped: the run report's `rejected` for this operator.
  std::uint64_t rejected_count() const { return rejected_.n.load(std::memory_order_relaxed); }

  /// The run report's counters for this operator, per filter in order: "<filter>.in",
  /// "<filter>.dropped" (would drop, in annotate mode) and "<filter>.reason.<reason>" per reason.
  std::vector<std::pair<std::string, std::uint64_t>> counters() const {
    std::vector<std::pair<std::string, std::uint64_t>> c;
    for (auto& [f, n] : run_tally_.t.snapshot()) {
      c.emplace_back(f + ".in", n.in);
      c.emplace_back(f + ".dropped", n.dropped);
      for (auto& [r, k] : n.reasons) c.emplace_back(f + ".reason." + r, k);
    }
    return c;
  }

 private:
  apply_options<Rec> opt_;
  std::tuple<F...> filters_;
  detail::fresh_mutex excl_mu_;
  detail::fresh_counter rejected_;
  detail::fresh_tally run_tally_;
};

/// mr::filters::apply<Rec>(options, filters...): a parallel stage that analyzes each record's
/// text once (when the first filter that is not text-only runs) and runs the filters in order on it. In drop mode the first failing filter drops
/// the record (datatrove's order of tests inside each filter); C4's kept lines replace the text
/// after the group, so filters in the same group all read the original text.
template <class Rec, quality_filter... F>
auto apply(apply_options<Rec> opt, F... filters) {
  std::string name = opt.name;
  // (appended piece by piece: `"+" + std::string(..)` trips g++ 12's -Wrestrict at -O3)
  auto add = [&name](std::string_view part) {
    if (!name.empty()) name += '+';
    name += part;
  };
  if (name.empty()) (add(filters.name), ...);
  return millrace::stage(filter_stage<Rec, F...>(std::move(opt), std::move(filters)...), std::move(name));
}
/// mr::filters::apply<Rec>(filters...): drop mode, no exclusion output, no tally.
template <class Rec, quality_filter G, quality_filter... F>
auto apply(G first, F... rest) {
  return apply<Rec>(apply_options<Rec>{}, std::move(first), std::move(rest)...);
}

}  // namespace millrace::filters
