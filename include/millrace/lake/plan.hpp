// millrace/lake/plan.hpp — deletion plan over a containment relation: which tables could be deleted
// because a retained container can rebuild them, maximizing storage saved minus reconstruction
// cost, each rebuild within a latency bound estimated from the container's size. Exact (GLPK ILP)
// for small lakes, greedy above a size limit. The plan is only reported: nothing is ever deleted.
// Example: auto p = millrace::lake::plan_deletions(sizes, result.edges, {.max_latency_s = 2});
// Needs GLPK: link `glpk` (Debian libglpk-dev).
#pragma once

#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include <glpk.h>

#include <millrace/core/param.hpp>
#include <millrace/lake/containment.hpp>

namespace millrace::lake {

/// Bounds and cost model of the deletion planner: rebuild latency, scan speed, reconstruction cost, ILP limits.
struct plan_options {
  double max_latency_s = 5.0;        ///< a deleted table must be rebuildable within this bound
  double scan_bytes_per_s = 100e6;   ///< estimated rebuild speed: reading the container
  double fixed_latency_s = 0.01;     ///< estimated per-rebuild overhead
  double cost_per_byte = 0.05;       ///< reconstruction cost, in bytes of gain per container byte
  std::size_t ilp_max_pairs = 20000; ///< exact ILP up to this many (deleted, ancestor) candidates
  double ilp_time_limit_s = 20;      ///< beyond this GLPK's best solution is kept (not proven optimal)

  /// Module parameters (core/param.hpp), with their ranges: every field above, by its name.
  auto parameters() {
    return millrace::params(
        millrace::param("max_latency_s", max_latency_s, "rebuild-time bound per deleted table, seconds").range(0, 1e12),
        millrace::param("scan_bytes_per_s", scan_bytes_per_s, "estimated rebuild speed, bytes/s").range(0, 1e15).exclusive_min(),
        millrace::param("fixed_latency_s", fixed_latency_s, "estimated per-rebuild overhead, seconds").range(0, 1e6),
        millrace::param("cost_per_byte", cost_per_byte, "reconstruction cost per container byte").range(0, 1e12),
        millrace::param("ilp_max_pairs", ilp_max_pairs, "exact ILP up to this many candidate pairs, greedy above").range(0, 1e12),
        millrace::param("ilp_time_limit_s", ilp_time_limit_s, "GLPK's time limit; then its best solution is kept, seconds")
            .range(0, 1e9).exclusive_min());
  }
};

/// The solver the deletion planner uses (automatic picks the ILP when GLPK is built in).
enum class plan_method { automatic, ilp, greedy, brute_force };

/// What the plan must respect beyond containment, per table index.
struct plan_constraints {
  std::vector<bool> keep;          ///< keep[t]: never delete t (e.g. its file lies outside the lake,
                                   // reached by a symlink); it may still be an ancestor. Empty: none
  std::vector<std::string> names;  ///< table names for error messages; empty: "table #t"
};

/// One deleted table and the table it is rebuilt from.
struct plan_entry {
  std::uint32_t table = 0;     ///< deleted
  std::uint32_t ancestor = 0;  ///< retained container it is rebuilt from
  double latency_s = 0;        ///< estimated rebuild time
  double cost = 0;             ///< reconstruction cost (cost_per_byte * ancestor bytes)
  friend bool operator==(const plan_entry&, const plan_entry&) = default;
};

/// Which tables to delete, how they are rebuilt, and the bytes freed.
struct deletion_plan {
  std::string method;              ///< "ilp", "greedy" or "brute_force"
  bool optimal = false;            ///< proven optimal (ilp finished, or brute force)
  std::vector<plan_entry> deleted; ///< sorted by table
  std::uint64_t bytes_saved = 0;   ///< summed bytes() of the deleted tables
  double cost = 0;                 ///< summed reconstruction cost of the deleted tables
  double objective = 0;            ///< bytes_saved - cost
  std::size_t candidate_pairs = 0; ///< eligible (deleted, ancestor) pairs with a positive gain
};

namespace detail {

struct plan_pair {
  std::uint32_t d, a;
  double gain, latency, cost;
};

inline std::string table_name(const plan_constraints& c, std::uint32_t t) {
  return t < c.names.size() ? c.names[t] : "table #" + std::to_string(t);
}

// A table rebuilt from itself would be deleted with nothing left to rebuild it from: such an edge
// (e.g. one file listed under two names) is a bug upstream, never a plan.
inline void check_not_own_ancestor(const plan_constraints& c, std::uint32_t d, std::uint32_t a) {
  if (d == a)
    throw std::logic_error("deletion plan: " + table_name(c, d) + " would be rebuilt from itself");
}

inline std::vector<plan_pair> eligible_pairs(const std::vector<std::uint64_t>& bytes,
                                             const std::vector<containment_edge>& edges,
                                             const plan_options& o, const plan_constraints& c) {
  std::vector<plan_pair> out;
  for (const auto& e : edges) {
    check_not_own_ancestor(c, e.contained, e.container);
    if (!c.keep.empty() && c.keep[e.contained]) continue;
    const double lat = o.fixed_latency_s + static_cast<double>(bytes[e.container]) / o.scan_bytes_per_s;
    const double cost = o.cost_per_byte * static_cast<double>(bytes[e.container]);
    const double gain = static_cast<double>(bytes[e.contained]) - cost;
    if (lat <= o.max_latency_s && gain > 0) out.push_back({e.contained, e.container, gain, lat, cost});
  }
  std::sort(out.begin(), out.end(), [](const plan_pair& x, const plan_pair& y) {
    return x.d != y.d ? x.d < y.d : x.a < y.a;
  });
  return out;
}

inline deletion_plan finish_plan(std::string method, bool optimal, const std::vector<plan_pair>& pairs,
                                 const std::vector<std::size_t>& chosen,
                                 const std::vector<std::uint64_t>& bytes, const plan_constraints& c) {
  deletion_plan p;
  p.method = std::move(method);
  p.optimal = optimal;
  p.candidate_pairs = pairs.size();
  for (auto i : chosen) {
    const auto& q = pairs[i];
    // Re-checked on the chosen entries: whatever the solver did, these never reach a plan.
    check_not_own_ancestor(c, q.d, q.a);
    if (!c.keep.empty() && c.keep[q.d])
      throw std::logic_error("deletion plan: " + table_name(c, q.d) + " is marked keep but was chosen");
    p.deleted.push_back({q.d, q.a, q.latency, q.cost});
    p.bytes_saved += bytes[q.d];
    p.cost += q.cost;
  }
  std::sort(p.deleted.begin(), p.deleted.end(),
            [](const plan_entry& x, const plan_entry& y) { return x.table < y.table; });
  p.objective = static_cast<double>(p.bytes_saved) - p.cost;
  return p;
}

// Highest gain first; delete d when it is neither deleted nor needed as an ancestor and its
// ancestor is still retained (then the ancestor is pinned).
inline std::vector<std::size_t> greedy_choice(const std::vector<plan_pair>& pairs, std::size_t n) {
  std::vector<std::size_t> order(pairs.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t x, std::size_t y) { return pairs[x].gain > pairs[y].gain; });
  std::vector<char> deleted(n, 0), pinned(n, 0);
  std::vector<std::size_t> chosen;
  for (auto i : order) {
    const auto& q = pairs[i];
    if (deleted[q.d] || pinned[q.d] || deleted[q.a]) continue;
    deleted[q.d] = 1;
    pinned[q.a] = 1;
    chosen.push_back(i);
  }
  return chosen;
}

// max sum gain*y  s.t.  sum_a y[d,a] = x[d];  y[d,a] + x[a] <= 1;  x, y binary.
inline std::vector<std::size_t> ilp_choice(const std::vector<plan_pair>& pairs, std::size_t n,
                                           const plan_options& o, bool& optimal) {
  optimal = true;
  if (pairs.empty()) return {};  // GLPK aborts on an empty problem
  std::vector<int> xcol(n, 0);
  glp_term_out(GLP_OFF);
  glp_prob* lp = glp_create_prob();
  glp_set_obj_dir(lp, GLP_MAX);
  const int ny = static_cast<int>(pairs.size());
  glp_add_cols(lp, ny);
  for (int j = 1; j <= ny; ++j) {
    glp_set_col_kind(lp, j, GLP_BV);
    glp_set_obj_coef(lp, j, pairs[static_cast<std::size_t>(j - 1)].gain);
  }
  int nx = 0;
  for (const auto& q : pairs)
    if (!xcol[q.d]) xcol[q.d] = ny + ++nx;
  if (nx) glp_add_cols(lp, nx);
  for (std::size_t t = 0; t < n; ++t)
    if (xcol[t]) glp_set_col_kind(lp, xcol[t], GLP_BV);
  std::vector<int> ia{0}, ja{0};
  std::vector<double> ar{0};
  int row = 0;
  // one row per deleted candidate: sum_a y[d,a] - x[d] = 0
  std::vector<int> drow(n, 0);
  for (std::size_t t = 0; t < n; ++t)
    if (xcol[t]) {
      drow[t] = ++row;
      glp_add_rows(lp, 1);
      glp_set_row_bnds(lp, row, GLP_FX, 0, 0);
      ia.push_back(row), ja.push_back(xcol[t]), ar.push_back(-1);
    }
  for (int j = 1; j <= ny; ++j) {
    const auto& q = pairs[static_cast<std::size_t>(j - 1)];
    ia.push_back(drow[q.d]), ja.push_back(j), ar.push_back(1);
    if (xcol[q.a]) {  // the ancestor must be retained
      glp_add_rows(lp, 1);
      ++row;
      glp_set_row_bnds(lp, row, GLP_UP, 0, 1);
      ia.push_back(row), ja.push_back(j), ar.push_back(1);
      ia.push_back(row), ja.push_back(xcol[q.a]), ar.push_back(1);
    }
  }
  glp_load_matrix(lp, static_cast<int>(ia.size()) - 1, ia.data(), ja.data(), ar.data());
  glp_iocp parm;
  glp_init_iocp(&parm);
  parm.presolve = GLP_ON;
  parm.msg_lev = GLP_MSG_OFF;
  parm.tm_lim = static_cast<int>(o.ilp_time_limit_s * 1000);
  const int rc = glp_intopt(lp, &parm);
  const int st = glp_mip_status(lp);
  std::vector<std::size_t> chosen;
  optimal = rc == 0 && st == GLP_OPT;
  if ((rc == 0 || rc == GLP_ETMLIM) && (st == GLP_OPT || st == GLP_FEAS))
    for (int j = 1; j <= ny; ++j)
      if (glp_mip_col_val(lp, j) > 0.5) chosen.push_back(static_cast<std::size_t>(j - 1));
  glp_delete_prob(lp);
  return chosen;
}

// Exhaustive search over deletion sets (reference for tests; n <= 20).
inline std::vector<std::size_t> brute_force_choice(const std::vector<plan_pair>& pairs, std::size_t n) {
  if (n > 20) throw std::invalid_argument("brute-force plan: more than 20 tables");
  double best = 0;
  std::vector<std::size_t> best_chosen;
  for (std::uint32_t mask = 1; mask < (1u << n); ++mask) {
    double total = 0;
    std::vector<std::size_t> chosen;
    bool feasible = true;
    for (std::uint32_t d = 0; d < n && feasible; ++d) {
      if (!(mask >> d & 1)) continue;
      std::size_t pick = pairs.size();
      for (std::size_t i = 0; i < pairs.size(); ++i)
        if (pairs[i].d == d && !(mask >> pairs[i].a & 1) &&
            (pick == pairs.size() || pairs[i].gain > pairs[pick].gain))
          pick = i;
      if (pick == pairs.size()) feasible = false;
      else {
        total += pairs[pick].gain;
        chosen.push_back(pick);
      }
    }
    if (feasible && total > best) {
      best = total;
      best_chosen = chosen;
    }
  }
  return best_chosen;
}

}  // namespace detail

/// bytes[t]: storage of table t; edges: the containment relation (container ⊇ contained); c: tables
/// never deleted and names for errors. Throws std::logic_error naming the table if an edge (or a
/// chosen entry) would rebuild a table from itself, std::invalid_argument on a keep of the wrong size.
inline deletion_plan plan_deletions(const std::vector<std::uint64_t>& bytes,
                                    const std::vector<containment_edge>& edges,
                                    const plan_options& o = {},
                                    plan_method m = plan_method::automatic,
                                    const plan_constraints& c = {}) {
  if (!c.keep.empty() && c.keep.size() != bytes.size())
    throw std::invalid_argument("deletion plan: keep has " + std::to_string(c.keep.size()) +
                                " entries for " + std::to_string(bytes.size()) + " tables");
  const auto pairs = detail::eligible_pairs(bytes, edges, o, c);
  const std::size_t n = bytes.size();
  auto finish = [&](const char* method, bool optimal, const std::vector<std::size_t>& chosen) {
    return detail::finish_plan(method, optimal, pairs, chosen, bytes, c);
  };
  if (m == plan_method::automatic)
    m = pairs.size() <= o.ilp_max_pairs ? plan_method::ilp : plan_method::greedy;
  if (m == plan_method::brute_force) return finish("brute_force", true, detail::brute_force_choice(pairs, n));
  if (m == plan_method::ilp) {
    bool optimal = false;
    auto chosen = detail::ilp_choice(pairs, n, o, optimal);
    auto p = finish("ilp", optimal, chosen);
    if (!optimal) {  // time limit: keep whichever of GLPK's incumbent and greedy is better
      auto g = finish("greedy", false, detail::greedy_choice(pairs, n));
      if (g.objective > p.objective) return g;
    }
    return p;
  }
  return finish("greedy", false, detail::greedy_choice(pairs, n));
}

}  // namespace millrace::lake
