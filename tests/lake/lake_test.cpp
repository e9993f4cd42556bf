#include <doctest/doctest.h>

#include <set>

#include <millrace/core.hpp>
#include <millrace/lake/brute_force.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/synth/lake.hpp>

namespace lk = millrace::lake;
namespace sy = millrace::synth;

static std::vector<lk::table> to_tables(const sy::lake& l, const lk::table_options& o = {}) {
  std::vector<lk::table> ts;
  for (const auto& t : l.tables) ts.push_back(lk::table::from_rows(t.path, t.header, t.rows, o));
  return ts;
}

TEST_CASE("lake.values.canonical") {
  CHECK(lk::canonicalize(" 007 ") == "7");
  CHECK(lk::canonicalize("+5") == "5");
  CHECK(lk::canonicalize("-0") == "0");
  CHECK(lk::canonicalize("2.50") == "2.5");
  CHECK(lk::canonicalize("2.0") == "2");
  CHECK(lk::canonicalize("1e3") == "1000");
  CHECK(lk::canonicalize("inf") == "inf");
  CHECK(lk::canonicalize("1-2") == "1-2");
  CHECK(lk::canonicalize("007", false) == "007");
  CHECK(lk::kind_of("2024-02-29") == lk::value_kind::date);
  CHECK(lk::kind_of("2023-02-29") == lk::value_kind::string);
  CHECK(lk::kind_of("12") == lk::value_kind::integer);
  CHECK(lk::kind_of("1.5") == lk::value_kind::floating);
  CHECK(lk::kind_of("") == lk::value_kind::null);
}

// Numbers compare by exact decimal value: pairs that one double cannot tell apart stay different,
// respellings of one value stay equal.
TEST_CASE("lake.values.exact_decimal") {
  CHECK(lk::canonicalize("8.000000000000001") != lk::canonicalize("8.000000000000002"));
  CHECK(lk::canonicalize("9007199254740993.0") != lk::canonicalize("9007199254740992"));
  CHECK(lk::canonicalize("9007199254740993.0") == "9007199254740993");
  CHECK(lk::canonicalize("100000000000000000001") != lk::canonicalize("100000000000000000000"));
  CHECK(lk::canonicalize("1.50") == lk::canonicalize("1.5"));
  CHECK(lk::canonicalize("007") == lk::canonicalize("7"));
  CHECK(lk::canonicalize("1e2") == lk::canonicalize("100"));
  CHECK(lk::canonicalize("1e2") == "100");
  CHECK(lk::canonicalize("-0.000") == "0");
  CHECK(lk::canonicalize(".5") == "0.5");
  CHECK(lk::canonicalize("12.340e-1") == "1.234");
  CHECK(lk::canonicalize("0.000000012") == "1.2e-8");
  CHECK(lk::canonicalize("1e21") == lk::canonicalize("1000000000000000000000"));
  CHECK(lk::canonicalize("1e21") == "1e21");
  CHECK(lk::canonicalize("1E400") == "1e400");
  CHECK(lk::canonicalize("+-5") == "+-5");
  CHECK(lk::kind_of(lk::canonicalize("1e400")) == lk::value_kind::floating);
  CHECK(lk::kind_of(lk::canonicalize("9007199254740993.0")) == lk::value_kind::integer);

  // Tables: neither value of a pair is contained in a table of the other.
  const std::vector<std::pair<std::string, std::string>> pairs = {
      {"8.000000000000001", "8.000000000000002"}, {"9007199254740993.0", "9007199254740992"}};
  for (const auto& [x, y] : pairs) {
    CAPTURE(x);
    std::vector<lk::table> ts;
    ts.push_back(lk::table::from_rows("a.csv", {"v"}, {{x}}));
    ts.push_back(lk::table::from_rows("b.csv", {"v"}, {{y}}));
    CHECK(lk::find_containments(ts, {.sample = 0}).edges.empty());
    CHECK(lk::find_containments(ts, {.sample = 4}).edges.empty());
    CHECK(lk::brute_force_containments(ts).empty());
  }
  // Equal values written differently are still found.
  std::vector<lk::table> eq;
  eq.push_back(lk::table::from_rows("a.csv", {"v"}, {{"1.50"}, {"007"}, {"1e2"}}));
  eq.push_back(lk::table::from_rows("b.csv", {"v"}, {{"1.5"}, {"7"}, {"100"}}));
  CHECK(lk::find_containments(eq).edges == std::vector<lk::containment_edge>{{0, 1}, {1, 0}});
}

// min/max statistics over doubles never reject a true containment, even when distinct decimals
// share one double (here every value of A rounds to 8 or to 2^53).
TEST_CASE("lake.values.statistics_no_false_negative_near_double_precision") {
  std::vector<lk::table> ts;
  ts.push_back(lk::table::from_rows("a.csv", {"v", "w"},
                                    {{"8.000000000000001", "9007199254740993"},
                                     {"8.000000000000002", "9007199254740995.5"},
                                     {"8.000000000000003", "1e400"}}));
  ts.push_back(lk::table::from_rows("b.csv", {"v", "w"}, {{"8.000000000000002", "9007199254740995.5"}}));
  ts.push_back(lk::table::from_rows("c.csv", {"v", "w"}, {{"8.000000000000003", "1e400"}}));
  ts.push_back(lk::table::from_rows("d.csv", {"v"}, {{"8.000000000000004"}}));
  const auto want = lk::brute_force_containments(ts);
  CHECK(want == std::vector<lk::containment_edge>{{0, 1}, {0, 2}});
  CHECK(lk::find_containments(ts, {.sample = 0}).edges == want);
  CHECK(lk::find_containments(ts, {.sample = 4}).edges == want);
}

TEST_CASE("lake.containment.brute_force.seeds") {
  for (std::uint64_t seed : {1u, 2u, 3u, 4u}) {
    CAPTURE(seed);
    auto tables = to_tables(sy::generate_lake({.seed = seed, .tables = 120}));
    const auto want = lk::brute_force_containments(tables);
    for (int threads : {1, 2}) {  // the option caps the executor's 2 threads
      CAPTURE(threads);
      auto got = millrace::with_executor(millrace::cpu{.threads = 2}, [&] {
        return lk::find_containments(tables, {.sample = 4, .threads = threads});
      });
      CHECK(got.edges == want);
    }
    MESSAGE("seed " << seed << ": " << want.size() << " containments");
  }
}

namespace {

bool has_edge(const lk::containment_result& r, std::uint32_t a, std::uint32_t b) {
  return std::binary_search(r.edges.begin(), r.edges.end(), lk::containment_edge{a, b});
}

const lk::stage_count& stage(const lk::containment_result& r, const std::string& name) {
  for (const auto& s : r.stages)
    if (s.name == name) return s;
  throw std::runtime_error("no stage " + name);
}

using rows_t = std::vector<std::vector<std::string>>;

}  // namespace

TEST_CASE("lake.stages.monotone_and_pruning") {
  auto tables = to_tables(sy::generate_lake({.seed = 11, .tables = 150}));
  auto r = lk::find_containments(tables, {.sample = 4});
  const auto pairs = stage(r, "pairs").edges, schema = stage(r, "schema").edges,
             stats = stage(r, "statistics").edges, sample = stage(r, "sample").edges,
             exact = stage(r, "exact").edges;
  CHECK(pairs == 150u * 149u);
  CHECK(schema <= pairs);
  CHECK(stats <= schema);
  CHECK(sample <= stats);
  CHECK(exact <= sample);
  CHECK(exact == r.edges.size());
  // Each stage prunes something on a generated lake (else it is dead code).
  CHECK(schema < pairs);
  CHECK(stats < schema);
  CHECK(sample < stats);
  // Switching off statistics and sampling changes the work, never the answer.
  auto plain = lk::find_containments(tables, {.sample = 0, .statistics = false});
  CHECK(plain.edges == r.edges);
  CHECK(stage(plain, "statistics").edges == schema);
}

TEST_CASE("lake.mutation.one_row.rejected_by_exact") {
  // A is 40 rows; B is a sample of A with one cell swapped for another value of its column, so
  // every statistic still fits and only the content check can tell.
  rows_t a;
  for (int i = 0; i < 40; ++i) a.push_back({std::to_string(i), std::to_string(i % 7), std::string(1, static_cast<char>('a' + i % 5))});
  rows_t b(a.begin(), a.begin() + 30);
  b[17][1] = b[18][1];  // row (17, 4, c) does not exist in A
  std::vector<lk::table> ts;
  ts.push_back(lk::table::from_rows("a.csv", {"id", "k", "s"}, a));
  ts.push_back(lk::table::from_rows("b.csv", {"id", "k", "s"}, b));
  auto r = lk::find_containments(ts, {.sample = 0});
  CHECK(stage(r, "statistics").edges == 1u);  // A ⊇ B survives statistics; B ⊇ A has too few rows
  CHECK(stage(r, "sample").edges == stage(r, "statistics").edges);
  CHECK_FALSE(has_edge(r, 0, 1));
  CHECK(r.edges.empty());
  // Unmutated, the same B is found.
  rows_t b2(a.begin(), a.begin() + 30);
  ts[1] = lk::table::from_rows("b.csv", {"id", "k", "s"}, b2);
  auto r2 = lk::find_containments(ts, {.sample = 0});
  CHECK(has_edge(r2, 0, 1));
  CHECK_FALSE(has_edge(r2, 1, 0));
}

TEST_CASE("lake.mutation.generated.never_found") {
  auto lake = sy::generate_lake({.seed = 5, .tables = 200});
  auto tables = to_tables(lake);
  auto r = lk::find_containments(tables);
  std::size_t mutated = 0;
  for (std::size_t i = 0; i < lake.tables.size(); ++i)
    if (lake.tables[i].kind == sy::derivation::mutated) {
      ++mutated;
      CHECK_FALSE(has_edge(r, static_cast<std::uint32_t>(lake.tables[i].parent), static_cast<std::uint32_t>(i)));
    }
  CHECK(mutated > 0);
}

TEST_CASE("lake.reordered.columns_and_rows.found") {
  rows_t a = {{"1", "x", "2020-01-02"}, {"2", "y", "2020-01-03"}, {"3", "z", ""}, {"4", "x", "2021-05-06"}};
  // B: columns (date, id) in another order, rows reversed, numbers respelled.
  rows_t b = {{"2021-05-06", "004"}, {"", "+3"}, {"2020-01-02", " 1 "}};
  std::vector<lk::table> ts;
  ts.push_back(lk::table::from_rows("a.csv", {"id", "name", "when"}, a));
  ts.push_back(lk::table::from_rows("b.csv", {"when", "id"}, b));
  for (std::size_t k : {0u, 1u, 16u}) {
    CAPTURE(k);
    auto r = lk::find_containments(ts, {.sample = k});
    CHECK(r.edges == std::vector<lk::containment_edge>{{0, 1}});
  }
  // And on generated lakes: every reorder/shuffle/copy/projection/selection/sample child is found.
  auto lake = sy::generate_lake({.seed = 9, .tables = 200});
  auto tables = to_tables(lake);
  auto r = lk::find_containments(tables);
  std::size_t checked = 0;
  for (std::size_t i = 0; i < lake.tables.size(); ++i) {
    const auto k = lake.tables[i].kind;
    if (k == sy::derivation::reorder_columns || k == sy::derivation::shuffle_rows ||
        k == sy::derivation::copy || k == sy::derivation::projection ||
        k == sy::derivation::selection || k == sy::derivation::sample) {
      ++checked;
      CHECK(has_edge(r, static_cast<std::uint32_t>(lake.tables[i].parent), static_cast<std::uint32_t>(i)));
    }
    if (k == sy::derivation::copy || k == sy::derivation::reorder_columns || k == sy::derivation::shuffle_rows)
      CHECK(has_edge(r, static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(lake.tables[i].parent)));
  }
  CHECK(checked > 50);
}

TEST_CASE("lake.renamed.not_found.case_insensitive_option") {
  rows_t a = {{"1", "2"}, {"3", "4"}};
  std::vector<lk::table> ts;
  ts.push_back(lk::table::from_rows("a.csv", {"Price", "qty"}, a));
  ts.push_back(lk::table::from_rows("b.csv", {"price"}, {{"1"}}));
  ts.push_back(lk::table::from_rows("c.csv", {"cost"}, {{"1"}}));
  auto r = lk::find_containments(ts);
  CHECK(r.edges.empty());
  lk::table_options ci{.case_insensitive = true};
  std::vector<lk::table> ts2;
  ts2.push_back(lk::table::from_rows("a.csv", {"Price", "qty"}, a, ci));
  ts2.push_back(lk::table::from_rows("b.csv", {"price"}, {{"1"}}, ci));
  ts2.push_back(lk::table::from_rows("c.csv", {"cost"}, {{"1"}}, ci));
  auto r2 = lk::find_containments(ts2);
  CHECK(r2.edges == std::vector<lk::containment_edge>{{0, 1}});
  CHECK(lk::brute_force_containments(ts2) == r2.edges);
  // Unicode case folding, not only ASCII.
  auto u1 = lk::table::from_rows("u1.csv", {"STRASSE", "Ä"}, {{"1", "2"}}, ci);
  CHECK(u1.find_key("ä") >= 0);
  // Generated renamed tables are never found under their parent (name semantics).
  auto lake = sy::generate_lake({.seed = 13, .tables = 200});
  auto tables = to_tables(lake);
  auto rr = lk::find_containments(tables);
  auto tables_ci = to_tables(lake, ci);
  auto rci = lk::find_containments(tables_ci);
  CHECK(rci.edges == lk::brute_force_containments(tables_ci));
  std::size_t renamed = 0, recased = 0;
  for (std::size_t i = 0; i < lake.tables.size(); ++i) {
    const auto p = static_cast<std::uint32_t>(lake.tables[i].parent), c = static_cast<std::uint32_t>(i);
    if (lake.tables[i].kind == sy::derivation::renamed) {
      ++renamed;
      CHECK_FALSE(has_edge(rr, p, c));
      CHECK_FALSE(has_edge(rci, p, c));
    }
    if (lake.tables[i].kind == sy::derivation::recased) {
      ++recased;
      CHECK_FALSE(has_edge(rr, p, c));
      CHECK(has_edge(rci, p, c));
    }
  }
  CHECK(renamed > 0);
  CHECK(recased > 0);
}

TEST_CASE("lake.semantics.bag_vs_set") {
  std::vector<lk::table> ts;
  ts.push_back(lk::table::from_rows("a.csv", {"x", "y"}, {{"1", "a"}, {"2", "b"}}));
  ts.push_back(lk::table::from_rows("b.csv", {"x"}, {{"1"}, {"1"}, {"2"}}));  // more rows than A
  auto set = lk::find_containments(ts);
  CHECK(set.edges == std::vector<lk::containment_edge>{{0, 1}});
  auto bag = lk::find_containments(ts, {.mode = lk::semantics::bag});
  CHECK(bag.edges.empty());
  ts[0] = lk::table::from_rows("a.csv", {"x", "y"}, {{"1", "a"}, {"2", "b"}, {"1", "c"}});
  bag = lk::find_containments(ts, {.mode = lk::semantics::bag});
  CHECK(bag.edges == std::vector<lk::containment_edge>{{0, 1}});
  for (std::uint64_t seed : {21u, 22u}) {
    auto tables = to_tables(sy::generate_lake({.seed = seed, .tables = 100}));
    CHECK(lk::find_containments(tables, {.mode = lk::semantics::bag, .threads = 2}).edges ==
          lk::brute_force_containments(tables, lk::semantics::bag));
  }
}

TEST_CASE("lake.types.mixed_columns_compare_as_strings") {
  // A's column is string (it holds "n/a"), B's is integer: min/max must not prune B.
  std::vector<lk::table> ts;
  ts.push_back(lk::table::from_rows("a.csv", {"v"}, {{"n/a"}, {"10"}, {"9"}}));
  ts.push_back(lk::table::from_rows("b.csv", {"v"}, {{"9"}, {"10"}}));
  CHECK(ts[0].stats()[0].type == lk::column_type::string);
  CHECK(ts[1].stats()[0].type == lk::column_type::integer);
  CHECK(lk::find_containments(ts).edges == std::vector<lk::containment_edge>{{0, 1}});
  // Integer inside float column: numeric comparison.
  ts[0] = lk::table::from_rows("a.csv", {"v"}, {{"0.5"}, {"10"}, {"9"}});
  CHECK(ts[0].stats()[0].type == lk::column_type::floating);
  CHECK(lk::find_containments(ts).edges == std::vector<lk::containment_edge>{{0, 1}});
  // Dates compare chronologically; a date outside A's range is pruned by statistics.
  ts[0] = lk::table::from_rows("a.csv", {"v"}, {{"2020-01-01"}, {"2020-02-01"}});
  ts[1] = lk::table::from_rows("b.csv", {"v"}, {{"2020-03-01"}});
  auto r = lk::find_containments(ts);
  CHECK(r.edges.empty());
  CHECK(stage(r, "statistics").edges == 0u);
}

TEST_CASE("lake.edge_cases.empty_tables_and_lakes") {
  CHECK(lk::find_containments({}).edges.empty());
  std::vector<lk::table> ts;
  ts.push_back(lk::table::from_rows("a.csv", {"x", "y"}, {{"1", "2"}}));
  CHECK(lk::find_containments(ts).edges.empty());
  // A header-only table is contained (set semantics: the empty set) in every superset schema.
  ts.push_back(lk::table::from_rows("e.csv", {"y"}, {}));
  ts.push_back(lk::table::from_rows("f.csv", {"z"}, {}));
  auto r = lk::find_containments(ts);
  CHECK(r.edges == std::vector<lk::containment_edge>{{0, 1}});
  CHECK(r.edges == lk::brute_force_containments(ts));
  // Nulls: B's empty cell needs an empty cell in A.
  ts.clear();
  ts.push_back(lk::table::from_rows("a.csv", {"x", "y"}, {{"1", ""}, {"2", "3"}}));
  ts.push_back(lk::table::from_rows("b.csv", {"y"}, {{" "}}));
  ts.push_back(lk::table::from_rows("c.csv", {"x", "y"}, {{"1", "4"}}));
  r = lk::find_containments(ts);
  CHECK(r.edges == std::vector<lk::containment_edge>{{0, 1}});
  CHECK(r.edges == lk::brute_force_containments(ts));
  // Duplicate column names and ragged rows are errors, not silently dropped data.
  CHECK_THROWS_AS(lk::table("d.csv", {"a", "a"}), std::invalid_argument);
  CHECK_THROWS_AS(lk::table("d.csv", {"a", "A"}, {.case_insensitive = true}), std::invalid_argument);
  lk::table t("d.csv", {"a", "b"});
  CHECK_THROWS_AS(t.add_row({"1"}), std::invalid_argument);
}

TEST_CASE("lake.synth.seeded") {
  const auto a = sy::generate_lake({.seed = 3, .tables = 80});
  const auto b = sy::generate_lake({.seed = 3, .tables = 80});
  const auto c = sy::generate_lake({.seed = 4, .tables = 80});
  REQUIRE(a.tables.size() == 80);
  bool same = true, differs = false;
  for (std::size_t i = 0; i < 80; ++i) {
    same = same && a.tables[i].header == b.tables[i].header && a.tables[i].rows == b.tables[i].rows;
    differs = differs || a.tables[i].rows != c.tables[i].rows;
  }
  CHECK(same);
  CHECK(differs);
  std::set<sy::derivation> kinds;
  for (const auto& t : sy::generate_lake({.seed = 3, .tables = 300}).tables) kinds.insert(t.kind);
  CHECK(kinds.size() == 11);  // every derivation occurs
}

TEST_CASE("lake.stats.count_distinct_vs_sort") {
  sy::detail::rng r{77};
  std::vector<std::uint64_t> slots;
  for (std::size_t n : {0u, 1u, 7u, 100u, 1000u}) {
    std::vector<std::uint64_t> h(n);
    for (auto& x : h) x = r.below_unbiased(4) == 0 ? 0 : r.below_unbiased(n / 2 + 2) * 0x9E3779B97F4A7C15ull;  // duplicates and 0
    auto s = h;
    std::sort(s.begin(), s.end());
    const auto want = static_cast<std::uint64_t>(std::unique(s.begin(), s.end()) - s.begin());
    CHECK(lk::detail::count_distinct(h, slots) == want);
  }
}
