// mr::filters::apply through the executors: drop and annotate modes, the exclusion output, the
// tally and the run report, fused vs one filter per operator, serial vs two threads.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <millrace/core.hpp>
#include <millrace/filters.hpp>
#include <millrace/synth/corpus.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <mutex>
#include <random>
#include <string>
#include <vector>

namespace mr = millrace;
namespace mf = millrace::filters;

namespace {

struct Doc {
  std::string id, text;
  mf::filter_result filter_result{};
};

// Documents that pass and fail each filter for various reasons: synthetic web-like text (one
// long line), multi-line documents with repeats, bullets, short lines and code.
std::vector<Doc> corpus(std::size_t n) {
  std::vector<Doc> docs;
  for (auto& d : mr::synth::generate_corpus({.docs = n / 2, .seed = 14})) docs.push_back({d.id, d.text});
  std::mt19937 rng(14);
  const std::vector<std::string> words = {"the", "of", "and", "data", "river", "mill", "été", "北京", "water", "stone", "wheel",
                                          "grain", "to", "with", "#", "...", "{", "lorem", "ipsum", "javascript"};
  while (docs.size() < n) {
    std::string t;
    const int lines = 1 + int(rng() % 12);
    for (int l = 0; l < lines; ++l) {
      if (rng() % 5 == 0) t += "- ";
      const int w = 1 + int(rng() % 14);
      for (int k = 0; k < w; ++k) t += (k ? " " : "") + words[rng() % (rng() % 4 == 0 ? words.size() : 14)];
      t += rng() % 3 ? ".\n" : "\n";
      if (rng() % 6 == 0) t += "\n";
    }
    if (rng() % 4 == 0) t += t;  // a repeated body
    docs.push_back({"gen-" + std::to_string(docs.size()), t});
  }
  return docs;
}

std::vector<std::pair<std::string, std::string>> by_id(std::vector<Doc> v) {
  std::vector<std::pair<std::string, std::string>> out;
  for (auto& d : v) out.emplace_back(d.id, d.text);
  std::sort(out.begin(), out.end());
  return out;
}

const mf::gopher_quality gq{.params = {.min_doc_words = 20}};  // smaller documents reach the later tests
const mf::gopher_repetition gr{};
const mf::fineweb_quality fq{};
const mf::c4_quality c4{.params = {.min_num_sentences = 2}};

}  // namespace

TEST_CASE("filters.apply.drop.exclusions_tally_report") {
  const auto docs = corpus(600);
  std::vector<Doc> kept;
  std::vector<mf::excluded<Doc>> excl;
  mf::filter_tally tally;
  auto q = mf::apply<Doc>({.exclusions = [&](mf::excluded<Doc>&& e) { excl.push_back(std::move(e)); }, .tally = &tally}, gq, gr,
                          fq);
  const auto report = mr::run(mr::from_range(docs) | q | mr::collect(kept), mr::cpu{.threads = 2, .batch_size = 16});

  // Expected decisions, one document at a time, straight from the filters.
  std::map<std::string, std::pair<std::string, std::string>> want_drop;
  std::map<std::string, std::uint64_t> reasons;
  std::size_t want_kept = 0;
  for (auto& d : docs) {
    const auto dec = mf::first_failure(mf::analyze(d.text), gq, gr, fq);
    if (dec.keep()) ++want_kept;
    else want_drop[d.id] = {std::string(dec.filter), std::string(dec.reason)}, ++reasons[std::string(dec.reason)];
  }
  REQUIRE(want_kept > 0);
  REQUIRE(want_drop.size() > 0);
  CHECK(kept.size() == want_kept);
  REQUIRE(excl.size() == want_drop.size());
  for (auto& e : excl) {
    REQUIRE(want_drop.count(e.record.id));
    CHECK(want_drop[e.record.id].first == e.filter);
    CHECK(want_drop[e.record.id].second == e.reason);
  }
  // Nothing vanishes: kept + excluded = in.
  CHECK(kept.size() + excl.size() == docs.size());
  // The tally: the first filter sees every record; each later one the records the earlier kept.
  const auto g = tally.of("gopher_quality"), r = tally.of("gopher_repetition"), f = tally.of("fineweb_quality");
  CHECK(g.in == docs.size());
  CHECK(r.in == g.in - g.dropped);
  CHECK(f.in == r.in - r.dropped);
  CHECK(g.dropped + r.dropped + f.dropped == excl.size());
  std::map<std::string, std::uint64_t> got_reasons;
  for (auto* c : {&g, &r, &f})
    for (auto& [k, v] : c->reasons) got_reasons[k] += v;
  CHECK(got_reasons == reasons);
  // The run report: in, out and rejected of the operator.
  const auto* op = report.find("gopher_quality+gopher_repetition+fineweb_quality");
  REQUIRE(op);
  CHECK(op->records_in == docs.size());
  CHECK(op->records_out == want_kept);
  CHECK(op->rejected == excl.size());
  CHECK(tally.to_json().find("\"gopher_short_doc\"") != std::string::npos);
}

TEST_CASE("filters.apply.annotate.keeps_all_and_records_reasons") {
  const auto docs = corpus(300);
  std::vector<Doc> out;
  mf::filter_tally tally;
  mr::run(mr::from_range(docs) | mf::apply<Doc>({.action = mf::on_fail::annotate, .tally = &tally}, gq, gr, c4, fq) | mr::collect(out),
          mr::serial_executor{});
  REQUIRE(out.size() == docs.size());
  std::size_t failing = 0;
  for (auto& d : out) {
    const auto st = mf::analyze(d.text);
    CHECK(d.filter_result.failed("gopher_quality") == gq.check(st));
    CHECK(d.filter_result.failed("gopher_repetition") == gr.check(st));
    CHECK(d.filter_result.failed("c4_quality") == c4.check(st));
    CHECK(d.filter_result.failed("fineweb_quality") == fq.check(st));
    CHECK(d.filter_result.score("gopher_quality.words") == double(st.words.size()));
    failing += !d.filter_result.passed_all();
  }
  REQUIRE(failing > 0);
  // Text is left as it came in annotate mode (C4 does not rewrite).
  CHECK(by_id(out) == by_id(docs));
  CHECK(tally.of("c4_quality").in == docs.size());  // every filter sees every record
}

TEST_CASE("filters.apply.fused_equals_separate") {
  const auto docs = corpus(500);
  std::vector<Doc> fused, separate;
  mr::run(mr::from_range(docs) | mf::apply<Doc>(gq, gr, fq, c4) | mr::collect(fused), mr::serial_executor{.batch_size = 32});
  mr::run(mr::from_range(docs) | mf::apply<Doc>(gq) | mf::apply<Doc>(gr) | mf::apply<Doc>(fq) | mf::apply<Doc>(c4) | mr::collect(separate),
          mr::serial_executor{.batch_size = 32});
  REQUIRE(!fused.empty());
  CHECK(fused.size() < docs.size());
  CHECK(by_id(fused) == by_id(separate));  // same records, same C4-rewritten texts
  // C4 (last) did rewrite some texts.
  std::map<std::string, std::string> orig;
  for (auto& d : docs) orig[d.id] = d.text;
  bool changed = false;
  for (auto& d : fused) changed = changed || d.text != orig[d.id];
  CHECK(changed);
}

TEST_CASE("filters.apply.serial_vs_2T") {
  const auto docs = corpus(800);
  std::vector<Doc> a, b;
  std::vector<std::string> ea, eb;
  std::mutex m;
  auto pipeline = [&](std::vector<Doc>& out, std::vector<std::string>& ex) {
    return mr::from_range(docs) |
           mf::apply<Doc>({.exclusions = [&](mf::excluded<Doc>&& e) { std::lock_guard l(m); ex.push_back(e.record.id + ":" + e.reason); }},
                          gq, gr, fq, c4) |
           mr::collect(out);
  };
  mr::run(pipeline(a, ea), mr::serial_executor{.batch_size = 8});
  mr::run(pipeline(b, eb), mr::cpu{.threads = 2, .batch_size = 8});
  REQUIRE(!a.empty());
  CHECK(by_id(a) == by_id(b));
  std::sort(ea.begin(), ea.end());
  std::sort(eb.begin(), eb.end());
  CHECK(ea == eb);
  CHECK(ea.size() + a.size() == docs.size());
}

TEST_CASE("filters.apply.strings_and_twice") {
  // Plain strings are records too; running the same pipeline twice gives the same result twice.
  std::vector<std::string> docs;
  for (auto& d : corpus(200)) docs.push_back(d.text);
  std::vector<std::string> a, b;
  auto q = mf::apply<std::string>(gq, fq);
  auto p1 = mr::from_range(docs) | q | mr::collect(a);
  const auto r1 = mr::run(p1);
  const auto r2 = mr::run(mr::from_range(docs) | q | mr::collect(b));
  CHECK(a.size() == b.size());
  CHECK(r1.find("gopher_quality+fineweb_quality")->rejected == r2.find("gopher_quality+fineweb_quality")->rejected);
  CHECK(r1.find("gopher_quality+fineweb_quality")->rejected == docs.size() - a.size());
}

TEST_CASE("filters.apply.annotate_needs_filter_result") {
  CHECK_THROWS_WITH_AS(mf::apply<std::string>({.action = mf::on_fail::annotate}, gq), doctest::Contains("mr::filters::apply"),
                       std::invalid_argument);
}

namespace {
// A text-only filter (it drops texts holding "river") and a filter that reads the statistics,
// each noting how many words the doc_stats it is given holds.
struct no_river {
  std::string name = "no_river";
  static constexpr bool text_only = true;
  std::vector<std::size_t>* words_seen;
  std::string_view check(const mf::doc_stats& st, mf::filter_result* = nullptr, std::string* = nullptr) const {
    words_seen->push_back(st.words.size());
    return st.text.find("river") == std::string_view::npos ? "" : "river";
  }
};
struct word_counter {
  std::string name = "word_counter";
  std::vector<std::size_t>* words_seen;
  std::string_view check(const mf::doc_stats& st, mf::filter_result* = nullptr, std::string* = nullptr) const {
    words_seen->push_back(st.words.size());
    return {};
  }
};
}  // namespace

TEST_CASE("filters.apply.text_only_filters_skip_the_analysis") {
  const auto docs = corpus(300);
  std::vector<std::size_t> seen_text, seen_stats;
  CHECK(mf::reads_text_only(no_river{.words_seen = &seen_text}));
  CHECK(!mf::reads_text_only(word_counter{.words_seen = &seen_stats}));
  CHECK(!mf::reads_text_only(gq));
  std::vector<Doc> kept, kept_gq_first;
  mf::filter_tally t1, t2;
  mr::run(mr::from_range(docs) |
              mf::apply<Doc>({.tally = &t1}, no_river{.words_seen = &seen_text}, word_counter{.words_seen = &seen_stats}, gq) |
              mr::collect(kept),
          mr::serial_executor{.batch_size = 16});
  // The text-only filter is handed the text alone; the other one the whole analysis, and only
  // for the records the first kept.
  CHECK(seen_text.size() == docs.size());
  CHECK(std::all_of(seen_text.begin(), seen_text.end(), [](std::size_t n) { return n == 0; }));
  const std::size_t rivers = std::size_t(std::count_if(docs.begin(), docs.end(), [](const Doc& d) { return d.text.find("river") != std::string::npos; }));
  REQUIRE(rivers > 0);
  REQUIRE(rivers < docs.size());
  CHECK(seen_stats.size() == docs.size() - rivers);
  std::size_t expect_words = 0, got_words = 0;
  for (auto& d : docs)
    if (d.text.find("river") == std::string::npos) expect_words += mf::analyze(d.text).words.size();
  for (auto n : seen_stats) got_words += n;
  CHECK(got_words == expect_words);
  // Same records and tallies as with the text-only filter after the others (analysis first).
  seen_text.clear(), seen_stats.clear();
  mr::run(mr::from_range(docs) | mf::apply<Doc>(gq) | mf::apply<Doc>({.tally = &t2}, no_river{.words_seen = &seen_text}) |
              mr::collect(kept_gq_first),
          mr::serial_executor{.batch_size = 16});
  CHECK(by_id(kept) == by_id(kept_gq_first));
  CHECK(t1.of("no_river").dropped == rivers);
  CHECK(t1.of("word_counter").in == docs.size() - rivers);
}
