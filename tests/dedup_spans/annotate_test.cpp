// The annotate action of dedup::spans and dedup::bloom_ngrams: no text changes and no record is
// dropped; each record carries what remove would cut (its spans, the duplicate fraction, a failure
// for a document remove would drop). Cutting the annotated spans out of each text gives remove's
// output exactly, on hand-made and generated corpora, for the serial executor and 1 and 4 threads.
#include <doctest/doctest.h>

#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <millrace/core.hpp>
#include <millrace/dedup/bloom_ngram.hpp>
#include <millrace/dedup/span_dedup.hpp>

namespace mr = millrace;
namespace dd = millrace::dedup;

namespace {

struct ADoc {
  std::size_t id = 0;
  std::string text;
  mr::filters::filter_result filter_result;
};
auto adoc_text = [](ADoc& d) -> std::string& { return d.text; };

template <class Op>
std::vector<ADoc> run_with(const std::vector<ADoc>& in, Op op, std::size_t threads, std::size_t batch) {
  std::vector<ADoc> out;
  auto p = mr::from_range(in) | std::move(op) | mr::collect(out);
  if (threads == 0) mr::run(p, mr::serial_executor{.batch_size = batch});
  else mr::run(p, mr::cpu{.threads = threads, .batch_size = batch});
  return out;
}

// The text without the annotated spans of `key` (they are the pieces remove cuts, separators included).
std::string cut_spans(const ADoc& d, const std::string& key) {
  const auto* spans = d.filter_result.spans_of(key);
  REQUIRE(spans);
  std::string out;
  std::uint64_t at = 0;
  for (auto& s : *spans) {
    REQUIRE(s.begin >= at);
    REQUIRE(s.end <= d.text.size());
    out.append(d.text, at, s.begin - at);
    at = s.end;
  }
  out.append(d.text, at, std::string::npos);
  return out;
}

// Sentences drawn from a small pool, so that lines, windows and n-grams repeat across documents,
// and earlier documents copied whole.
std::vector<ADoc> generated_corpus(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<std::string> pool;
  for (int i = 0; i < 40; ++i) {
    std::string s;
    for (int w = 0; w < 9; ++w) {
      if (w) s.push_back(' ');
      s.push_back(char((w == 0 ? 'A' : 'a') + rng() % 26));  // a capital starts a sentence
      s.append(std::to_string(rng() % 50));
    }
    s.push_back('.');
    pool.push_back(s);
  }
  std::vector<ADoc> docs;
  for (std::size_t i = 0; i < n; ++i) {
    ADoc d;
    d.id = i;
    // A quarter of the documents start with an earlier one whole, so that windows of several
    // lines, sentences or paragraphs repeat too, not only single ones.
    if (i > 0 && rng() % 4 == 0) d.text = docs[rng() % i].text + "\n";
    const std::size_t lines = 1 + rng() % 6;
    for (std::size_t l = 0; l < lines; ++l) {
      d.text += pool[rng() % pool.size()];
      d.text += rng() % 3 ? " " : "\n";
      if (rng() % 3 == 0) d.text += "\n";  // a paragraph break
    }
    docs.push_back(std::move(d));
  }
  return docs;
}

// Annotate keeps every record and text; cutting its spans gives remove's records (those remove
// keeps) and its failures name exactly the records remove drops.
template <class MakeOp>
void check_annotate_matches_remove(const std::vector<ADoc>& in, MakeOp make, const std::string& key) {
  const auto removed = run_with(in, make(dd::dedup_action::remove), 0, 7);
  for (const std::size_t threads : {0, 1, 4}) {
    INFO("threads " << threads);
    const auto ann = run_with(in, make(dd::dedup_action::annotate), threads, threads == 4 ? 5 : 64);
    REQUIRE(ann.size() == in.size());
    std::size_t k = 0, flagged = 0, failed_count = 0;
    for (std::size_t i = 0; i < ann.size(); ++i) {
      CHECK(ann[i].id == in[i].id);
      CHECK(ann[i].text == in[i].text);  // nothing changed
      flagged += !ann[i].filter_result.spans_of(key + ".duplicate_spans")->empty();
      const std::string_view failed = ann[i].filter_result.failed(key);
      if (!failed.empty()) {  // remove drops it
        ++failed_count;
        CHECK((k == removed.size() || removed[k].id != in[i].id));
        continue;
      }
      REQUIRE(k < removed.size());
      CHECK(removed[k].id == in[i].id);
      CHECK(cut_spans(ann[i], key + ".duplicate_spans") == removed[k].text);
      const double frac = ann[i].filter_result.score(key + ".duplicate_fraction");
      CHECK(frac >= 0.0);
      CHECK(frac <= 1.0);
      if (!in[i].text.empty()) CHECK(frac == doctest::Approx(1.0 - double(removed[k].text.size()) / double(in[i].text.size())));
      ++k;
    }
    CHECK(k == removed.size());
    CHECK(failed_count == in.size() - removed.size());
    CHECK(flagged >= 5);  // the corpus repeats: records have something to cut (else the comparison is empty)
  }
}

}  // namespace

TEST_CASE("dedup_spans.annotate.lines.hand_made.serial") {
  const std::vector<ADoc> in = {{0, "a\nb\nc\n", {}}, {1, "b\nd\n", {}}, {2, "x\na\n\nb\n", {}}, {3, "  b  \n", {}}, {4, "e", {}}};
  dd::span_dedup_options o;
  o.action = dd::dedup_action::annotate;
  const auto out = run_with(in, dd::spans(o, adoc_text), 0, 2);
  REQUIRE(out.size() == 5);
  for (std::size_t i = 0; i < 5; ++i) CHECK(out[i].text == in[i].text);
  using span = mr::filters::scored_span;
  CHECK(*out[0].filter_result.spans_of("dedup.spans.duplicate_spans") == std::vector<span>{});
  CHECK(*out[1].filter_result.spans_of("dedup.spans.duplicate_spans") == std::vector<span>{{0, 2, 1.0}});
  CHECK(*out[2].filter_result.spans_of("dedup.spans.duplicate_spans") == std::vector<span>{{2, 4, 1.0}, {5, 7, 1.0}});
  CHECK(out[1].filter_result.score("dedup.spans.duplicate_fraction") == doctest::Approx(0.5));
  CHECK(out[2].filter_result.score("dedup.spans.duplicate_units") == 2);
  CHECK(out[0].filter_result.passed_all());
  // "  b  \n" would lose its only line: remove drops it; annotate keeps it with the reason
  CHECK(out[3].filter_result.failed("dedup.spans").substr(0, 16) == "too_little_left:");
  CHECK(out[3].filter_result.score("dedup.spans.duplicate_fraction") == 1.0);
  CHECK(out[4].filter_result.score("dedup.spans.duplicate_fraction") == 0.0);
}

TEST_CASE("dedup_spans.annotate.same_as_remove.1T.4T") {
  const auto in = generated_corpus(400, 3);
  for (const auto unit : {dd::span_unit::line, dd::span_unit::sentence, dd::span_unit::paragraph}) {
    for (const std::size_t len : {1, 3}) {
      INFO("unit " << int(unit) << " span_length " << len);
      check_annotate_matches_remove(
          in,
          [&](dd::dedup_action a) {
            dd::span_dedup_options o;
            o.unit = unit;
            o.span_length = len;
            o.min_remaining_bytes = 20;
            o.action = a;
            return dd::spans(o, adoc_text, "spans");
          },
          "spans");
    }
  }
}

TEST_CASE("dedup_spans.annotate.bloom.same_as_remove.1T.4T") {
  const auto in = generated_corpus(400, 9);
  for (const auto scope : {dd::bloom_scope::paragraph, dd::bloom_scope::document}) {
    INFO("scope " << int(scope));
    check_annotate_matches_remove(
        in,
        [&](dd::dedup_action a) {
          dd::bloom_ngram_options o;
          o.ngram = 4;
          o.min_words = 3;
          o.threshold = 0.6;
          o.scope = scope;
          o.expected_ngrams = 20'000;
          o.min_remaining_bytes = 10;
          o.action = a;
          return dd::bloom_ngrams(o, adoc_text, "bff");
        },
        "bff");
  }
}

TEST_CASE("dedup_spans.annotate.bloom.hand_made.serial") {
  // The second document repeats the first one's line and adds a new one; the third is all new.
  const std::vector<ADoc> in = {{0, "one two three four five six", {}},
                                {1, "one two three four five six\nseven eight nine ten eleven twelve", {}},
                                {2, "p q r s t u", {}}};
  dd::bloom_ngram_options o;
  o.ngram = 3;
  o.min_words = 3;
  o.threshold = 0.8;
  o.action = dd::dedup_action::annotate;
  const auto out = run_with(in, dd::bloom_ngrams(o, adoc_text), 0, 16);
  REQUIRE(out.size() == 3);
  using span = mr::filters::scored_span;
  CHECK(*out[1].filter_result.spans_of("dedup.bloom_ngrams.duplicate_spans") == std::vector<span>{{0, 28, 1.0}});
  CHECK(out[1].filter_result.score("dedup.bloom_ngrams.ngrams") == 8);  // 4 + 4 word 3-grams
  CHECK(out[1].filter_result.score("dedup.bloom_ngrams.ngram_overlap") == doctest::Approx(0.5));
  CHECK(out[0].filter_result.score("dedup.bloom_ngrams.ngram_overlap") == 0.0);
  CHECK(out[2].filter_result.spans_of("dedup.bloom_ngrams.duplicate_spans")->empty());
  CHECK(out[1].text == in[1].text);
}

TEST_CASE("dedup_spans.annotate.needs_filter_result") {
  dd::span_dedup_options o;
  o.action = dd::dedup_action::annotate;
  CHECK_THROWS_AS(dd::spans(o), std::invalid_argument);  // std::string records cannot carry annotations
  dd::bloom_ngram_options b;
  b.action = dd::dedup_action::annotate;
  CHECK_THROWS_WITH_AS(dd::bloom_ngrams(b, "my_bff"),
                       "mr::dedup: my_bff: action annotate needs records with a `mr::filters::filter_result filter_result` member",
                       std::invalid_argument);
}
