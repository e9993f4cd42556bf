// dedup::spans (corpus-wide line / paragraph / sentence-window dedup) and dedup::bloom_ngrams
// (Dolma bff-style Bloom-filter n-gram dedup): exact outputs on hand-made corpora, the serial
// executor == 2 threads at several batch sizes, an independent reference for line dedup, and the
// Bloom filter's measured false-positive rate against (1 - e^(-kn/m))^k.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include <millrace/dedup/bloom_ngram.hpp>
#include <millrace/dedup/span_dedup.hpp>
#include <millrace/dedup/span_dedup_out_of_core.hpp>
#ifdef TBB_VERSION_MAJOR
#error "the span and Bloom dedup operators include oneTBB (an executor)"
#endif

#include <millrace/core.hpp>

namespace mr = millrace;
namespace dd = millrace::dedup;

namespace {

struct Doc {
  std::size_t id = 0;
  std::string text;
};
auto doc_text = [](Doc& d) -> std::string& { return d.text; };

struct PDoc {
  mr::record_position position;
  std::string text;
};

template <class Op, class T>
std::vector<T> run_serial(const std::vector<T>& in, Op op, std::size_t batch = 1024) {
  std::vector<T> out;
  mr::run(mr::from_range(in) | std::move(op) | mr::collect(out), mr::serial_executor{.batch_size = batch});
  return out;
}
template <class Op, class T>
std::vector<T> run_cpu(const std::vector<T>& in, Op op, std::size_t threads, std::size_t batch) {
  std::vector<T> out;
  mr::run(mr::from_range(in) | std::move(op) | mr::collect(out), mr::cpu{.threads = threads, .batch_size = batch});
  return out;
}

std::vector<std::string> contents(std::string_view text, dd::span_unit unit) {
  std::vector<dd::text_piece> p;
  dd::split_pieces(text, unit, p);
  std::vector<std::string> out;
  std::size_t covered = 0;
  for (auto& x : p) {
    CHECK(x.begin == covered);  // the pieces cover the text exactly, in order
    covered = x.end;
    if (!x.blank()) out.emplace_back(text.substr(x.content_begin, x.content_end - x.content_begin));
  }
  CHECK(covered == text.size());
  return out;
}

// Documents of lines drawn from a small pool (many repeats), seeded.
std::vector<Doc> line_corpus(std::size_t docs, std::size_t pool, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> lines;
  for (std::size_t i = 0; i < pool; ++i) {
    std::string l;
    const std::size_t words = 3 + rng() % 12;
    for (std::size_t w = 0; w < words; ++w) l += (w ? " w" : "w") + std::to_string(rng() % 50);
    lines.push_back(l + ".");
  }
  std::vector<Doc> out;
  for (std::size_t d = 0; d < docs; ++d) {
    std::string t;
    const std::size_t n = 1 + rng() % 8;
    for (std::size_t i = 0; i < n; ++i) {
      t += lines[rng() % pool];
      t += (rng() % 5 == 0) ? "\n\n" : (rng() % 2 ? "\n" : " ");
    }
    out.push_back({d, t});
  }
  return out;
}

std::string trim(std::string_view s) {
  std::size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || (s[b] >= '\t' && s[b] <= '\r'))) ++b;
  while (e > b && (s[e - 1] == ' ' || (s[e - 1] >= '\t' && s[e - 1] <= '\r'))) --e;
  return std::string(s.substr(b, e - b));
}

// Line dedup written independently of the operator: a set of trimmed lines, in input order.
std::vector<std::string> reference_line_dedup(const std::vector<Doc>& docs) {
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  for (const Doc& d : docs) {
    std::string kept;
    bool changed = false;
    std::size_t b = 0;
    while (b < d.text.size()) {
      std::size_t nl = d.text.find('\n', b);
      const std::size_t e = nl == std::string::npos ? d.text.size() : nl + 1;
      const std::string_view line(d.text.data() + b, e - b);
      const std::string key = trim(line);
      if (key.empty() || seen.insert(key).second) kept.append(line);
      else changed = true;
      b = e;
    }
    if (changed && trim(kept).empty()) continue;
    out.push_back(kept);
  }
  return out;
}

std::vector<std::string> texts_of(const std::vector<Doc>& v) {
  std::vector<std::string> t;
  for (auto& d : v) t.push_back(d.text);
  return t;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
TEST_CASE("dedup_spans.split.pieces") {
  CHECK(contents("a\n  b \n\nc", dd::span_unit::line) == std::vector<std::string>{"a", "b", "c"});
  CHECK(contents("p1 l1\np1 l2\n\np2\n\n\n  p3  ", dd::span_unit::paragraph) ==
        std::vector<std::string>{"p1 l1\np1 l2", "p2", "p3"});
  CHECK(contents("Pi is 3.14. Really?! \"Yes.\" Go\nNext line", dd::span_unit::sentence) ==
        std::vector<std::string>{"Pi is 3.14.", "Really?!", "\"Yes.\"", "Go", "Next line"});
  CHECK(contents("一。二！三", dd::span_unit::sentence).size() == 1);  // no space after 。: one sentence
  CHECK(contents("一。 二！ 三", dd::span_unit::sentence) == std::vector<std::string>{"一。", "二！", "三"});
  CHECK(contents("", dd::span_unit::line).empty());
}

TEST_CASE("dedup_spans.lines.hand_made.serial") {
  std::vector<std::string> in = {"a\nb\nc\n", "b\nd\n", "x\na\n\nb\n", "  b  \n", "e"};
  dd::span_dedup_stage<std::string, dd::detail::string_ref> s({}, {});
  std::vector<std::string> dropped;
  s.on_dropped([&](const std::string& r, const std::string& why) {
    dropped.push_back(r);
    CHECK(why.find("min_remaining_bytes") != std::string::npos);
  });
  auto out = run_serial(in, mr::stage(std::ref(s)), 2);
  CHECK(out == std::vector<std::string>{"a\nb\nc\n", "d\n", "x\n\n", "e"});
  CHECK(dropped == std::vector<std::string>{""});  // "  b  \n" lost its only line
  const auto& c = s.counts();
  CHECK(c.documents == 5);
  CHECK(c.documents_changed == 3);
  CHECK(c.documents_dropped == 1);
  CHECK(c.spans == 10);
  CHECK(c.duplicate_spans == 4);
  CHECK(c.units_removed == 4);
  CHECK(c.bytes_removed == 2 + 2 + 2 + 6);
  CHECK(s.distinct_spans() == 6);
  CHECK(s.memory_bytes() >= 6 * sizeof(dd::digest128));
}

TEST_CASE("dedup_spans.lines.within_document.serial") {
  std::vector<std::string> in = {"q\nq\nr\n", "q\n"};
  CHECK(run_serial(in, dd::spans({})) == std::vector<std::string>{"q\nr\n"});
  CHECK(run_serial(in, dd::spans({.within_document = false})) == std::vector<std::string>{"q\nq\nr\n"});
  // min_remaining_bytes = 0 keeps the emptied document
  CHECK(run_serial(in, dd::spans({.min_remaining_bytes = 0})) == std::vector<std::string>{"q\nr\n", ""});
  // a document that lost nothing is never dropped, however short
  CHECK(run_serial(std::vector<std::string>{"ab"}, dd::spans({.min_remaining_bytes = 100})) == std::vector<std::string>{"ab"});
  // a document that lost a line and keeps fewer bytes than the minimum goes
  CHECK(run_serial(std::vector<std::string>{"x\n", "x\nyz\n"}, dd::spans({.min_remaining_bytes = 3})) ==
        std::vector<std::string>{"x\n"});
}

TEST_CASE("dedup_spans.paragraphs.hand_made.serial") {
  std::vector<std::string> in = {"p1 line\nmore\n\np2\n\n\np1 line\nmore", "intro\n\np2\n\nend\n"};
  auto out = run_serial(in, dd::spans({.unit = dd::span_unit::paragraph}));
  CHECK(out == std::vector<std::string>{"p1 line\nmore\n\np2\n\n\n", "intro\n\nend\n"});
}

TEST_CASE("dedup_spans.sentences.three_sentence_windows.serial") {
  const dd::span_dedup_options o{.unit = dd::span_unit::sentence, .span_length = 3};
  std::vector<std::string> in = {"One. Two. Three. Four.", "Zero. One. Two. Three. Five.", "One. Two.", "Two. Three. Four. Six."};
  auto out = run_serial(in, dd::spans(o));
  // doc 1: the window (One Two Three) was seen: its three sentences go; (Zero One Two) and
  // (Two Three Five) are new. doc 2 has two sentences: no window. doc 3: (Two Three Four) seen.
  CHECK(out == std::vector<std::string>{"One. Two. Three. Four.", "Zero. Five.", "One. Two.", "Six."});
}

TEST_CASE("dedup_spans.normalized_match.serial") {
  dd::span_dedup_options o;
  o.match.normalize = true;
  std::vector<std::string> in = {"Hello, World!\nkeep\n", "hello world\nother\n"};
  CHECK(run_serial(in, dd::spans(o)) == std::vector<std::string>{"Hello, World!\nkeep\n", "other\n"});
  CHECK(run_serial(in, dd::spans({})) == in);  // raw bytes: different lines
}

TEST_CASE("dedup_spans.lines.reference.serial_2T_batches") {
  const auto docs = line_corpus(3000, 400, 7);
  const auto ref = reference_line_dedup(docs);
  const auto serial = run_serial(docs, dd::spans({}, doc_text));
  CHECK(texts_of(serial) == ref);
  CHECK(ref.size() < docs.size());  // the corpus has documents that lose everything
  for (std::size_t batch : {1u, 7u, 256u, 4096u}) {
    CAPTURE(batch);
    const auto two = run_cpu(docs, dd::spans({}, doc_text), 2, batch);
    REQUIRE(two.size() == serial.size());
    for (std::size_t i = 0; i < two.size(); ++i) {
      CHECK(two[i].id == serial[i].id);
      CHECK(two[i].text == serial[i].text);
    }
  }
}

TEST_CASE("dedup_spans.sentences.serial_eq_2T") {
  // Runs of consecutive sentences of one pool, so that three-sentence windows repeat.
  const auto pool = line_corpus(60, 400, 11);
  std::vector<Doc> docs;
  std::mt19937_64 rng(12);
  for (std::size_t d = 0; d < 2000; ++d) {
    std::string t;
    const std::size_t start = rng() % 50, len = 1 + rng() % 8;
    for (std::size_t i = start; i < start + len; ++i) t += trim(pool[i].text) + (rng() % 3 ? " " : "\n");
    docs.push_back({d, t});
  }
  const dd::span_dedup_options o{.unit = dd::span_unit::sentence, .span_length = 3};
  const auto serial = texts_of(run_serial(docs, dd::spans(o, doc_text)));
  CHECK(serial != texts_of(docs));
  for (std::size_t batch : {3u, 100u}) CHECK(texts_of(run_cpu(docs, dd::spans(o, doc_text), 2, batch)) == serial);
  // the stage run twice gives the same result twice (a run works on a copy)
  auto op = dd::spans(o, doc_text);
  CHECK(texts_of(run_serial(docs, op)) == texts_of(run_serial(docs, op)));
}

TEST_CASE("dedup_spans.positioned.order_checked") {
  std::vector<PDoc> in = {{{0, 10}, "a\n"}, {{0, 5}, "a\n"}};
  CHECK_THROWS_WITH_AS(run_serial(in, dd::spans({}, [](PDoc& d) -> std::string& { return d.text; })),
                       doctest::Contains("dedup.spans"), std::exception);
  std::vector<PDoc> ok = {{{0, 5}, "a\nb\n"}, {{1, 0}, "a\nc\n"}};
  auto out = run_serial(ok, dd::spans({}, [](PDoc& d) -> std::string& { return d.text; }));
  REQUIRE(out.size() == 2);
  CHECK(out[1].text == "c\n");
}

// The out-of-core form gives dedup::spans' output for any budget (a tiny one spills many runs and
// merges them in several passes), and refuses a second pass that does not match the first.
TEST_CASE("dedup_spans.out_of_core.eq_in_memory.budgets_serial_2T") {
  const auto docs = line_corpus(1500, 200, 21);
  for (const bool within : {true, false})
    for (const auto unit : {dd::span_unit::line, dd::span_unit::sentence}) {
      const dd::span_dedup_options o{.unit = unit, .span_length = unit == dd::span_unit::line ? 1u : 2u, .within_document = within};
      const auto ref = run_serial(docs, dd::spans(o, doc_text));
      for (const std::size_t budget : {std::size_t(4096), std::size_t(64) << 20}) {
        CAPTURE(within);
        CAPTURE(budget);
        dd::span_dedup_out_of_core sd(o, {.memory_budget = budget});
        mr::run(mr::from_range(docs) | sd.hash_pass(doc_text), mr::cpu{.threads = 2, .batch_size = 100});
        sd.find_duplicates();
        std::vector<Doc> out;
        mr::run(mr::from_range(docs) | sd.remove_pass(doc_text) | mr::collect(out), mr::serial_executor{.batch_size = 33});
        REQUIRE(out.size() == ref.size());
        for (std::size_t i = 0; i < out.size(); ++i) {
          CHECK(out[i].id == ref[i].id);
          CHECK(out[i].text == ref[i].text);
        }
        CHECK(sd.counts().documents == docs.size());
        CHECK(sd.counts().documents_dropped == docs.size() - ref.size());
        if (budget == 4096) CHECK(sd.spill().runs > 8);
        else CHECK(sd.spill().runs == 0);
      }
    }
}

TEST_CASE("dedup_spans.out_of_core.annotate_refused") {
  // Out of core, pass 2 only cuts: annotate mode is refused at construction, not run as remove.
  dd::span_dedup_options o;
  o.action = dd::dedup_action::annotate;
  CHECK_THROWS_WITH_AS(dd::span_dedup_out_of_core(o, {}), doctest::Contains("action annotate is not supported out of core"),
                       std::invalid_argument);
}

TEST_CASE("dedup_spans.out_of_core.pass_mismatch") {
  const auto docs = line_corpus(50, 10, 3);
  dd::span_dedup_out_of_core sd({}, {});
  CHECK_THROWS_AS(sd.remove_pass(doc_text), std::logic_error);  // before find_duplicates
  mr::run(mr::from_range(docs) | sd.hash_pass(doc_text));
  sd.find_duplicates();
  std::vector<Doc> fewer(docs.begin(), docs.begin() + 40), out;
  CHECK_THROWS_WITH_AS(mr::run(mr::from_range(fewer) | sd.remove_pass(doc_text) | mr::collect(out)),
                       doctest::Contains("same input in the same order"), std::exception);
}

// ---------------------------------------------------------------------------------------------
TEST_CASE("dedup_spans.bloom.sizing") {
  const auto s = dd::bloom_size_for(1'000'000, 0.01);
  // m = ceil(n ln(1/p) / ln^2 2) = 9,585,059 bits, rounded up to 64; k = round(m/n ln 2) = 7
  CHECK(s.bits == 9585088);
  CHECK(s.hashes == 7);
  CHECK(dd::bloom_false_positive_rate(s.bits, s.hashes, 1'000'000) == doctest::Approx(0.01).epsilon(0.03));
  CHECK_THROWS_AS(dd::bloom_size_for(10, 0.0), std::invalid_argument);
  CHECK_THROWS_AS(dd::bloom_size_for(10, 1.0), std::invalid_argument);
  const auto f = dd::bloom_filter::for_items(1'000'000, 0.01);
  CHECK(f.memory_bytes() == s.bits / 8);
}

// The measured false-positive rate of n random keys against N other random keys. Tolerance: the
// binomial standard error sigma = sqrt(p (1 - p) / N) (about 7e-5 at p = 0.01, N = 2e6), 6 sigma
// (a chance of about 2e-9 for a correct filter), plus 10% of p for the model: the formula assumes
// k independent uniform probes, double hashing and a finite m add a small bias (well under 10% at
// m >= 10^6, Bose et al. 2008; Kirsch and Mitzenmacher 2006). A broken probe sequence (say, all
// k probes on one bit) or a wrong sizing lands far outside (that one: p ~ 0.1).
TEST_CASE("dedup_spans.bloom.false_positive_rate.statistical") {
  for (double target : {0.01, 0.001}) {
    CAPTURE(target);
    const std::uint64_t n = 200'000, N = 2'000'000;
    auto f = dd::bloom_filter::for_items(n, target);
    std::mt19937_64 rng(20261202);
    std::vector<std::uint64_t> keys(n);
    for (auto& k : keys) k = rng();
    for (auto k : keys) f.insert(k);
    for (auto k : keys) REQUIRE(f.contains(k));  // no false negatives
    auto g = dd::bloom_filter::for_items(n, target);  // the single-writer insert sets the same bits
    for (auto k : keys) g.insert_exclusive(k);
    CHECK(g.fill_ratio() == f.fill_ratio());
    CHECK(f.fill_ratio() == doctest::Approx(1 - std::exp(-double(f.hashes()) * double(n) / double(f.bits()))).epsilon(0.01));
    std::unordered_set<std::uint64_t> inserted(keys.begin(), keys.end());
    std::uint64_t fp = 0, queries = 0;
    while (queries < N) {
      const std::uint64_t q = rng();
      if (inserted.count(q)) continue;
      ++queries;
      fp += f.contains(q);
    }
    const double measured = double(fp) / double(N);
    const double predicted = dd::bloom_false_positive_rate(f.bits(), f.hashes(), n);
    const double sigma = std::sqrt(predicted * (1 - predicted) / double(N));
    CAPTURE(measured);
    CAPTURE(predicted);
    CHECK(std::abs(measured - predicted) <= 6 * sigma + 0.10 * predicted);
    CHECK(predicted <= target * 1.05);  // the sizing meets its target
  }
}

TEST_CASE("dedup_spans.bloom.concurrent_inserts.2T") {
  auto f = dd::bloom_filter::for_items(100'000, 0.01);
  std::vector<std::uint64_t> keys(100'000);
  std::mt19937_64 rng(3);
  for (auto& k : keys) k = rng();
  std::thread t([&] { for (std::size_t i = 0; i < keys.size(); i += 2) f.insert(keys[i]); });
  for (std::size_t i = 1; i < keys.size(); i += 2) f.insert(keys[i]);
  t.join();
  for (auto k : keys) REQUIRE(f.contains(k));  // atomic bit sets: no insert lost
  const auto g = f;                              // a copy holds the same bits
  for (auto k : keys) REQUIRE(g.contains(k));
}

TEST_CASE("dedup_spans.bloom_ngrams.paragraphs.hand_made.serial") {
  const dd::bloom_ngram_options o{.ngram = 3, .min_words = 3, .threshold = 0.8, .expected_ngrams = 10'000, .false_positive_rate = 1e-6};
  std::vector<std::string> in = {
      "the quick brown fox jumps\nsomething else entirely here",
      "the quick brown fox jumps\nnew words in this line\nab cd",  // line 1: 3 of 3 n-grams seen
      "the quick brown fox sleeps",                              // 2 of 3 seen: 0.67 < 0.8, kept
      "  ab cd  \nthe quick brown fox sleeps\n",                 // now seen (it was added); "ab cd": too short, left alone
      "something else entirely here\n",                          // emptied: dropped
  };
  dd::bloom_ngram_stage<std::string, dd::detail::string_ref, true> s(o, {});
  std::vector<std::string> dropped;
  s.on_dropped([&](const std::string& r, const std::string&) { dropped.push_back(r); });
  auto out = run_serial(in, mr::stage(std::ref(s)), 2);
  CHECK(out == std::vector<std::string>{"the quick brown fox jumps\nsomething else entirely here", "new words in this line\nab cd",
                                        "the quick brown fox sleeps", "  ab cd  \n"});
  CHECK(dropped == std::vector<std::string>{""});
  const auto c = s.counts();
  CHECK(c.documents == 5);
  CHECK(c.paragraphs == 7);
  CHECK(c.paragraphs_removed == 3);
  CHECK(c.documents_dropped == 1);
  CHECK(c.ngrams == (3 + 2) + (3 + 3) + 3 + 3 + 2);
  CHECK(c.ngrams_found == 3 + 2 + 3 + 2);
  REQUIRE(s.filter() != nullptr);
  CHECK(s.memory_bytes() == s.filter()->memory_bytes());
}

TEST_CASE("dedup_spans.bloom_ngrams.documents.hand_made.serial") {
  const dd::bloom_ngram_options o{.ngram = 2, .min_words = 2, .threshold = 0.5, .scope = dd::bloom_scope::document,
                                  .expected_ngrams = 10'000, .false_positive_rate = 1e-6};
  std::vector<std::string> in = {"a b c d", "a b c x y z", "c d e\na b", "p q r s"};
  // doc 1: (a b)(b c) seen of 5 n-grams: 0.4, kept and added; doc 2: (c d)(a b) seen, (d e) not:
  // 2/3 >= 0.5, dropped; doc 3: new.
  CHECK(run_serial(in, dd::bloom_ngrams(o)) == std::vector<std::string>{"a b c d", "a b c x y z", "p q r s"});
}

TEST_CASE("dedup_spans.bloom_ngrams.serial_eq_2T.unordered_same_size") {
  const auto docs = line_corpus(3000, 300, 5);
  const dd::bloom_ngram_options o{.ngram = 4, .min_words = 3, .threshold = 0.6, .expected_ngrams = 200'000, .false_positive_rate = 0.001};
  const auto serial = run_serial(docs, dd::bloom_ngrams(o, doc_text));
  CHECK(texts_of(serial) != texts_of(docs));
  for (std::size_t batch : {1u, 50u, 1024u}) {
    const auto two = run_cpu(docs, dd::bloom_ngrams(o, doc_text), 2, batch);
    REQUIRE(two.size() == serial.size());
    for (std::size_t i = 0; i < two.size(); ++i) {
      CHECK(two[i].id == serial[i].id);
      CHECK(two[i].text == serial[i].text);
    }
  }
  // Unordered: which copy survives depends on timing, so only what holds for any order is checked:
  // every surviving paragraph is one of the input's, and no more documents than came in.
  const auto un = run_cpu(docs, dd::bloom_ngrams_unordered(o, doc_text), 2, 64);
  std::unordered_set<std::string> paragraphs;
  std::vector<dd::text_piece> pieces;
  for (const Doc& d : docs) {
    dd::split_pieces(d.text, dd::span_unit::line, pieces);
    for (auto& p : pieces) paragraphs.insert(trim(std::string_view(d.text).substr(p.begin, p.end - p.begin)));
  }
  CHECK(!un.empty());
  CHECK(un.size() <= docs.size());
  for (const Doc& d : un) {
    dd::split_pieces(d.text, dd::span_unit::line, pieces);
    for (auto& p : pieces) CHECK(paragraphs.count(trim(std::string_view(d.text).substr(p.begin, p.end - p.begin))) == 1);
  }
}
