// filters/basic.hpp: length and character-ratio filters at their bounds, whitespace-only
// normalization, take/limit, when, count_by_key through the executors.
// g++ 12 warns -Wrestrict on `"x" + std::string` chains at -O3, a false positive (GCC PR 105329).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wrestrict"
#endif
#include <millrace/core.hpp>
#include <millrace/filters.hpp>
#include <millrace/filters/basic.hpp>

#include <doctest/doctest.h>

#include <map>
#include <string>
#include <vector>

namespace mr = millrace;
namespace mf = millrace::filters;

TEST_CASE("length_filter.bounds") {
  auto why = [](std::string t, mf::length_filter_params p) { return std::string(mf::length_filter{.params = p}.check(mf::analyze(t))); };
  CHECK(why("été", {.min_chars = 3}) == "");  // code points, not bytes (5)
  CHECK(why("été", {.min_chars = 4}) == "too_few_chars");
  CHECK(why("été", {.max_chars = 2}) == "too_many_chars");
  CHECK(why("a b c", {.min_words = 3, .max_words = 3}) == "");
  CHECK(why("a b", {.min_words = 3}) == "too_few_words");
  CHECK(why("a b c d", {.max_words = 3}) == "too_many_words");
  CHECK(why("a\n\n \nb\n", {.min_lines = 2, .max_lines = 2}) == "");  // blank lines do not count
  CHECK(why("a\nb\nc", {.max_lines = 2}) == "too_many_lines");
  CHECK(why("a", {.min_lines = 2}) == "too_few_lines");
}

TEST_CASE("char_ratio_filter.bounds") {
  auto why = [](std::string t, mf::char_ratio_params p) { return std::string(mf::char_ratio_filter{.params = p}.check(mf::analyze(t))); };
  // "ab12" : letters 0.5, digits 0.5
  CHECK(why("ab12", {.min_letter_ratio = 0.5, .max_digit_ratio = 0.5}) == "");
  CHECK(why("ab123", {.max_digit_ratio = 0.5}) == "digit_ratio");
  CHECK(why("a123", {.min_letter_ratio = 0.5}) == "letter_ratio");
  CHECK(why("ab!?", {.max_symbol_ratio = 0.5}) == "");
  CHECK(why("ab!?.", {.max_symbol_ratio = 0.5}) == "symbol_ratio");
  CHECK(why("a \u00a0b", {.max_whitespace_ratio = 0.5}) == "");  // NBSP is White_Space
  CHECK(why("a \n b", {.max_whitespace_ratio = 0.5}) == "whitespace_ratio");
  CHECK(why("ÉTé", {.max_uppercase_ratio = 2.0 / 3}) == "");  // of the letters, Unicode Lu
  CHECK(why("ÉTÉ", {.max_uppercase_ratio = 2.0 / 3}) == "uppercase_ratio");
  CHECK(why("北京 ab", {.min_letter_ratio = 0.8}) == "");  // ideographs are letters: 4 of 5
}

TEST_CASE("normalize_whitespace") {
  CHECK(mf::normalize_whitespace("  a \t b\u00a0\u3000c  ") == "a b c");
  CHECK(mf::normalize_whitespace("a \n  b\n\n\n c\n") == "a\nb\n\nc");
  CHECK(mf::normalize_whitespace("a \n b\n\nc", {.keep_paragraphs = false}) == "a\nb\nc");
  CHECK(mf::normalize_whitespace("a \n b", {.keep_newlines = false}) == "a b");
  CHECK(mf::normalize_whitespace("Ça  COÛTE ﬁ") == "Ça COÛTE ﬁ");  // no folding of any other kind
  CHECK(mf::normalize_whitespace(" \n ") == "");
}

namespace {
struct Doc {
  std::string id, text;
};
std::vector<Doc> docs(std::size_t n) {
  std::vector<Doc> v;
  for (std::size_t i = 0; i < n; ++i) v.push_back({std::to_string(i), std::string(i % 7, 'x') + "  y " + std::to_string(i % 3)});
  return v;
}
}  // namespace

TEST_CASE("take.1T.2T") {
  const auto in = docs(1000);
  for (int threads : {0, 2}) {
    for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(17), std::size_t(999), std::size_t(1000), std::size_t(5000)}) {
      std::vector<Doc> out;
      auto p = mr::from_range(in) | mf::take(n) | mr::collect(out);
      if (threads) mr::run(p, mr::cpu{.threads = std::size_t(threads), .batch_size = 8});
      else mr::run(p, mr::serial_executor{.batch_size = 8});
      REQUIRE(out.size() == std::min(n, in.size()));
      for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i].id == in[i].id);  // the first n, in order
    }
  }
  std::vector<Doc> out;
  const auto r = mr::run(mr::from_range(in) | mf::limit(10) | mr::collect(out));
  CHECK(r.find("limit")->records_out == 10);
}

TEST_CASE("when.on_off") {
  const auto in = docs(100);
  for (bool on : {false, true}) {
    std::vector<Doc> out;
    auto frag = mf::normalize_whitespace_op<Doc>() | mr::filter([](const Doc& d) { return d.text.size() > 5; }, "long");
    const auto r = mr::run(mr::from_range(in) | mf::when(on, frag) | mr::collect(out));
    std::size_t want = 0;
    for (auto& d : in) want += on ? mf::normalize_whitespace(d.text).size() > 5 : 1;
    CHECK(out.size() == want);
    CHECK((r.find("long") != nullptr) == on);  // off: the fragment is not in the plan at all
    if (on) CHECK(out.front().text.find("  ") == std::string::npos);
    else CHECK(out.front().text == in.front().text);
  }
}

TEST_CASE("count_by_key.1T.2T") {
  const auto in = docs(700);
  std::map<std::string, std::uint64_t> want;
  for (auto& d : in) ++want[d.text.substr(d.text.size() - 1)];
  for (int threads : {0, 2}) {
    std::map<std::string, std::uint64_t> got;
    std::vector<Doc> out;
    auto p = mr::from_range(in) | mf::count_by_key([](const Doc& d) { return d.text.substr(d.text.size() - 1); }, got) |
             mr::collect(out);
    if (threads) mr::run(p, mr::cpu{.threads = 2, .batch_size = 16});
    else mr::run(p, mr::serial_executor{});
    CHECK(got == want);
    CHECK(out.size() == in.size());
  }
}

TEST_CASE("length_and_ratio_in_apply") {
  std::vector<Doc> in = {{"a", "one two three"}, {"b", "1234 5678"}, {"c", "x"}}, out;
  mf::filter_tally t;
  mr::run(mr::from_range(in) |
              mf::apply<Doc>({.tally = &t}, mf::length_filter{.params = {.min_words = 2}},
                             mf::char_ratio_filter{.params = {.max_digit_ratio = 0.5}}) |
              mr::collect(out));
  REQUIRE(out.size() == 1);
  CHECK(out[0].id == "a");
  CHECK(t.of("length").reasons["too_few_words"] == 1);
  CHECK(t.of("char_ratio").reasons["digit_ratio"] == 1);
}
