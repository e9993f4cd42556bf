// The dedup options structs as modules: their declared parameters load from JSON, print, validate
// (errors name the parameter), round-trip, and give the same results as options set in code.
#include <doctest/doctest.h>

#include <string>
#include <string_view>
#include <vector>

#include <millrace/core/module.hpp>
#include <millrace/dedup/bloom_ngram.hpp>
#include <millrace/dedup/exact.hpp>
#include <millrace/dedup/near_dedup.hpp>
#include <millrace/dedup/near_out_of_core.hpp>
#include <millrace/dedup/near_streaming.hpp>
#include <millrace/dedup/span_dedup.hpp>
#include <millrace/tune/search_space.hpp>

namespace mr = millrace;
namespace dd = millrace::dedup;

namespace {
std::vector<std::string> texts() {
  std::vector<std::string> t;
  const std::string base = "the quick brown fox jumps over the lazy dog near the river bank today ";
  for (int i = 0; i < 40; ++i) t.push_back(base + std::to_string(i % 7) + " extra words " + std::to_string(i % 3));
  return t;
}
}  // namespace

TEST_CASE("dedup.parameters.near.load_config_sets_the_fields") {
  dd::near_dedup_options o;
  mr::load_config(o, R"({"threshold": 0.7, "num_perm": 100, "lsh": {"bands": 20, "rows": 5}, "ngram": 3, "shingle": "char",
                         "verify": true, "check_signatures": false, "normalize": false, "seed": 9, "family": "fast32"})");
  CHECK(o.threshold == 0.7);
  CHECK(o.num_perm == 100);
  REQUIRE(o.lsh.has_value());
  CHECK(*o.lsh == dd::lsh_params{20, 5});
  CHECK(o.ngram == 3);
  CHECK(o.shingle == dd::shingle_kind::character);
  CHECK(o.verify);
  CHECK_FALSE(o.check_signatures);
  CHECK_FALSE(o.normalize);
  CHECK(o.seed == 9);
  CHECK(o.family == dd::hash_family::fast32);
  dd::near_dedup_options back;
  mr::load_config(back, mr::config_json(o));
  CHECK(mr::config_json(back) == mr::config_json(o));
  mr::load_config(o, R"({"lsh": null})");
  CHECK_FALSE(o.lsh.has_value());
}

TEST_CASE("dedup.parameters.near.same_result_as_options_in_code") {
  const auto t = texts();
  const std::vector<std::string_view> v(t.begin(), t.end());
  dd::near_dedup_options code;
  code.threshold = 0.6;
  code.ngram = 3;
  code.lsh = dd::lsh_params{16, 7};
  dd::near_dedup_options loaded;
  mr::load_config(loaded, R"({"threshold": 0.6, "ngram": 3, "lsh": {"bands": 16, "rows": 7}})");
  const auto a = dd::near_dedup(v, code), b = dd::near_dedup(v, loaded);
  CHECK(a.cluster == b.cluster);
  CHECK(a.candidate_edges == b.candidate_edges);
  std::size_t kept = 0;
  for (char k : a.kept) kept += k;
  CHECK(kept < t.size());  // there were duplicates to find
}

TEST_CASE("dedup.parameters.near.errors_name_the_parameter") {
  dd::near_dedup_options o;
  CHECK_THROWS_WITH_AS(mr::load_config(o, R"({"threshold": 1.7})"), "config: parameter 'threshold' must be in (0, 1], got 1.7",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(o, R"({"threshold": 0})"), "config: parameter 'threshold' must be in (0, 1], got 0",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(o, R"({"ngram": 0})"), "config: parameter 'ngram' must be in [1, 65536], got 0",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(o, R"({"lsh": {"rows": 0}})"), "config: parameter 'lsh.rows' must be in [1, 65536], got 0",
                       mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(o, R"({"shingle": "line"})"),
                       "config: parameter 'shingle' must be one of word, char, got \"line\"", mr::config_error);
  CHECK_THROWS_WITH_AS(mr::load_config(o, R"({"family": "md5"})"),
                       "config: parameter 'family' must be one of mersenne61, fast32, got \"md5\"", mr::config_error);
  CHECK_THROWS_AS(mr::load_config(o, R"({"bands": 3})"), mr::config_error);  // bands lives under lsh
  dd::near_dedup_options defaults;
  CHECK(mr::config_json(o) == mr::config_json(defaults));  // failed loads changed nothing
}

TEST_CASE("dedup.parameters.near.describe_and_search_space") {
  dd::near_dedup_options o;
  const std::string d = mr::describe(o);
  CHECK(d.find("threshold = 0.8  # ") != std::string::npos);
  CHECK(d.find("lsh = null") != std::string::npos);
  CHECK(d.find("shingle = \"word\"") != std::string::npos);
  o.lsh = dd::lsh_params{};
  CHECK(mr::describe(o).find("lsh.bands = 14") != std::string::npos);
  const auto dims = mr::search_space_of(o, {"threshold", "lsh.bands", "lsh.rows", "ngram"},
                                        {{"threshold", 0.3, 0.95}, {"lsh.bands", 2, 40}, {"lsh.rows", 1, 16}, {"ngram", 2, 8}});
  REQUIRE(dims.size() == 4);
  CHECK(dims[0].describe() == "threshold: real in [0.3, 0.95]");
  CHECK(dims[1].describe() == "lsh.bands: integer in [2, 40]");
  CHECK(dims[3].describe() == "ngram: integer in [2, 8]");
  CHECK_THROWS_AS(mr::search_space_of(o, {}, {{"threshold", 0.5, 1.5}}), mr::config_error);
}

TEST_CASE("dedup.parameters.nested_modules") {
  dd::near_streaming_options s;
  mr::load_config(s, R"({"near": {"ngram": 3, "shingle": "char"}, "max_index_docs": 10})");
  CHECK(s.near.ngram == 3);
  CHECK(s.near.shingle == dd::shingle_kind::character);
  CHECK(s.max_index_docs == 10);
  CHECK_THROWS_WITH_AS(mr::load_config(s, R"({"near": {"threshold": 2}})"),
                       "config: parameter 'near.threshold' must be in (0, 1], got 2", mr::config_error);

  dd::exact_options e;
  mr::load_config(e, R"({"normalize": true, "normalization": {"lowercase": false}})");
  CHECK(e.normalize);
  CHECK_FALSE(e.normalization.lowercase);
  CHECK(e.normalization.strip_accents);
  CHECK(dd::exact_digest("Hello", e) != dd::exact_digest("hello", e));
  mr::load_config(e, R"({"normalization": {"lowercase": true}})");
  CHECK(dd::exact_digest("Hello", e) == dd::exact_digest("hello", e));

  dd::span_dedup_options sp;
  mr::load_config(sp, R"({"unit": "sentence", "span_length": 3, "match": {"normalize": true}})");
  CHECK(sp.unit == dd::span_unit::sentence);
  CHECK(sp.span_length == 3);
  CHECK(sp.match.normalize);
  mr::load_config(sp, R"({"action": "annotate"})");
  CHECK(sp.action == dd::dedup_action::annotate);
  CHECK_THROWS_WITH_AS(mr::load_config(sp, R"({"span_length": 0})"), "config: parameter 'span_length' must be in [1, 65536], got 0",
                       mr::config_error);

  dd::bloom_ngram_options b;
  mr::load_config(b, R"({"scope": "document", "ngram": 8, "false_positive_rate": 0.001})");
  CHECK(b.scope == dd::bloom_scope::document);
  CHECK(b.ngram == 8);
  CHECK(b.false_positive_rate == 0.001);
  CHECK_THROWS_AS(mr::load_config(b, R"({"false_positive_rate": 0})"), mr::config_error);

  dd::out_of_core_options x;
  mr::load_config(x, R"({"tmp_dir": "/tmp/spill", "memory_budget": 1048576, "fsync": true})");
  CHECK(x.tmp_dir == std::filesystem::path("/tmp/spill"));
  CHECK(x.memory_budget == 1048576);
  CHECK(x.fsync);
  CHECK(mr::describe(x).find("tmp_dir = \"/tmp/spill\"") != std::string::npos);
  CHECK_THROWS_AS(mr::load_config(x, R"({"memory_budget": 10})"), mr::config_error);
}
