// The out-of-core near-dedup (sign -> exchange -> link -> components -> output) against the
// in-memory reference (near_dedup_batch): the same clusters and edge counts for any memory
// budget (in memory, spilled in many runs), thread count, batch size, with and without
// verification and resume; its work directory is gone after success and after failure; a
// damaged stage output is an error, never wrong clusters.
#include <doctest/doctest.h>

#include <filesystem>
#include <memory>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <millrace/core.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/near_out_of_core.hpp>

#include <mrtest/temp_dir.hpp>

#include "corpus.hpp"

namespace mr = millrace;
namespace dd = millrace::dedup;
namespace fs = std::filesystem;

namespace {

struct doc {
  std::string text;
  mr::record_position position;
};

std::vector<doc> docs_of(const dedup_test::corpus& c) {
  std::vector<doc> v;
  for (std::size_t i = 0; i < c.docs.size(); ++i) v.push_back({c.docs[i], {0, i}});
  v.push_back({"", {0, c.docs.size()}});  // empty documents stay alone
  v.push_back({"", {0, c.docs.size() + 1}});
  return v;
}

struct outcome {
  std::vector<std::uint64_t> cluster;
  std::vector<char> kept;
  std::vector<std::string> survivors;
  dd::near_out_of_core_summary summary;
};

template <class Exec>
outcome run_ooc(const std::vector<doc>& docs, const dd::near_dedup_options& o, dd::out_of_core_options x, Exec ex) {
  outcome r;
  auto text_of = [](const doc& d) { return std::string_view(d.text); };
  dd::near_dedup_out_of_core nd(o, x);
  if (!nd.done("sign")) {
    mr::run(mr::from_range(docs) | nd.sign(text_of), ex);
    nd.end_sign();
  }
  nd.cluster();
  std::vector<doc> out;
  dd::ooc_cluster_callback<doc> cb = [&](const doc&, std::uint64_t cl, bool kept) {
    r.cluster.push_back(cl);
    r.kept.push_back(kept);
  };
  mr::run(mr::from_range(docs) | nd.survivors<doc>(cb) | mr::collect(out), ex);
  nd.close();
  for (auto& d : out) r.survivors.push_back(d.text);
  r.summary = nd.summary();
  return r;
}

dd::near_dedup_result reference(const std::vector<doc>& docs, const dd::near_dedup_options& o) {
  std::vector<std::string_view> texts;
  for (auto& d : docs) texts.push_back(d.text);
  return dd::near_dedup(texts, o);
}

void check_same(const outcome& got, const dd::near_dedup_result& want, const std::vector<doc>& docs) {
  REQUIRE(got.cluster.size() == want.cluster.size());
  CHECK(got.cluster == want.cluster);
  CHECK(got.kept == want.kept);
  CHECK(got.summary.candidate_edges == want.candidate_edges);
  CHECK(got.summary.verified_edges == want.verified_edges);
  CHECK(got.summary.head_edges == want.head_edges);
  std::vector<std::string> kept;
  for (std::size_t i = 0; i < docs.size(); ++i)
    if (want.kept[i]) kept.push_back(docs[i].text);
  CHECK(got.survivors == kept);
}

}  // namespace

TEST_CASE("near_out_of_core.equals_in_memory.budgets_threads_batches_verify_resume") {
  auto c = dedup_test::make_corpus(7, 150, 3, 0.15);
  const auto docs = docs_of(c);
  mrtest::temp_dir tmp("ooc-equal");
  for (bool verify : {false, true}) {
    dd::near_dedup_options o;
    o.threshold = 0.5;
    o.verify = verify;
    const auto want = reference(docs, o);
    REQUIRE(want.candidate_edges > 0);
    for (std::size_t budget : {std::size_t(1) << 30, std::size_t(4096)}) {  // in memory; a run per ~170 entries
      for (bool resume : {false, true}) {
        CAPTURE(verify);
        CAPTURE(budget);
        CAPTURE(resume);
        dd::out_of_core_options x;
        x.memory_budget = budget;
        x.tmp_dir = tmp.path;
        if (resume) x.resume_key = "k" + std::to_string(budget) + (verify ? "v" : "");
        auto serial = run_ooc(docs, o, x, mr::serial_executor{.batch_size = 7});
        check_same(serial, want, docs);
        auto par = run_ooc(docs, o, x, mr::cpu{.threads = 2, .batch_size = 64});
        check_same(par, want, docs);
        if (budget < 10000) {
          std::uint64_t spilled = 0;
          for (auto& s : serial.summary.stages) spilled += s.bytes_spilled;
          CHECK(spilled > 0);  // the tiny budget really spilled
        }
        CHECK(tmp.top_entries().size() == 0);  // work directory removed after success
      }
    }
  }
}

TEST_CASE("near_out_of_core.failure_removes_the_work_directory") {
  auto c = dedup_test::make_corpus(3, 60, 2, 0.1);
  const auto docs = docs_of(c);
  mrtest::temp_dir tmp("ooc-failure");
  dd::near_dedup_options o;
  o.threshold = 0.5;
  for (bool resume : {false, true}) {
    {
      dd::out_of_core_options x;
      x.memory_budget = 4096;
      x.tmp_dir = tmp.path;
      if (resume) x.resume_key = "fail";
      dd::near_dedup_out_of_core nd(o, x);
      auto text_of = [](const doc& d) { return std::string_view(d.text); };
      auto boom = mr::map([n = std::make_shared<int>(0)](doc d) {
        if (++*n == 40) throw std::runtime_error("boom");
        return d;
      }, "boom");
      CHECK_THROWS_WITH(mr::run(mr::from_range(docs) | boom | nd.sign(text_of), mr::serial_executor{.batch_size = 5}),
                        doctest::Contains("boom"));
      CHECK(tmp.top_entries().size() == 1);  // still there while the object lives
    }
    CHECK(tmp.top_entries().size() == 0);  // not closed: removed
  }
}

TEST_CASE("near_out_of_core.output_pass_checks_the_input_is_the_same") {
  auto c = dedup_test::make_corpus(4, 40, 2, 0.1);
  auto docs = docs_of(c);
  mrtest::temp_dir tmp("ooc-changed");
  dd::near_dedup_options o;
  o.threshold = 0.5;
  dd::out_of_core_options x;
  x.tmp_dir = tmp.path;
  auto text_of = [](const doc& d) { return std::string_view(d.text); };
  {
    dd::near_dedup_out_of_core nd(o, x);
    mr::run(mr::from_range(docs) | nd.sign(text_of), mr::serial_executor{});
    nd.end_sign();
    nd.cluster();
    auto fewer = docs;
    fewer.pop_back();
    std::vector<doc> out;
    CHECK_THROWS_WITH(mr::run(mr::from_range(fewer) | nd.survivors<doc>() | mr::collect(out), mr::serial_executor{}),
                      doctest::Contains("input changed"));
  }
  {
    dd::near_dedup_out_of_core nd(o, x);
    mr::run(mr::from_range(docs) | nd.sign(text_of), mr::serial_executor{});
    nd.end_sign();
    nd.cluster();
    auto moved = docs;
    moved[3].position.offset += 1000;
    std::vector<doc> out;
    CHECK_THROWS_WITH(mr::run(mr::from_range(moved) | nd.survivors<doc>() | mr::collect(out), mr::serial_executor{}),
                      doctest::Contains("positions differ"));
  }
  CHECK(tmp.top_entries().size() == 0);
}

TEST_CASE("near_out_of_core.resume_after_each_stage_and_damaged_outputs") {
  auto c = dedup_test::make_corpus(11, 120, 3, 0.15);
  const auto docs = docs_of(c);
  mrtest::temp_dir tmp("ooc-resume");
  dd::near_dedup_options o;
  o.threshold = 0.5;
  o.verify = true;
  const auto want = reference(docs, o);
  auto text_of = [](const doc& d) { return std::string_view(d.text); };
  dd::out_of_core_options x;
  x.memory_budget = 4096;
  x.tmp_dir = tmp.path;
  x.resume_key = "resume";
  // An interrupted run: the object is "killed" after a stage by leaving it without close() and
  // without its destructor (the directory must survive, as after kill -9): simulated by copying
  // the work directory away before the destructor and back after.
  for (int stop_after = 0; stop_after < 3; ++stop_after) {
    CAPTURE(stop_after);
    const fs::path saved = tmp.path.parent_path() / "millrace-ooc-test-resume-saved";
    fs::remove_all(saved);
    {
      dd::near_dedup_out_of_core nd(o, x);
      mr::run(mr::from_range(docs) | nd.sign(text_of), mr::serial_executor{.batch_size = 13});
      nd.end_sign();
      if (stop_after >= 1) nd.cluster();  // link and components
      fs::copy(nd.work_dir(), saved, fs::copy_options::recursive);
    }
    fs::rename(saved, tmp.path / ("millrace-near-" + x.resume_key));
    auto r = run_ooc(docs, o, x, mr::cpu{.threads = 2, .batch_size = 50});
    check_same(r, want, docs);
    REQUIRE(!r.summary.stages.empty());
    CHECK(r.summary.stages.front().name == "sign");
    CHECK(r.summary.stages.front().resumed);
    CHECK(tmp.top_entries().size() == 0);
  }
  // A damaged stage output: flip a byte in every run file after the sign stage.
  {
    const fs::path saved = tmp.path.parent_path() / "millrace-ooc-test-resume-saved";
    fs::remove_all(saved);
    {
      dd::near_dedup_out_of_core nd(o, x);
      mr::run(mr::from_range(docs) | nd.sign(text_of), mr::serial_executor{});
      nd.end_sign();
      fs::copy(nd.work_dir(), saved, fs::copy_options::recursive);
    }
    int damaged = 0;
    for (auto& e : fs::directory_iterator(saved)) {
      if (e.path().filename() == "stages.json" || fs::file_size(e.path()) < 64) continue;
      std::fstream f(e.path(), std::ios::in | std::ios::out | std::ios::binary);
      f.seekg(40);
      char ch = 0;
      f.get(ch);
      f.seekp(40);
      f.put(static_cast<char>(ch ^ 0x5a));
      ++damaged;
    }
    REQUIRE(damaged > 0);
    fs::rename(saved, tmp.path / ("millrace-near-" + x.resume_key));
    dd::near_dedup_out_of_core nd(o, x);
    REQUIRE(nd.done("sign"));
    CHECK_THROWS(nd.cluster());
  }
  CHECK(tmp.top_entries().size() == 0);  // the failed object removed its directory
}

TEST_CASE("near_out_of_core.index.A_then_B_equals_one_run_over_A_plus_B") {
  // A already deduplicated (the survivors of a corpus), B new documents, some near-copies of A's.
  auto ca = dedup_test::make_corpus(21, 120, 2, 0.1);
  auto a0 = docs_of(ca);
  dd::near_dedup_options o;
  o.threshold = 0.5;
  const auto ra = reference(a0, o);
  std::vector<doc> a;
  for (std::size_t i = 0; i < a0.size(); ++i)
    if (ra.kept[i]) a.push_back(a0[i]);
  std::mt19937_64 rng(5);
  std::vector<doc> b;
  auto cb = dedup_test::make_corpus(22, 80, 2, 0.1);
  for (auto& t : cb.docs) b.push_back({t, {1, b.size()}});
  for (std::size_t i = 0; i < 40; ++i) {
    const auto& src = a[rng() % (a.size() - 2)].text;  // not the two empty documents at the end
    b.push_back({dedup_test::edit_doc(rng, src, 0.05), {1, b.size()}});
  }
  std::vector<doc> ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  const auto want = reference(ab, o);

  mrtest::temp_dir tmp("ooc-index");
  const fs::path index = tmp.path / "index";
  fs::create_directories(index / "work");
  dd::out_of_core_options x;
  x.memory_budget = 8192;
  x.tmp_dir = index / "work";
  x.index_dir = index / "idx";
  auto ra_run = run_ooc(a, o, x, mr::serial_executor{.batch_size = 9});
  CHECK(ra_run.survivors.size() == a.size());  // A was deduplicated: all of it is kept and indexed
  auto rb_run = run_ooc(b, o, x, mr::cpu{.threads = 2, .batch_size = 31});
  CHECK(rb_run.summary.index_documents == a.size());
  std::vector<std::string> want_b;
  for (std::size_t i = a.size(); i < ab.size(); ++i)
    if (want.kept[i]) want_b.push_back(ab[i].text);
  CHECK(rb_run.survivors == want_b);
  CHECK(rb_run.survivors.size() < b.size());  // the near-copies of A's documents were removed
  std::vector<std::uint64_t> want_clusters(want.cluster.begin() + std::ptrdiff_t(a.size()), want.cluster.end());
  CHECK(rb_run.cluster == want_clusters);     // ordinals: indexed documents first
  // The index grew by B's survivors: running B again removes all of it.
  auto again = run_ooc(b, o, x, mr::serial_executor{});
  CHECK(again.survivors.size() == 0);
  // Other options cannot use this index.
  dd::near_dedup_options other = o;
  other.seed = 2;
  CHECK_THROWS_WITH(dd::near_dedup_out_of_core(other, x), doctest::Contains("other near-dedup options"));
  fs::remove_all(index / "work");
}
