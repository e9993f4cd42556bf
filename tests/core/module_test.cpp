// Modules: forward() composes operators; parameters are printable and loadable from JSON.
#include <doctest/doctest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include <millrace/core.hpp>
#include <millrace/tune/search_space.hpp>

namespace mr = millrace;

namespace {
struct Doc {
  std::string id, text;
};

struct LengthFilter {
  std::size_t min_chars = 5;
  bool strip = true;
  auto parameters() {
    return mr::params(mr::param("min_chars", min_chars, "shortest text kept"), mr::param("strip", strip));
  }
  auto forward() const {
    return mr::map([strip = strip](Doc d) {
             if (strip) {
               while (!d.text.empty() && d.text.back() == ' ') d.text.pop_back();
             }
             return d;
           }, "strip") |
           mr::filter([n = min_chars](const Doc& d) { return d.text.size() >= n; }, "min_chars");
  }
};

struct Cleaner {
  LengthFilter length;
  double ratio = 0.5;
  std::string tag = "clean";
  auto parameters() { return mr::params(mr::param("length", length), mr::param("ratio", ratio, "a ratio"), mr::param("tag", tag)); }
  auto forward() const {
    return length | mr::map([tag = tag](Doc d) { d.id = tag + ":" + d.id; return d; }, "tag");
  }
};

std::vector<Doc> docs() { return {{"a", "hi   "}, {"b", "hello world"}, {"c", "abcde "}, {"d", "x"}}; }
}  // namespace

TEST_CASE("module.forward.in_pipeline") {
  Cleaner c;
  auto out = mr::to_vector(mr::from_range(docs()) | c, mr::cpu{.threads = 2, .batch_size = 1});
  REQUIRE(out.size() == 2);
  CHECK(out[0].id == "clean:b");
  CHECK(out[1].id == "clean:c");
  CHECK(out[1].text == "abcde");
}

TEST_CASE("module.describe.lists_nested_parameters") {
  Cleaner c;
  const std::string d = mr::describe(c);
  CHECK(d == "length.min_chars = 5  # shortest text kept\nlength.strip = true\nratio = 0.5  # a ratio\ntag = \"clean\"\n");
  CHECK(mr::config_json(c) == R"({"length": {"min_chars": 5, "strip": true}, "ratio": 0.5, "tag": "clean"})");
}

TEST_CASE("module.load_config.changes_behaviour") {
  Cleaner c;
  mr::load_config(c, R"({"length": {"min_chars": 2, "strip": false}, "tag": "v2"})");
  CHECK(c.length.min_chars == 2);
  CHECK_FALSE(c.length.strip);
  CHECK(c.ratio == 0.5);
  auto out = mr::to_vector(mr::from_range(docs()) | c, mr::serial_executor{});
  REQUIRE(out.size() == 3);
  CHECK(out[0].id == "v2:a");
  CHECK(out[0].text == "hi   ");
  // round trip
  Cleaner d;
  mr::load_config(d, mr::config_json(c));
  CHECK(mr::describe(d) == mr::describe(c));
}

TEST_CASE("module.load_config.errors_name_the_parameter") {
  Cleaner c;
  CHECK_THROWS_WITH_AS(mr::load_config(c, R"({"length": {"min_chars": -3}})"),
                       "config: parameter 'length.min_chars' expects an integer in range, got -3", mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(c, R"({"ratio": "high"})"), "config: parameter 'ratio' expects a number, got string",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(c, R"({"colour": 1})"), "config: unknown parameter 'colour' (known: length, ratio, tag)",
                       mr::config_error);
  CHECK_THROWS_AS(mr::load_config(c, R"({"ratio": )"), mr::json::parse_error);
}

namespace {
struct Shingler {  // parameters with checks: a range and a choice
  std::size_t ngram = 5;
  double threshold = 0.8;
  std::string unit = "word";
  auto parameters() {
    return mr::params(mr::param("ngram", ngram, "shingle size").range(1, 64),
                      mr::param("threshold", threshold, "Jaccard threshold").range(0, 1),
                      mr::param("unit", unit, "what a shingle is made of").one_of({"word", "char"}));
  }
};
struct Outer {
  Shingler shingles;
  auto parameters() { return mr::params(mr::param("shingles", shingles)); }
};
}  // namespace

TEST_CASE("module.load_config.ranges_and_choices_name_the_parameter") {
  Outer o;
  CHECK_THROWS_WITH_AS(mr::load_config(o, R"({"shingles": {"ngram": 0}})"),
                       "config: parameter 'shingles.ngram' must be in [1, 64], got 0", mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(o, R"({"shingles": {"threshold": 1.7}})"),
                       "config: parameter 'shingles.threshold' must be in [0, 1], got 1.7", mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(o, R"({"shingles": {"unit": "byte"}})"),
                       "config: parameter 'shingles.unit' must be one of word, char, got \"byte\"", mr::config_error);
  // path(): the parameter the error is about, as the message names it ("" for the whole config)
  auto path_of = [&](const char* config) -> std::string {
    try {
      mr::load_config(o, config);
    } catch (const mr::config_error& e) {
      return e.path();
    }
    return "(loaded)";
  };
  CHECK(path_of(R"({"shingles": {"threshold": 1.7}})") == "shingles.threshold");
  CHECK(path_of(R"({"shingles": {"nope": 1}})") == "shingles.nope");
  CHECK(path_of("[1]").empty());
  // a refused value leaves the parameter as it was; accepted ones at the bounds go through
  CHECK(o.shingles.ngram == 5);
  CHECK(o.shingles.threshold == 0.8);
  CHECK(o.shingles.unit == "word");
  mr::load_config(o, R"({"shingles": {"ngram": 64, "threshold": 0, "unit": "char"}})");
  CHECK(o.shingles.ngram == 64);
  CHECK(o.shingles.threshold == 0.0);
  CHECK(o.shingles.unit == "char");
  const std::string d = mr::describe(o);
  CHECK(d.find("shingles.ngram = 64  # shingle size [1, 64]") != std::string::npos);
  CHECK(d.find("shingles.unit = \"char\"  # what a shingle is made of one of word, char") != std::string::npos);
}

// Found by the config fuzzer (tests/fuzz/module_config/crashes-fixed/): each used to terminate the
// program or be undefined behaviour; now each is a config or parse error.
TEST_CASE("module.load_config.hostile_input.clear_errors") {
  Cleaner c;
  CHECK_THROWS_AS(mr::load_config(c, R"({"tag": "\uzzzz"})"), mr::json::parse_error);
  CHECK_THROWS_AS(mr::load_config(c, R"({"tag": "\u 12a"})"), mr::json::parse_error);
  CHECK_THROWS_AS(mr::load_config(c, R"({"tag": "\ud800"})"), mr::json::parse_error);   // lone surrogate
  CHECK_THROWS_AS(mr::load_config(c, R"({"tag": "a\qb"})"), mr::json::parse_error);
  CHECK_THROWS_AS(mr::load_config(c, "{\"tag\": \"a\nb\"}"), mr::json::parse_error);    // raw control char
  CHECK_THROWS_WITH_AS(mr::load_config(c, R"({"length": {"min_chars": 18446744073709551616}})"),
                       "config: parameter 'length.min_chars' expects an integer in range, got 1.8446744073709552e+19",
                       mr::config_error);
  for (const char* bad : {"0x10", "-inf", "nan", "01", "+1", "1.", ".5", "1e"})
    CHECK_THROWS_AS(mr::load_config(c, std::string(R"({"ratio": )") + bad + "}"), mr::json::parse_error);
  CHECK_THROWS_WITH_AS(mr::load_config(c, std::string(100000, '[')), "json: offset 512: nesting deeper than 512",
                       mr::json::parse_error);
  CHECK_THROWS_WITH_AS(mr::load_config(c, R"({"ratio": 21e308})"),
                       "config: parameter 'ratio' expects a finite number in range, got inf", mr::config_error);
  mr::load_config(c, R"({"tag": "caf\u00e9 \ud83d\ude00", "ratio": -0.25e1})");
  CHECK(c.tag == "caf\xc3\xa9 \xf0\x9f\x98\x80");
  CHECK(c.ratio == -2.5);
}

struct Offsets {
  std::int64_t offset = 0;
  auto parameters() { return mr::params(mr::param("offset", offset)); }
};

TEST_CASE("module.load_config.int64_bounds") {
  Offsets o;
  CHECK_THROWS_AS(mr::load_config(o, R"({"offset": 9223372036854775808})"), mr::config_error);
  mr::load_config(o, R"({"offset": -9223372036854775808})");
  CHECK(o.offset == std::numeric_limits<std::int64_t>::min());
  mr::load_config(o, R"({"offset": 4611686018427387904})");
  CHECK(o.offset == (std::int64_t(1) << 62));
}

// Enums named with one_of, std::optional of a module (null when unset), exclusive lower bounds.
namespace {
enum class unit { word, character };
struct Window {
  std::size_t bands = 4, rows = 2;
  auto parameters() { return mr::params(mr::param("bands", bands).range(1, 64), mr::param("rows", rows).range(1, 64)); }
};
struct Windowed {
  double threshold = 0.5;
  unit kind = unit::word;
  std::optional<Window> window{};
  auto parameters() {
    return mr::params(mr::param("threshold", threshold, "Jaccard").range(0, 1).exclusive_min(),
                      mr::param("kind", kind, "n-gram unit").one_of({{"word", unit::word}, {"char", unit::character}}),
                      mr::param("window", window, "null: chosen"));
  }
};
}  // namespace

TEST_CASE("module.enum_optional_exclusive_min") {
  Windowed s;
  CHECK(mr::config_json(s) == R"({"threshold": 0.5, "kind": "word", "window": null})");
  CHECK(mr::describe(s) == "threshold = 0.5  # Jaccard (0, 1]\nkind = \"word\"  # n-gram unit one of word, char\n"
                           "window = null  # null: chosen\n");
  mr::load_config(s, R"({"kind": "char", "window": {"rows": 3}})");
  CHECK(s.kind == unit::character);
  REQUIRE(s.window.has_value());
  CHECK(s.window->bands == 4);  // the unset optional started from its defaults
  CHECK(s.window->rows == 3);
  CHECK(mr::describe(s).find("window.rows = 3") != std::string::npos);
  Windowed back;
  mr::load_config(back, mr::config_json(s));
  CHECK(mr::config_json(back) == mr::config_json(s));
  CHECK_THROWS_WITH_AS(mr::load_config(s, R"({"threshold": 0})"), "config: parameter 'threshold' must be in (0, 1], got 0",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(s, R"({"kind": "line"})"), "config: parameter 'kind' must be one of word, char, got \"line\"",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(s, R"({"kind": 1})"), "config: parameter 'kind' expects a string (one of word, char), got number",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(s, R"({"window": {"rows": 0}})"), "config: parameter 'window.rows' must be in [1, 64], got 0",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(s, R"({"window": 2})"), "config: parameter 'window' expects an object or null, got number",
                       mr::config_error);
  CHECK(s.window->rows == 3);  // failed loads left it as it was
  mr::load_config(s, R"({"window": null, "threshold": 1})");
  CHECK_FALSE(s.window.has_value());
  CHECK(s.threshold == 1.0);
  // The search space: the enum is a choice; the optional module is searched only when set.
  auto dims = mr::search_space_of(s);
  REQUIRE(dims.size() == 2);
  CHECK(dims[1].describe() == "kind: one of \"word\", \"char\"");
  s.window = Window{};
  CHECK(mr::search_space_of(s).size() == 4);
  CHECK(mr::search_space_of(s, {}, {{"window.bands", 2, 8}})[2].describe() == "window.bands: integer in [2, 8]");
  CHECK_THROWS_AS(mr::search_space_of(s, {}, {{"window.bands", 0, 8}}), mr::config_error);
}
