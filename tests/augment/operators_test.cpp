// Augmentation operators in real pipelines (serial and oneTBB executors): byte-identical output for
// 1 and 2 threads and any batch size, input-then-variant order, counts that add up, exact dedup
// against originals and siblings; running a pipeline twice; keys from record positions (same output
// for any threads, batch size and split of the input).
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <vector>

// The operators build on the composition half of the core: no executor, no oneTBB.
#include <millrace/augment/module.hpp>
#include <millrace/augment/operators.hpp>
#ifdef TBB_VERSION_MAJOR
#error "millrace/augment/operators.hpp or module.hpp includes oneTBB (an executor)"
#endif

#include <millrace/core.hpp>

#include "wordnet_fixture.hpp"

namespace au = millrace::augment;
namespace mr = millrace;

namespace {
std::vector<au::source_doc> make_docs(std::size_t n) {
  const std::vector<std::string> base{
      "The happy dog ran across the big green field to the old house near the river.",
      "A motor vehicle with four wheels; usually propelled by an internal combustion engine.",
      "She had a feeling of euphoria after the long and difficult journey across the mountains.",
      "The book was her finest effort and the critics agreed that it was a notable achievement."};
  std::vector<au::source_doc> docs;
  for (std::size_t i = 0; i < n; ++i) docs.push_back({0, i % 5 == 0 ? "" : "doc-" + std::to_string(i), base[i % base.size()] + " #" + std::to_string(i), ""});
  return docs;
}

template <class Exec>
std::string run_pipeline(const std::vector<au::source_doc>& docs, Exec exec, au::augment_counts* counts = nullptr) {
  const auto& wn = test::shared_wordnet();
  auto aug = std::make_shared<const au::augmenter>(&wn, au::augment_options{.ops = au::parse_ops("synonym,insert,swap,delete,typo,mask,span"), .variants = 5, .seed = 99});
  auto guard = std::make_shared<const au::similarity_guard>(au::guard_options{});
  auto t = std::make_shared<au::augment_tally>();
  std::vector<au::augmented_doc> out;
  mr::run(mr::from_range(docs) | au::number() | au::make_variants(aug) | au::guard(guard) | au::dedup_variants() | au::tally(t) |
              au::flatten() | mr::collect(out),
          exec);
  if (counts) *counts = t->get();
  std::string s;
  for (const auto& d : out) s += d.to_json() + "\n";
  return s;
}
}  // namespace

TEST_CASE("augment.pipeline.deterministic.serial_1T_2T") {
  const auto docs = make_docs(300);
  au::augment_counts c;
  const std::string ref = run_pipeline(docs, mr::serial_executor{}, &c);
  CHECK(ref == run_pipeline(docs, mr::cpu{.threads = 1}));
  CHECK(ref == run_pipeline(docs, mr::cpu{.threads = 2, .batch_size = 7}));
  CHECK(ref == run_pipeline(docs, mr::cpu{.threads = 2, .batch_size = 64}));
  // Counts add up and match the output.
  CHECK(c.sources == 300);
  CHECK(c.generated == 300 * 5);
  CHECK(c.generated == c.kept + c.too_similar + c.too_different + c.sibling_duplicate + c.duplicate);
  std::size_t lines = 0;
  for (char ch : ref) lines += ch == '\n';
  CHECK(lines == c.sources + c.kept);
  CHECK(c.kept > c.generated / 2);
}

TEST_CASE("augment.pipeline.order_and_provenance") {
  const auto docs = make_docs(20);
  const auto& wn = test::shared_wordnet();
  auto aug = std::make_shared<const au::augmenter>(&wn, au::augment_options{.ops = au::parse_ops("synonym,swap"), .variants = 4, .seed = 1});
  std::vector<au::augmented_doc> out;
  mr::run(mr::from_range(docs) | au::number() | au::make_variants(aug) | au::dedup_variants() | au::flatten() | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 3});
  REQUIRE(!out.empty());
  std::uint64_t prev_key = 0;
  std::uint32_t prev_variant = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto& d = out[i];
    if (i > 0) CHECK((d.key > prev_key || (d.key == prev_key && d.variant > prev_variant)));
    prev_key = d.key;
    prev_variant = d.variant;
    const std::string sid = d.key % 5 == 0 ? std::to_string(d.key) : "doc-" + std::to_string(d.key);
    CHECK(d.source_id == sid);
    if (d.variant == 0) {
      CHECK(d.text == docs[d.key].text);
      CHECK(d.ops.empty());
    } else {
      CHECK(d.id == sid + "#" + std::to_string(d.variant));
      REQUIRE(d.ops.size() == 1);
      CHECK(d.ops[0] == (d.variant % 2 == 1 ? au::op_kind::synonym : au::op_kind::swap));
    }
  }
}

TEST_CASE("augment.pipeline.dedup.against_originals_and_siblings") {
  // Deleting one of two words makes "x" or "y": copies of later originals and of each other; the
  // one-word texts cannot lose a word, so their variants are copies of themselves.
  std::vector<au::source_doc> docs{{0, "", "x y", ""}, {0, "", "x", ""}, {0, "", "y", ""}};
  auto aug = std::make_shared<const au::augmenter>(nullptr, au::augment_options{.ops = {au::op_kind::del}, .variants = 6, .seed = 3});
  auto run = [&](std::shared_ptr<au::exact_seen> seen) {
    auto t = std::make_shared<au::augment_tally>();
    std::vector<au::augmented_doc> out;
    mr::run(mr::from_range(docs) | au::number() | au::make_variants(aug) | au::dedup_variants(seen) | au::tally(t) | au::flatten() | mr::collect(out), mr::cpu{.threads = 2});
    return std::pair{t->get(), out};
  };
  // Unseeded: only earlier texts count; the first "x" and the first "y" variant survive.
  auto [c1, out1] = run(nullptr);
  CHECK(c1.generated == 18);
  CHECK(c1.kept == 2);
  CHECK(c1.duplicate == 16);
  CHECK(out1.size() == 3 + 2);
  // An unseeded fragment run twice starts afresh each time.
  {
    auto aug1 = std::make_shared<const au::augmenter>(nullptr, au::augment_options{.ops = {au::op_kind::del}, .variants = 6, .seed = 3});
    auto frag = au::number() | au::make_variants(aug1) | au::dedup_variants() | au::flatten();
    std::vector<au::augmented_doc> r1, r2;
    mr::run(mr::from_range(docs) | frag | mr::collect(r1), mr::serial_executor{});
    mr::run(mr::from_range(docs) | frag | mr::collect(r2), mr::serial_executor{});
    CHECK(r1.size() == 5);
    CHECK(r2.size() == 5);
  }
  // Seeded with every original: all variants are copies of originals.
  auto seen = std::make_shared<au::exact_seen>();
  for (const auto& d : docs) seen->insert(d.text);
  auto [c2, out2] = run(seen);
  CHECK(c2.kept == 0);
  CHECK(c2.duplicate == 18);
  CHECK(out2.size() == 3);
}

TEST_CASE("augment.augmented_doc.to_json") {
  au::augmented_doc d{"a#1", "a", 0, 1, {au::op_kind::synonym, au::op_kind::span}, "say \"hi\"\n", "<extra_id_0> x", 0.5, ""};
  CHECK(d.to_json() == R"({"id":"a#1","source_id":"a","variant":1,"ops":["synonym","span"],"text":"say \"hi\"\n","target":"<extra_id_0> x","jaccard":0.5000})");
  au::augmented_doc o{"a", "a", 0, 0, {}, "t", "", -1, R"({"id":"a","text":"t","x":1})"};
  CHECK(o.to_json() == R"({"id":"a","text":"t","x":1})");
}


TEST_CASE("augment.module.config_and_same_output_as_chain") {
  const auto& wn = test::shared_wordnet();
  const auto docs = make_docs(60);
  au::augment_module m{.wn = &wn};
  mr::load_config(m, R"({"variants": 3, "seed": 5, "ops": "synonym,swap,delete", "guard_lo": 0.35})");
  CHECK(m.augment_opts.variants == 3);
  CHECK(m.guard_opts.lo == 0.35);
  CHECK(mr::describe(m).find("guard_hi") != std::string::npos);
  CHECK_THROWS_AS(mr::load_config(m, R"({"no_such_param": 1})"), mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(m, R"({"guard_ngram": 0})"), "config: parameter 'guard_ngram' must be in [1, 64], got 0",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(m, R"({"mode": "sideways"})"),
                       "config: parameter 'mode' must be one of cycle, chain, got \"sideways\"", mr::config_error);
  CHECK(m.guard_opts.ngram == 2);
  std::vector<au::augmented_doc> a, b;
  mr::run(mr::from_range(docs) | m | mr::collect(a), mr::cpu{.threads = 2, .batch_size = 16});
  auto aug = std::make_shared<const au::augmenter>(&wn, au::augment_options{.ops = au::parse_ops("synonym,swap,delete"), .variants = 3, .seed = 5});
  auto guard = std::make_shared<const au::similarity_guard>(au::guard_options{.lo = 0.35});
  mr::run(mr::from_range(docs) | au::number() | au::make_variants(aug) | au::guard(guard) | au::dedup_variants() | au::flatten() | mr::collect(b), mr::serial_executor{});
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].to_json() == b[i].to_json());
  m.ops = "synonym,sideways";
  CHECK_THROWS_AS(m.options(), std::invalid_argument);
}

// ---------------------------------------------------------------------------------------------
// The state rule: the same pipeline object run twice gives the same output twice, with or without
// a seeded originals set (which a run only reads).
namespace {
template <class Exec>
void check_run_twice(Exec exec) {
  const auto& wn = test::shared_wordnet();
  const auto docs = make_docs(40);
  auto aug = std::make_shared<const au::augmenter>(&wn, au::augment_options{.ops = au::parse_ops("synonym,swap,delete"), .variants = 4, .seed = 11});
  auto guard = std::make_shared<const au::similarity_guard>(au::guard_options{});
  auto seen = std::make_shared<au::exact_seen>();
  for (const auto& d : docs) seen->insert(d.text);
  const std::size_t seeded = seen->size();
  for (auto originals : {std::shared_ptr<au::exact_seen>{}, seen}) {
    std::vector<au::augmented_doc> out;
    auto p = mr::from_range(docs) | au::number() | au::make_variants(aug) | au::guard(guard) | au::dedup_variants(originals) |
             au::flatten() | mr::collect(out);
    auto once = [&] {
      out.clear();
      mr::run(p, exec);
      std::string s;
      for (const auto& d : out) s += d.to_json() + "\n";
      return std::pair{s, out.size()};
    };
    const auto first = once();
    const auto second = once();
    CHECK(first.second > docs.size());  // variants survived: a second run that dropped them would differ
    CHECK(first == second);
  }
  CHECK(seen->size() == seeded);  // the run did not add its variants to the caller's set
}
}  // namespace

TEST_CASE("augment.state.run_twice_same.serial") { check_run_twice(mr::serial_executor{}); }
TEST_CASE("augment.state.run_twice_same.2T") { check_run_twice(mr::cpu{.threads = 2, .batch_size = 8}); }

// ---------------------------------------------------------------------------------------------
// Global record order: with positions, a record's variants depend on its position, not on its
// arrival: the same for any thread count, batch size and split of the input into parts.
namespace {
// Two "input files" numbered by byte offset, as a reader numbers newline-terminated lines.
std::vector<au::source_doc> with_positions(std::vector<au::source_doc> docs) {
  std::uint64_t off = 0;
  for (std::size_t i = 0; i < docs.size(); ++i) {
    const std::uint64_t input = i < docs.size() / 2 ? 0 : 1;
    if (i == docs.size() / 2) off = 0;
    docs[i].position = mr::record_position{input, off};
    off += docs[i].text.size() + 1;
  }
  return docs;
}

struct augment_setup {
  std::shared_ptr<const au::augmenter> aug;
  std::shared_ptr<const au::similarity_guard> guard;
};
augment_setup setup() {
  const auto& wn = test::shared_wordnet();
  return {std::make_shared<const au::augmenter>(&wn, au::augment_options{.ops = au::parse_ops("synonym,insert,swap,delete,typo,span"), .variants = 4, .seed = 21}),
          std::make_shared<const au::similarity_guard>(au::guard_options{})};
}

template <class Exec>
std::string run_full(const std::vector<au::source_doc>& docs, Exec exec, std::shared_ptr<const au::exact_seen> originals) {
  const auto s = setup();
  std::vector<au::augmented_doc> out;
  mr::run(mr::from_range(docs) | au::number() | au::make_variants(s.aug) | au::guard(s.guard) | au::dedup_variants(originals) |
              au::flatten() | mr::collect(out),
          exec);
  std::string r;
  for (const auto& d : out) r += d.to_json() + "\n";
  return r;
}

// Without dedup_variants (the one stage that compares records with each other): the JSON lines
// of each source, by source id, whatever order the records came in.
template <class Exec>
std::map<std::string, std::vector<std::string>> run_per_source(const std::vector<au::source_doc>& docs, Exec exec) {
  const auto s = setup();
  std::vector<au::augmented_doc> out;
  mr::run(mr::from_range(docs) | au::number() | au::make_variants(s.aug) | au::guard(s.guard) | au::flatten() | mr::collect(out), exec);
  std::map<std::string, std::vector<std::string>> m;
  for (const auto& d : out) m[d.source_id].push_back(d.to_json());
  return m;
}

std::vector<au::source_doc> slice(const std::vector<au::source_doc>& v, std::size_t b, std::size_t e) {
  return {v.begin() + static_cast<std::ptrdiff_t>(b), v.begin() + static_cast<std::ptrdiff_t>(e)};
}
}  // namespace

TEST_CASE("augment.positioned.same_output.serial_1T_2T_batch_1_7_1024") {
  const auto docs = with_positions(make_docs(120));
  auto originals = std::make_shared<au::exact_seen>();
  for (const auto& d : docs) originals->insert(d.text);
  for (auto seed_set : {std::shared_ptr<const au::exact_seen>{}, std::shared_ptr<const au::exact_seen>(originals)}) {
    const std::string ref = run_full(docs, mr::serial_executor{}, seed_set);
    CHECK(ref == run_full(docs, mr::cpu{.threads = 1, .batch_size = 1}, seed_set));
    CHECK(ref == run_full(docs, mr::cpu{.threads = 2, .batch_size = 7}, seed_set));
    CHECK(ref == run_full(docs, mr::cpu{.threads = 2, .batch_size = 1024}, seed_set));
  }
  // Records without an id are named by their position: "<offset>" in input 0, "<input>:<offset>" after.
  std::vector<au::augmented_doc> out;
  mr::run(mr::from_range(slice(docs, 0, 1)) | au::number() | au::make_variants(setup().aug) | au::flatten() | mr::collect(out));
  REQUIRE(!out.empty());
  CHECK(out[0].source_id == "0");
  out.clear();
  mr::run(mr::from_range(slice(docs, 60, 61)) | au::number() | au::make_variants(setup().aug) | au::flatten() | mr::collect(out));
  REQUIRE(!out.empty());
  CHECK(docs[60].id.empty());
  CHECK(out[0].source_id == "1:0");
  CHECK(out[0].position == docs[60].position);
}

TEST_CASE("augment.positioned.parts_in_any_order_and_batching.2T") {
  const auto docs = with_positions(make_docs(90));
  const auto whole = run_per_source(docs, mr::serial_executor{});
  // Three parts, each run on its own (as separate processes would), in another order and batching.
  auto merged = [](std::map<std::string, std::vector<std::string>> a, const std::map<std::string, std::vector<std::string>>& b) {
    for (const auto& [k, v] : b) CHECK(a.emplace(k, v).second);
    return a;
  };
  auto parts = merged(merged(run_per_source(slice(docs, 60, 90), mr::cpu{.threads = 2, .batch_size = 7}),
                             run_per_source(slice(docs, 0, 25), mr::cpu{.threads = 1, .batch_size = 1})),
                      run_per_source(slice(docs, 25, 60), mr::cpu{.threads = 2, .batch_size = 1024}));
  CHECK(parts.size() == docs.size());
  CHECK(parts == whole);
  // One stream with the parts out of order gives each source the same lines too.
  auto reordered = slice(docs, 60, 90);
  for (const auto& d : slice(docs, 0, 60)) reordered.push_back(d);
  CHECK(run_per_source(reordered, mr::cpu{.threads = 2, .batch_size = 7}) == whole);
  // Without positions the key is the arrival index, which a part restarts: the variants change
  // (this is what the positions are for, and shows the comparison above can fail).
  std::vector<au::source_doc> plain = docs;
  for (auto& d : plain) {
    d.position.reset();
    if (d.id.empty()) d.id = "p" + std::to_string(&d - plain.data());  // ids independent of arrival
  }
  auto plain_whole = run_per_source(plain, mr::serial_executor{});
  auto plain_parts = merged(run_per_source(slice(plain, 45, 90), mr::serial_executor{}), run_per_source(slice(plain, 0, 45), mr::serial_executor{}));
  CHECK(plain_parts != plain_whole);
}

TEST_CASE("augment.positioned.input0_positions_match_element_index.serial") {
  // position {0, i} keys a record as number() keys the i-th record of a stream without positions.
  auto plain = make_docs(30);
  auto positioned = plain;
  for (std::size_t i = 0; i < positioned.size(); ++i) positioned[i].position = mr::record_position{0, i};
  CHECK(run_full(plain, mr::serial_executor{}, nullptr) == run_full(positioned, mr::serial_executor{}, nullptr));
  CHECK(au::position_key({0, 17}) == 17);
  CHECK(au::position_key({1, 17}) != au::position_key({2, 17}));
}

TEST_CASE("augment.positioned.errors.out_of_order_dedup_and_mixed_numbering.2T") {
  const auto docs = with_positions(make_docs(20));
  const auto s = setup();
  auto reordered = slice(docs, 10, 20);
  for (const auto& d : slice(docs, 0, 10)) reordered.push_back(d);
  std::vector<au::augmented_doc> out;
  // dedup_variants keeps the variant of the smallest position: it needs position order.
  try {
    mr::run(mr::from_range(reordered) | au::number() | au::make_variants(s.aug) | au::dedup_variants() | au::flatten() | mr::collect(out),
            mr::cpu{.threads = 2, .batch_size = 3});
    FAIL("no error for sources out of position order");
  } catch (const mr::operator_error& e) {
    CHECK(std::string(e.what()).find("augment.dedup: a record at position (input 0, offset 0) arrived after one at (input 1,") != std::string::npos);
  }
  // Half positioned, half not: two records could get one key.
  auto mixed = docs;
  mixed[5].position.reset();
  try {
    mr::run(mr::from_range(mixed) | au::number() | au::make_variants(s.aug) | au::flatten() | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 3});
    FAIL("no error for a stream with and without positions");
  } catch (const mr::operator_error& e) {
    CHECK(e.op_name() == "augment.number");
    CHECK(std::string(e.what()).find("record 5 has no position") != std::string::npos);
  }
}

TEST_CASE("augment.operators.name.reaches_the_run_report.2T") {
  const auto s = setup();
  const auto docs = make_docs(12);
  auto t = std::make_shared<au::augment_tally>();
  std::vector<au::augmented_doc> out;
  auto r = mr::run(mr::from_range(docs) | au::number("num") | au::make_variants(s.aug, "variants") | au::guard(s.guard, "near_guard") |
                       au::dedup_variants(nullptr, "exact") | au::tally(t, "count") | au::flatten(true, "flat") |
                       mr::collect(out),
                   mr::cpu{.threads = 2, .batch_size = 4});
  REQUIRE_FALSE(out.empty());
  std::map<std::string, std::uint64_t> in_by_name;
  for (const auto& o : r.ops) in_by_name[o.name] = o.records_in;
  for (const char* n : {"num", "variants", "near_guard", "exact", "count", "flat"}) {
    CAPTURE(n);
    REQUIRE(in_by_name.count(n) == 1);
    CHECK(in_by_name[n] == docs.size());
  }
  for (const char* n : {"augment.number", "augment.generate", "augment.guard", "augment.dedup", "augment.flatten"})
    CHECK(in_by_name.count(n) == 0);
  // Defaults keep the old names, so reports do not change.
  auto r2 = mr::run(mr::from_range(docs) | au::number() | au::make_variants(s.aug) | au::flatten() | mr::collect(out),
                    mr::serial_executor{});
  std::vector<std::string> names;
  for (const auto& o : r2.ops) names.push_back(o.name);
  CHECK(std::find(names.begin(), names.end(), "augment.generate") != names.end());
  CHECK(std::find(names.begin(), names.end(), "augment.flatten") != names.end());
}

TEST_CASE("augment.make_variants.deprecated_generate_alias_same_output.serial") {
  const auto s = setup();
  const auto docs = make_docs(10);
  std::vector<au::augmented_doc> a, b;
  mr::run(mr::from_range(docs) | au::number() | au::make_variants(s.aug) | au::flatten() | mr::collect(a), mr::serial_executor{});
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
  mr::run(mr::from_range(docs) | au::number() | au::generate(s.aug) | au::flatten() | mr::collect(b), mr::serial_executor{});
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
  REQUIRE(a.size() > docs.size());   // variants were made
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].to_json() == b[i].to_json());
}
