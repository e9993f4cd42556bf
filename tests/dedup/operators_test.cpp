// The dedup pipeline operators: exact, near (barrier) and near_streaming, on the oneTBB executor
// and the serial reference executor; outputs in input order, counts, clusters, determinism; the
// state rule (a run works on a copy, std::ref on the object) and the global record order.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

// The operators build on the composition half of the core: no executor, no oneTBB.
#include <millrace/dedup/operators.hpp>
#ifdef TBB_VERSION_MAJOR
#error "millrace/dedup/operators.hpp includes oneTBB (an executor)"
#endif

#include <millrace/core.hpp>

#include "corpus.hpp"

namespace mr = millrace;
namespace dd = millrace::dedup;

namespace {
struct Doc {
  std::size_t id;
  std::string text;
};
std::vector<Doc> docs_of(const dedup_test::corpus& c) {
  std::vector<Doc> v;
  for (std::size_t i = 0; i < c.docs.size(); ++i) v.push_back({i, c.docs[i]});
  return v;
}
auto text_of = [](const Doc& d) { return std::string_view(d.text); };
}  // namespace

TEST_CASE("operators.near.batch.matches_near_dedup.1T_2T_serial") {
  auto c = dedup_test::make_corpus(21, 120, 2, 0.05);
  auto docs = docs_of(c);
  dd::near_dedup_options o;
  o.threshold = 0.6;
  const auto ref = dd::near_dedup(dedup_test::views(c.docs), o);
  auto check_run = [&](auto exec, std::size_t batch_size) {
    std::vector<Doc> out;
    std::vector<std::uint64_t> clusters;
    std::vector<char> kept;
    auto cb = [&](const Doc& d, std::uint64_t cl, bool k) {
      CHECK(d.id == clusters.size());  // called in input order
      clusters.push_back(cl);
      kept.push_back(k);
    };
    auto rep = [&] {
      if constexpr (std::is_same_v<decltype(exec), mr::cpu>) {
        exec.batch_size = batch_size;
        return mr::run(mr::from_range(docs) | dd::near(o, text_of, cb) | mr::collect(out), exec);
      } else {
        return mr::run(mr::from_range(docs) | dd::near(o, text_of, cb) | mr::collect(out), exec);
      }
    }();
    CHECK(clusters == ref.cluster);
    CHECK(kept == ref.kept);
    std::vector<std::size_t> ids, ref_ids;
    for (auto& d : out) ids.push_back(d.id);
    for (std::size_t i = 0; i < ref.kept.size(); ++i)
      if (ref.kept[i]) ref_ids.push_back(i);
    CHECK(ids == ref_ids);  // survivors, in input order
    (void)rep;
  };
  check_run(mr::cpu{.threads = 1}, 7);
  check_run(mr::cpu{.threads = 2}, 32);
  check_run(mr::serial_executor{}, 0);
}

TEST_CASE("operators.exact.strings_and_records.2T") {
  std::vector<std::string> in{"a", "b", "a", "c", "b", "A", "a "};
  std::vector<std::string> out;
  mr::run(mr::from_range(in) | dd::exact() | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 2});
  CHECK(out == std::vector<std::string>{"a", "b", "c", "A", "a "});
  out.clear();
  dd::exact_options norm;
  norm.normalize = true;
  mr::run(mr::from_range(in) | dd::exact(norm) | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 3});
  CHECK(out == std::vector<std::string>{"a", "b", "c"});

  std::vector<Doc> docs{{0, "x"}, {1, "y"}, {2, "x"}, {3, "x"}};
  std::vector<std::uint64_t> clusters;
  std::vector<Doc> kept;
  mr::run(mr::from_range(docs) |
              dd::exact({}, text_of, [&](const Doc&, std::uint64_t cl, bool) { clusters.push_back(cl); }) |
              mr::collect(kept),
          mr::cpu{.threads = 2, .batch_size = 1});
  CHECK(clusters == std::vector<std::uint64_t>{0, 1, 0, 0});
  CHECK(kept.size() == 2);
}

TEST_CASE("operators.near_streaming.deterministic.1T_vs_2T") {
  auto c = dedup_test::make_corpus(22, 120, 2, 0.05);
  auto docs = docs_of(c);
  dd::near_dedup_options o;
  o.threshold = 0.6;
  auto run = [&](std::size_t threads, std::size_t bs) {
    std::vector<Doc> out;
    std::vector<std::uint64_t> clusters;
    mr::run(mr::from_range(docs) |
                dd::near_streaming({.near = o}, text_of, [&](const Doc&, std::uint64_t cl, bool) { clusters.push_back(cl); }) |
                mr::collect(out),
            mr::cpu{.threads = threads, .batch_size = bs});
    std::vector<std::size_t> ids;
    for (auto& d : out) ids.push_back(d.id);
    return std::pair{ids, clusters};
  };
  auto a = run(1, 5), b = run(2, 64);
  CHECK(a == b);
  CHECK(a.second.size() == docs.size());
  for (std::size_t i = 0; i < a.first.size(); ++i) CHECK(a.second[a.first[i]] == a.first[i]);
  CHECK(a.first.size() < docs.size());
}

// ---------------------------------------------------------------------------------------------
// The state rule: a stage object is the state of one run; run() works on a copy, so the same
// pipeline run twice gives the same result twice; std::ref(stage) runs on the caller's object.
namespace {
struct run_result {
  std::vector<std::size_t> kept_ids;
  std::vector<std::uint64_t> clusters;
  std::vector<char> kept;
  bool operator==(const run_result&) const = default;
};

// Builds one pipeline (source | op | collect) and runs that same object twice on `exec`.
template <class MakeOp, class Exec>
void check_run_twice(const std::vector<Doc>& docs, MakeOp make_op, Exec exec) {
  run_result r;
  auto cb = [&r](const Doc&, std::uint64_t cl, bool k) {
    r.clusters.push_back(cl);
    r.kept.push_back(k);
  };
  std::vector<Doc> out;
  auto p = mr::from_range(docs) | make_op(cb) | mr::collect(out);
  auto once = [&] {
    r = {};
    out.clear();
    mr::run(p, exec);
    for (const auto& d : out) r.kept_ids.push_back(d.id);
    return r;
  };
  const run_result first = once();
  const run_result second = once();
  CHECK(first.clusters.size() == docs.size());
  CHECK(first.kept_ids.size() < docs.size());  // the corpus has duplicates: the check has teeth
  CHECK(first == second);
}

template <class Exec>
void check_all_run_twice(Exec exec) {
  auto exact_c = dedup_test::make_corpus(31, 80, 2, 0.0);  // edit 0: exact copies
  auto near_c = dedup_test::make_corpus(32, 80, 2, 0.05);
  const auto exact_docs = docs_of(exact_c), near_docs = docs_of(near_c);
  dd::near_dedup_options o;
  o.threshold = 0.6;
  check_run_twice(exact_docs, [](auto cb) { return dd::exact({}, text_of, cb); }, exec);
  check_run_twice(near_docs, [&](auto cb) { return dd::near(o, text_of, cb); }, exec);
  check_run_twice(near_docs, [&](auto cb) { return dd::near_streaming({.near = o}, text_of, cb); }, exec);
  check_run_twice(near_docs, [&](auto cb) { return dd::near_streaming({.near = o, .max_index_docs = 5}, text_of, cb); }, exec);
  // Without a cluster callback too (only the survivors), and on plain strings.
  std::vector<std::string> in{"a", "b", "a", "c", "b"}, out;
  auto p = mr::from_range(in) | dd::exact() | mr::collect(out);
  mr::run(p, exec);
  const auto first = out;
  out.clear();
  mr::run(p, exec);
  CHECK(first == std::vector<std::string>{"a", "b", "c"});
  CHECK(out == first);
}
}  // namespace

TEST_CASE("operators.state.run_twice_same.serial") { check_all_run_twice(mr::serial_executor{}); }
TEST_CASE("operators.state.run_twice_same.2T") { check_all_run_twice(mr::cpu{.threads = 2, .batch_size = 16}); }

TEST_CASE("operators.state.std_ref_keeps_state.2T") {
  auto c = dedup_test::make_corpus(33, 80, 2, 0.05);
  const auto docs = docs_of(c);
  dd::near_dedup_options o;
  o.threshold = 0.6;
  const auto ref = dd::near_dedup(dedup_test::views(c.docs), o);
  const mr::cpu exec{.threads = 2, .batch_size = 8};

  // near: result() is that of the run on the caller's object; a run on a copy leaves it alone.
  auto st = dd::make_near_stage(o, text_of);
  std::vector<Doc> out;
  mr::run(mr::from_range(docs) | mr::stage(st, "near.copy") | mr::collect(out), exec);
  CHECK(st.result().cluster.empty());
  out.clear();
  mr::run(mr::from_range(docs) | mr::stage(std::ref(st), "near.ref") | mr::collect(out), exec);
  CHECK(st.result().cluster == ref.cluster);
  CHECK(st.result().kept == ref.kept);

  // exact: seen()/kept() count the records of the runs made on the object itself.
  auto ex_c = dedup_test::make_corpus(34, 50, 2, 0.0);
  const auto ex_docs = docs_of(ex_c);
  dd::exact_stage<Doc, decltype(text_of)> ex({}, text_of);
  out.clear();
  mr::run(mr::from_range(ex_docs) | mr::stage(ex, "exact.copy") | mr::collect(out), exec);
  CHECK(ex.seen() == 0);
  const std::size_t kept_once = out.size();
  out.clear();
  mr::run(mr::from_range(ex_docs) | mr::stage(std::ref(ex), "exact.ref") | mr::collect(out), exec);
  CHECK(ex.seen() == ex_docs.size());
  CHECK(ex.kept() == kept_once);
  CHECK(out.size() == kept_once);

  // near_streaming: index() after a run by reference.
  dd::near_streaming_stage<Doc, decltype(text_of)> ns(o, text_of, 0, {});
  out.clear();
  mr::run(mr::from_range(docs) | mr::stage(std::ref(ns), "near_streaming.ref") | mr::collect(out), exec);
  CHECK(ns.index().seen() == docs.size());
  CHECK(ns.index().kept() == out.size());
}

// ---------------------------------------------------------------------------------------------
// Global record order: with positioned records, exact dedup keeps the smallest position of each
// text; the cluster id is the survivor's arrival index. Same for any thread count and batch size.
namespace {
struct PDoc {
  mr::record_position position;
  std::string text;
};
static_assert(mr::positioned<PDoc>);
auto ptext_of = [](const PDoc& d) { return std::string_view(d.text); };

// Two "input files": the first half at byte offsets of input 0, the rest of input 1, as a reader
// of newline-terminated lines would number them.
std::vector<PDoc> positioned_docs(const std::vector<std::string>& texts) {
  std::vector<PDoc> v;
  std::uint64_t off = 0;
  for (std::size_t i = 0; i < texts.size(); ++i) {
    const std::uint64_t input = i < texts.size() / 2 ? 0 : 1;
    if (i == texts.size() / 2) off = 0;
    v.push_back({{input, off}, texts[i]});
    off += texts[i].size() + 1;
  }
  return v;
}
}  // namespace

TEST_CASE("operators.exact.positioned.first_is_smallest_position.serial_1T_2T_batch_1_7_1024") {
  auto c = dedup_test::make_corpus(35, 150, 2, 0.0);
  const auto docs = positioned_docs(c.docs);
  // Reference, independent of arrival: the smallest position of each text, and its index in docs.
  std::map<std::string, std::size_t> first;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    auto [it, fresh] = first.try_emplace(docs[i].text, i);
    if (!fresh && docs[i].position < docs[it->second].position) it->second = i;
  }
  std::vector<mr::record_position> ref_kept;
  std::vector<std::uint64_t> ref_clusters;
  for (const auto& d : docs) ref_clusters.push_back(first.at(d.text));
  for (const auto& [t, i] : first) ref_kept.push_back(docs[i].position);
  std::sort(ref_kept.begin(), ref_kept.end());
  REQUIRE(ref_kept.size() < docs.size());

  auto check = [&](auto exec) {
    std::vector<PDoc> out;
    std::vector<std::uint64_t> clusters;
    mr::run(mr::from_range(docs) |
                dd::exact({}, ptext_of, [&](const PDoc&, std::uint64_t cl, bool) { clusters.push_back(cl); }) |
                mr::collect(out),
            exec);
    std::vector<mr::record_position> kept;
    for (const auto& d : out) kept.push_back(d.position);
    CHECK(kept == ref_kept);
    CHECK(clusters == ref_clusters);
  };
  check(mr::serial_executor{});
  check(mr::cpu{.threads = 1, .batch_size = 1});
  check(mr::cpu{.threads = 2, .batch_size = 7});
  check(mr::cpu{.threads = 2, .batch_size = 1024});
}

TEST_CASE("operators.positioned.parts_out_of_order_fail_clearly.2T") {
  // The second input's part read before the first: an ordered stage cannot know that a smaller
  // position is still to come, so it stops rather than keep the wrong record.
  auto c = dedup_test::make_corpus(36, 40, 2, 0.0);
  const auto docs = positioned_docs(c.docs);
  std::vector<PDoc> swapped(docs.begin() + static_cast<std::ptrdiff_t>(docs.size() / 2), docs.end());
  swapped.insert(swapped.end(), docs.begin(), docs.begin() + static_cast<std::ptrdiff_t>(docs.size() / 2));
  std::vector<PDoc> out;
  dd::near_dedup_options o;
  o.threshold = 0.6;
  const mr::cpu exec{.threads = 2, .batch_size = 7};
  auto expect_order_error = [&](auto&& pipeline, const std::string& op) {
    try {
      mr::run(pipeline, exec);
      FAIL("no error for records out of position order in " << op);
    } catch (const mr::operator_error& e) {
      const std::string what = e.what();
      CHECK(what.find(op + ": a record at position (input 0, offset 0) arrived after one at (input 1,") != std::string::npos);
      CHECK(what.find("position order") != std::string::npos);
    }
  };
  expect_order_error(mr::from_range(swapped) | dd::exact({}, ptext_of) | mr::collect(out), "dedup.exact");
  expect_order_error(mr::from_range(swapped) | dd::near(o, ptext_of) | mr::collect(out), "dedup.near");
  expect_order_error(mr::from_range(swapped) | dd::near_streaming({.near = o}, ptext_of) | mr::collect(out), "dedup.near_streaming");
  // The parts in order, whatever the batching, are accepted and agree with one stream.
  out.clear();
  CHECK_NOTHROW(mr::run(mr::from_range(docs) | dd::exact({}, ptext_of) | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 3}));
  CHECK(!out.empty());
}

TEST_CASE("operators.near_streaming.options_struct.same_as_deprecated_form.2T") {
  auto c = dedup_test::make_corpus(23, 120, 2, 0.05);
  auto docs = docs_of(c);
  dd::near_dedup_options o;
  o.threshold = 0.6;
  auto ids_of = [](const std::vector<Doc>& v) {
    std::vector<std::size_t> ids;
    for (auto& d : v) ids.push_back(d.id);
    return ids;
  };
  std::vector<Doc> bounded, unbounded, old_bounded;
  mr::run(mr::from_range(docs) | dd::near_streaming({.near = o, .max_index_docs = 3}, text_of) | mr::collect(bounded),
          mr::cpu{.threads = 2, .batch_size = 8});
  mr::run(mr::from_range(docs) | dd::near_streaming({.near = o}, text_of) | mr::collect(unbounded),
          mr::cpu{.threads = 2, .batch_size = 8});
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
  mr::run(mr::from_range(docs) | dd::near_streaming(o, text_of, 3) | mr::collect(old_bounded),
          mr::cpu{.threads = 2, .batch_size = 8});
  std::vector<std::string> strs{"a b c d e", "a b c d e", "x y z"}, old_strs, new_strs;
  mr::run(mr::from_range(strs) | dd::near_streaming(o, std::size_t{0}) | mr::collect(old_strs), mr::serial_executor{});
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
  mr::run(mr::from_range(strs) | dd::near_streaming({.near = o}) | mr::collect(new_strs), mr::serial_executor{});
  // The bound is honoured (a small index lets more documents through), and both forms agree.
  CHECK(bounded.size() > unbounded.size());
  CHECK(ids_of(old_bounded) == ids_of(bounded));
  CHECK(old_strs == new_strs);
  CHECK(new_strs.size() == 2);
}
