#include <doctest/doctest.h>

#include <millrace/core/module.hpp>
#include <millrace/lake/plan.hpp>
#include <millrace/synth/lake.hpp>

namespace lk = millrace::lake;

namespace {

// Feasibility: every deleted table's ancestor is retained, contains it, and meets the bound.
void check_feasible(const lk::deletion_plan& p, const std::vector<std::uint64_t>& bytes,
                    const std::vector<lk::containment_edge>& edges, const lk::plan_options& o) {
  std::vector<char> del(bytes.size(), 0);
  for (const auto& e : p.deleted) del[e.table] = 1;
  double obj = 0;
  for (const auto& e : p.deleted) {
    CHECK_FALSE(del[e.ancestor]);
    CHECK(std::find(edges.begin(), edges.end(), lk::containment_edge{e.ancestor, e.table}) != edges.end());
    CHECK(e.latency_s <= o.max_latency_s);
    obj += static_cast<double>(bytes[e.table]) - o.cost_per_byte * static_cast<double>(bytes[e.ancestor]);
  }
  CHECK(p.objective == doctest::Approx(obj));
}

// A random containment relation over n tables: transitive and with identical-table cycles, like a
// real one (a random DAG of "derived from" plus copies).
std::vector<lk::containment_edge> random_relation(millrace::splitmix64& r, std::size_t n) {
  std::vector<std::vector<char>> c(n, std::vector<char>(n, 0));
  for (std::size_t b = 1; b < n; ++b) {
    const std::size_t a = r.below_unbiased(b);
    c[a][b] = 1;
    if (r.uniform() < 0.2) c[b][a] = 1;  // an identical copy
    if (r.uniform() < 0.3) c[r.below_unbiased(b)][b] = 1;
  }
  for (std::size_t k = 0; k < n; ++k)  // transitive closure
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < n; ++j)
        if (c[i][k] && c[k][j]) c[i][j] = 1;
  std::vector<lk::containment_edge> e;
  for (std::uint32_t i = 0; i < n; ++i)
    for (std::uint32_t j = 0; j < n; ++j)
      if (i != j && c[i][j]) e.push_back({i, j});
  return e;
}

}  // namespace

TEST_CASE("lake.plan.tiny.ilp_equals_brute_force.greedy_feasible") {
  for (std::uint64_t seed = 1; seed <= 12; ++seed) {
    CAPTURE(seed);
    millrace::splitmix64 r{seed};
    const std::size_t n = 4 + r.below_unbiased(8);  // 4..11 tables
    std::vector<std::uint64_t> bytes(n);
    for (auto& b : bytes) b = 1000 + r.below_unbiased(100000);
    const auto edges = random_relation(r, n);
    lk::plan_options o{.max_latency_s = 0.0008, .scan_bytes_per_s = 100e6, .fixed_latency_s = 0.0001,
                       .cost_per_byte = 0.2};
    const auto bf = lk::plan_deletions(bytes, edges, o, lk::plan_method::brute_force);
    const auto ilp = lk::plan_deletions(bytes, edges, o, lk::plan_method::ilp);
    const auto gr = lk::plan_deletions(bytes, edges, o, lk::plan_method::greedy);
    CHECK(ilp.method == "ilp");
    CHECK(ilp.optimal);
    CHECK(ilp.objective == doctest::Approx(bf.objective));
    CHECK(gr.objective <= bf.objective + 1e-6);
    check_feasible(bf, bytes, edges, o);
    check_feasible(ilp, bytes, edges, o);
    check_feasible(gr, bytes, edges, o);
  }
}

TEST_CASE("lake.plan.latency_bound_and_cycles") {
  // t0 == t1 (identical), both contain t2; t0 is huge (slow to rebuild from).
  std::vector<std::uint64_t> bytes = {50'000'000, 1'000'000, 400'000};
  std::vector<lk::containment_edge> edges = {{0, 1}, {0, 2}, {1, 0}, {1, 2}};
  lk::plan_options o{.max_latency_s = 0.1, .scan_bytes_per_s = 100e6, .fixed_latency_s = 0,
                     .cost_per_byte = 0.01};
  auto p = lk::plan_deletions(bytes, edges, o);
  CHECK(p.method == "ilp");
  // Deleting t0 (rebuilt from t1 in 0.01 s) saves the most; t2 is rebuilt from t1 too. t1 must
  // stay: never both halves of an identical pair.
  CHECK(p.deleted == std::vector<lk::plan_entry>{{0, 1, 0.01, 10000}, {2, 1, 0.01, 10000}});
  // With a bound below t1's rebuild time nothing can go.
  o.max_latency_s = 0.001;
  CHECK(lk::plan_deletions(bytes, edges, o).deleted.empty());
  // Above the ILP size limit the greedy plan is used.
  o.max_latency_s = 0.1;
  o.ilp_max_pairs = 1;
  auto g = lk::plan_deletions(bytes, edges, o);
  CHECK(g.method == "greedy");
  check_feasible(g, bytes, edges, o);
}

TEST_CASE("lake.options.are_modules") {
  // plan_options and containment_options load from JSON by their fields' names, with ranges and
  // the mode's choices checked (the error names the parameter), and describe themselves.
  lk::plan_options po;
  millrace::load_config(po, R"({"max_latency_s": 2.5, "ilp_max_pairs": 7})");
  CHECK(po.max_latency_s == 2.5);
  CHECK(po.ilp_max_pairs == 7);
  CHECK_THROWS_WITH_AS(millrace::load_config(po, R"({"scan_bytes_per_s": 0})"),
                       doctest::Contains("parameter 'scan_bytes_per_s' must be in (0, "), millrace::config_error);
  CHECK(po.scan_bytes_per_s == 100e6);  // a refused value leaves the field as it was
  lk::containment_options co;
  millrace::load_config(co, R"({"mode": "bag", "sample": 0})");
  CHECK(co.mode == lk::semantics::bag);
  CHECK(co.sample == 0);
  CHECK_THROWS_AS(millrace::load_config(co, R"({"mode": "multiset"})"), millrace::config_error);
  CHECK(millrace::describe(co).find("mode = \"bag\"") != std::string::npos);
}
