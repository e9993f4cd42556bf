// millrace/lake/containment.hpp — table containment in a data lake (after R2D2): which tables B are
// contained in which tables A (B's columns are a subset of A's by name, and every row of B,
// projected on B's columns, is a row of A projected the same way). Three pruning stages, each a
// necessary condition, then an exact check. Example: auto r =
// millrace::lake::find_containments(tables, {.sample = 16});  // r.edges sorted
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <millrace/core/parallel.hpp>
#include <millrace/core/param.hpp>
#include <millrace/lake/table.hpp>

namespace millrace::lake {

/// set: B's distinct rows must occur in A (duplicates ignored; the default).
/// bag: each row of B must occur in A at least as often as in B.
enum class semantics { set, bag };

/// Options of the containment search: set or bag semantics, sampled check, statistics stage, threads, progress.
struct containment_options {
  semantics mode = semantics::set;  ///< set (default) or bag containment
  std::size_t sample = 16;        ///< rows of B probed before the exact check (0: no sampled check)
  bool statistics = true;         ///< stage 2 on/off (off only to measure its effect)
  int threads = 0;                ///< at most this many of the current executor's threads; 0: all of them
  /// Called from worker threads as stage-3 work units finish: (done, total). Empty: no calls.
  std::function<void(std::size_t, std::size_t)> on_progress = {};

  /// Module parameters (core/param.hpp): mode ("set" or "bag"), sample, statistics, threads;
  /// mr::load_config / mr::describe / cli::add_parameters take the struct (not on_progress).
  auto parameters() {
    return millrace::params(
        millrace::param("mode", mode, "set: B's distinct rows occur in A; bag: each row of B at least as often in A")
            .one_of({{"set", semantics::set}, {"bag", semantics::bag}}),
        millrace::param("sample", sample, "rows of each candidate probed before the exact check (0: none)").range(0, 1e9),
        millrace::param("statistics", statistics, "the column-statistics pruning stage (off only to measure it)"),
        millrace::param("threads", threads, "at most this many of the executor's threads (0: all)").range(0, 4096));
  }
};

/// container ⊇ contained, as indices into the table vector.
struct containment_edge {
  std::uint32_t container = 0, contained = 0;  ///< table indexes: the superset A and the contained B
  friend bool operator==(const containment_edge&, const containment_edge&) = default;
  friend auto operator<=>(const containment_edge&, const containment_edge&) = default;
};

/// Pairs of tables that entered and left one pruning stage (for the report).
struct stage_count {
  std::string name;        ///< pairs, schema, statistics, sample, exact
  std::uint64_t edges = 0; ///< candidate edges still alive after the stage
  double seconds = 0;      ///< wall time; sample/exact: summed over threads (sample includes hashing
                           // the containers' projections), content_wall: wall time of both
};

/// The containments found, with per-stage counts.
struct containment_result {
  std::vector<containment_edge> edges;  ///< sorted by (container, contained)
  /// One entry per stage in order: pairs, schema, statistics, sample, exact, content_wall.
  std::vector<stage_count> stages;
  std::size_t schema_groups = 0;  ///< distinct schemas (sets of matched column names) among the tables
};

namespace detail {

using lake_clock = std::chrono::steady_clock;
inline double seconds_since(lake_clock::time_point t0) {
  return std::chrono::duration<double>(lake_clock::now() - t0).count();
}

// Stage 2 for one column: may the values of B's column be a subset of A's column's values?
inline bool column_may_be_contained(const column_stats& a, const column_stats& b, semantics) {
  if (b.has_null && !a.has_null) return false;
  if (b.distinct > a.distinct) return false;  // hash sets: H(B) ⊆ H(A), so |H(B)| <= |H(A)|
  if (b.type == column_type::empty) return true;
  if (a.type == column_type::empty) return false;
  if (!type_fits(b.type, a.type)) return false;
  if (a.type == column_type::integer && b.type == column_type::integer)
    return b.imin >= a.imin && b.imax <= a.imax;
  const bool a_num = a.type == column_type::integer || a.type == column_type::floating;
  const bool b_num = b.type == column_type::integer || b.type == column_type::floating;
  if (a_num && b_num) return b.dmin >= a.dmin && b.dmax <= a.dmax;  // double is monotone in both
  // Same type (date, string) or different types: canonical strings, always a sound order.
  return b.smin >= a.smin && b.smax <= a.smax;
}

// An index of A's rows projected on a column list: (hash, row) sorted; mult[i] rows share the
// content of entry i (1 when the index is over all rows, the multiplicity over distinct rows).
struct projection_view {
  const std::pair<std::uint64_t, std::uint32_t>* begin = nullptr;
  const std::pair<std::uint64_t, std::uint32_t>* end = nullptr;
  const std::uint32_t* mult = nullptr;  // null: every entry counts once
  const std::pair<std::uint64_t, std::uint32_t>* find(std::uint64_t h) const {
    return std::lower_bound(begin, end, h, [](const auto& e, std::uint64_t v) { return e.first < v; });
  }
  bool has(std::uint64_t h) const {
    auto it = find(h);
    return it != end && it->first == h;
  }
};

// Per-thread scratch of stage 3, reused across work units.
struct content_scratch {
  std::vector<std::pair<std::uint64_t, std::uint32_t>> entries;
  std::vector<std::uint32_t> cols_a, survivors;
  std::vector<std::uint64_t> probe;
  std::vector<char> found;
};

}  // namespace detail

/// Finds every ordered pair (A, B), A != B, with B contained in A. Deterministic: the result does
/// not depend on the thread count. Tables must be finish()ed with the same table_options.
inline containment_result find_containments(const std::vector<table>& tables,
                                            const containment_options& opt = {}) {
  using namespace detail;
  containment_result res;
  const std::size_t n = tables.size();
  res.stages.push_back({"pairs", n < 2 ? 0 : static_cast<std::uint64_t>(n) * (n - 1), 0});

  // ---- stage 1: schema containment over an inverted index of column names -----------------
  auto t0 = lake_clock::now();
  std::unordered_map<std::string, std::uint32_t> dict;
  std::map<std::vector<std::uint32_t>, std::uint32_t> group_of_schema;
  std::vector<std::vector<std::uint32_t>> group_keys;    // key ids, in sorted-name order
  std::vector<std::vector<std::uint32_t>> group_tables;  // ascending table index
  for (std::uint32_t t = 0; t < n; ++t) {
    std::vector<std::uint32_t> ids;
    for (const auto& k : tables[t].sorted_keys())
      ids.push_back(dict.emplace(k, static_cast<std::uint32_t>(dict.size())).first->second);
    auto [it, fresh] = group_of_schema.emplace(ids, static_cast<std::uint32_t>(group_keys.size()));
    if (fresh) {
      group_keys.push_back(ids);
      group_tables.emplace_back();
    }
    group_tables[it->second].push_back(t);
  }
  const std::size_t ng = group_keys.size();
  res.schema_groups = ng;
  std::vector<std::vector<std::uint32_t>> postings(dict.size());  // key id -> groups, ascending
  for (std::uint32_t g = 0; g < ng; ++g)
    for (auto k : group_keys[g]) postings[k].push_back(g);
  // (super group, sub group) pairs with keys(sub) ⊆ keys(super), including identical schemas.
  std::vector<std::pair<std::uint32_t, std::uint32_t>> group_pairs;
  std::uint64_t schema_edges = 0;
  for (std::uint32_t g = 0; g < ng; ++g) {
    std::vector<std::uint32_t> keys = group_keys[g];
    std::sort(keys.begin(), keys.end(),
              [&](auto a, auto b) { return postings[a].size() < postings[b].size(); });
    std::vector<std::uint32_t> cand = postings[keys[0]], tmp;
    for (std::size_t i = 1; i < keys.size() && !cand.empty(); ++i) {
      tmp.clear();
      std::set_intersection(cand.begin(), cand.end(), postings[keys[i]].begin(),
                            postings[keys[i]].end(), std::back_inserter(tmp));
      cand.swap(tmp);
    }
    for (auto h : cand) {
      const std::uint64_t na = group_tables[h].size(), nb = group_tables[g].size();
      const std::uint64_t e = h == g ? na * (na - 1) : na * nb;
      if (e == 0) continue;
      group_pairs.emplace_back(h, g);
      schema_edges += e;
    }
  }
  std::sort(group_pairs.begin(), group_pairs.end());
  res.stages.push_back({"schema", schema_edges, seconds_since(t0)});

  // The parallel stages run on the current executor's backend (serial outside a run: wrap the
  // call in mr::with_executor for threads), at most opt.threads of its threads.
  auto limited = [&](auto&& f) { millrace::with_concurrency_limit(opt.threads > 0 ? std::size_t(opt.threads) : 0, f); };

  // Position of each of sub's keys among super's sorted keys (same for every table of a group).
  auto key_positions = [&](std::uint32_t super, std::uint32_t sub) {
    const auto& sup_names = tables[group_tables[super][0]].sorted_keys();
    const auto& sub_names = tables[group_tables[sub][0]].sorted_keys();
    std::vector<std::uint32_t> pos;
    pos.reserve(sub_names.size());
    std::size_t j = 0;  // both lists are sorted, so one merge walk finds every position
    for (const auto& name : sub_names) {
      while (sup_names[j] != name) ++j;
      pos.push_back(static_cast<std::uint32_t>(j));
    }
    return pos;
  };

  // ---- stage 2: statistics, in parallel -------------------------------------
  t0 = lake_clock::now();
  struct unit {  // stage-3 work: one container against the contained tables of one group
    std::uint32_t a = 0, sub = 0, super = 0;
    std::vector<std::uint32_t> bs;
  };
  // One work item per (group pair, container): a big group cannot serialize the stage.
  std::vector<std::vector<std::uint32_t>> positions(group_pairs.size());
  std::vector<std::pair<std::uint32_t, std::uint32_t>> items;  // (group pair, container table)
  for (std::size_t p = 0; p < group_pairs.size(); ++p) {
    positions[p] = key_positions(group_pairs[p].first, group_pairs[p].second);
    for (auto a : group_tables[group_pairs[p].first]) items.emplace_back(static_cast<std::uint32_t>(p), a);
  }
  std::vector<unit> item_units(items.size());
  limited([&] {
    millrace::parallel_for(0, items.size(), 8, [&](std::size_t lo, std::size_t hi) {
      for (std::size_t it = lo; it != hi; ++it) {
        const auto [p, a] = items[it];
        const auto [h, g] = group_pairs[p];
        const auto& pos = positions[p];
        const table& A = tables[a];
        unit& u = item_units[it];
        u.a = a;
        u.sub = g;
        u.super = h;
        for (auto b : group_tables[g]) {
          if (a == b) continue;
          const table& B = tables[b];
          bool ok = true;
          if (opt.statistics) {
            if (opt.mode == semantics::set) ok = B.distinct_rows().size() <= A.distinct_rows().size();
            else ok = B.rows() <= A.rows();
            for (std::size_t i = 0; ok && i < pos.size(); ++i)
              ok = column_may_be_contained(A.stats()[A.key_order()[pos[i]]], B.stats()[B.key_order()[i]],
                                           opt.mode);
          }
          if (ok) u.bs.push_back(b);
        }
      }
    });
  });
  std::vector<unit> units;
  std::uint64_t stat_edges = 0;
  std::vector<std::size_t> unit_pair;
  for (std::size_t it = 0; it < items.size(); ++it)
    if (!item_units[it].bs.empty()) {
      stat_edges += item_units[it].bs.size();
      unit_pair.push_back(items[it].first);
      units.push_back(std::move(item_units[it]));
    }
  item_units.clear();
  res.stages.push_back({"statistics", stat_edges, seconds_since(t0)});

  // ---- stage 3: content, sampled then exact, per unit in parallel --------------------------
  t0 = lake_clock::now();
  std::vector<std::vector<std::uint32_t>> accepted(units.size());
  std::atomic<std::uint64_t> after_sample{0};
  std::atomic<std::int64_t> sample_ns{0}, exact_ns{0};
  std::atomic<std::size_t> done{0};
  millrace::per_thread<content_scratch> scratch;
  limited([&] {
    millrace::parallel_for(0, units.size(), 1, [&](std::size_t lo, std::size_t hi) {
      content_scratch& sc = scratch.local();
      for (std::size_t ui = lo; ui != hi; ++ui) {
        const unit& u = units[ui];
        const table& A = tables[u.a];
        const auto& pos = positions[unit_pair[ui]];
        auto& cols_a = sc.cols_a;
        cols_a.resize(pos.size());
        for (std::size_t i = 0; i < pos.size(); ++i) cols_a[i] = A.key_order()[pos[i]];
        auto ts = lake_clock::now();
        projection_view idx;
        sc.survivors.clear();
        if (u.sub == u.super) {  // A's own distinct-row index is the index: probe it directly
          idx.begin = A.distinct_index().data();
          idx.end = idx.begin + A.distinct_index().size();
          idx.mult = A.multiplicity().data();
          // Sampled check: the k distinct rows of B with the smallest hashes (content-defined, so
          // deterministic), probed by hash only; a missing hash proves a missing row.
          for (auto b : u.bs) {
            const auto& bidx = tables[b].distinct_index();
            bool ok = true;
            for (std::size_t i = 0; ok && i < std::min(opt.sample, bidx.size()); ++i) ok = idx.has(bidx[i].first);
            if (ok) sc.survivors.push_back(b);
          }
        } else {
          sc.entries.resize(A.rows());
          for (std::uint32_t r = 0; r < A.rows(); ++r) sc.entries[r] = {A.hash_row(r, cols_a), r};
          if (opt.sample == 0) {
            sc.survivors = u.bs;
          } else {
            // The same sampled check, as one streaming pass over A's projected hashes against the
            // sorted sample hashes of every B of the unit: A is sorted only if a B survives.
            sc.probe.clear();
            for (auto b : u.bs) {
              const auto& bidx = tables[b].distinct_index();
              for (std::size_t i = 0; i < std::min(opt.sample, bidx.size()); ++i) sc.probe.push_back(bidx[i].first);
            }
            std::sort(sc.probe.begin(), sc.probe.end());
            sc.probe.erase(std::unique(sc.probe.begin(), sc.probe.end()), sc.probe.end());
            sc.found.assign(sc.probe.size(), 0);
            for (const auto& e : sc.entries) {
              auto it = std::lower_bound(sc.probe.begin(), sc.probe.end(), e.first);
              if (it != sc.probe.end() && *it == e.first) sc.found[static_cast<std::size_t>(it - sc.probe.begin())] = 1;
            }
            for (auto b : u.bs) {
              const auto& bidx = tables[b].distinct_index();
              bool ok = true;
              for (std::size_t i = 0; ok && i < std::min(opt.sample, bidx.size()); ++i) {
                auto it = std::lower_bound(sc.probe.begin(), sc.probe.end(), bidx[i].first);
                ok = sc.found[static_cast<std::size_t>(it - sc.probe.begin())] != 0;
              }
              if (ok) sc.survivors.push_back(b);
            }
          }
          if (!sc.survivors.empty()) std::sort(sc.entries.begin(), sc.entries.end());
          idx.begin = sc.entries.data();
          idx.end = idx.begin + sc.entries.size();
        }
        auto te = lake_clock::now();
        sample_ns += (te - ts).count();
        after_sample += sc.survivors.size();
        // Exact check: every distinct row of B, confirmed by content (no false positives).
        for (auto b : sc.survivors) {
          const table& B = tables[b];
          const auto& bidx = B.distinct_index();
          bool ok = true;
          for (std::size_t d = 0; ok && d < bidx.size(); ++d) {
            const auto [h, rb] = bidx[d];
            std::uint64_t count = 0;
            for (auto it = idx.find(h); it != idx.end && it->first == h; ++it) {
              bool same = true;
              for (std::size_t i = 0; same && i < cols_a.size(); ++i)
                same = B.cell(rb, B.key_order()[i]) == A.cell(it->second, cols_a[i]);
              if (!same) continue;
              count += idx.mult ? idx.mult[it - idx.begin] : 1;
              if (opt.mode == semantics::set) break;
            }
            ok = opt.mode == semantics::set ? count > 0 : count >= B.multiplicity()[d];
          }
          if (ok) accepted[ui].push_back(b);
        }
        exact_ns += (lake_clock::now() - te).count();
        const std::size_t k = ++done;
        if (opt.on_progress) opt.on_progress(k, units.size());
      }
    });
  });
  const double content_s = seconds_since(t0);
  for (std::size_t ui = 0; ui < units.size(); ++ui)
    for (auto b : accepted[ui]) res.edges.push_back({units[ui].a, b});
  std::sort(res.edges.begin(), res.edges.end());
  res.stages.push_back({"sample", after_sample.load(), static_cast<double>(sample_ns.load()) * 1e-9});
  res.stages.push_back({"exact", res.edges.size(), static_cast<double>(exact_ns.load()) * 1e-9});
  res.stages.push_back({"content_wall", res.edges.size(), content_s});
  return res;
}

}  // namespace millrace::lake
