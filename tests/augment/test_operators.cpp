// Augmentation operators in real pipelines (serial and oneTBB executors): byte-identical output for
// 1 and 2 threads and any batch size, input-then-variant order, counts that add up, exact dedup
// against originals and siblings.
#include <doctest/doctest.h>

#include <memory>
#include <string>
#include <vector>

#include <millrace/augment/operators.hpp>

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
  mr::run(mr::from_range(docs) | au::number() | au::generate(aug) | au::guard(guard) | au::dedup_variants() | au::tally(t) |
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
  mr::run(mr::from_range(docs) | au::number() | au::generate(aug) | au::dedup_variants() | au::flatten() | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 3});
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
    mr::run(mr::from_range(docs) | au::number() | au::generate(aug) | au::dedup_variants(seen) | au::tally(t) | au::flatten() | mr::collect(out), mr::cpu{.threads = 2});
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
    auto frag = au::number() | au::generate(aug1) | au::dedup_variants() | au::flatten();
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

#include <millrace/augment/module.hpp>

TEST_CASE("augment.module.config_and_same_output_as_chain") {
  const auto& wn = test::shared_wordnet();
  const auto docs = make_docs(60);
  au::augment_module m{.wn = &wn};
  mr::load_config(m, R"({"variants": 3, "seed": 5, "ops": "synonym,swap,delete", "guard_lo": 0.35})");
  CHECK(m.variants == 3);
  CHECK(m.guard_lo == 0.35);
  CHECK(mr::describe(m).find("guard_hi") != std::string::npos);
  CHECK_THROWS_AS(mr::load_config(m, R"({"no_such_param": 1})"), mr::config_error);
  std::vector<au::augmented_doc> a, b;
  mr::run(mr::from_range(docs) | m | mr::collect(a), mr::cpu{.threads = 2, .batch_size = 16});
  auto aug = std::make_shared<const au::augmenter>(&wn, au::augment_options{.ops = au::parse_ops("synonym,swap,delete"), .variants = 3, .seed = 5});
  auto guard = std::make_shared<const au::similarity_guard>(au::guard_options{.lo = 0.35});
  mr::run(mr::from_range(docs) | au::number() | au::generate(aug) | au::guard(guard) | au::dedup_variants() | au::flatten() | mr::collect(b), mr::serial_executor{});
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(a[i].to_json() == b[i].to_json());
  m.mode = "sideways";
  CHECK_THROWS_AS(m.options(), std::invalid_argument);
}
