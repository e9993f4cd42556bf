// WordNet loader: lookups on known words against the real Debian database, morphy base forms,
// the missing-database error, WNSEARCHDIR, parse errors with file:line, and shared read-only use.
#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <oneapi/tbb/global_control.h>
#include <oneapi/tbb/parallel_for.h>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

#include "wordnet_fixture.hpp"

namespace au = millrace::augment;

static bool has(const std::vector<std::string_view>& v, std::string_view w) {
  return std::find(v.begin(), v.end(), w) != v.end();
}

TEST_CASE("wordnet.lookup.car_noun") {
  const au::wordnet& wn = test::shared_wordnet();
  auto s = wn.synonyms("car", au::pos::noun);
  CHECK(has(s, "automobile"));
  CHECK(has(s, "auto"));
  CHECK_FALSE(has(s, "car"));   // never the word itself
  CHECK(wn.synonyms("Car", au::pos::noun) == s);   // case-insensitive lookup
  // Most frequent sense only: the automobile sense, not the railway-car sense.
  auto first = wn.synonyms("car", au::pos::noun, {.max_senses = 1});
  CHECK(has(first, "automobile"));
  CHECK_FALSE(has(first, "railcar"));
  CHECK(wn.synonyms("car", au::pos::verb).empty());
}

TEST_CASE("wordnet.lookup.happy_adj") {
  const au::wordnet& wn = test::shared_wordnet();
  auto s = wn.synonyms("happy", au::pos::adj);
  CHECK((has(s, "felicitous") || has(s, "glad")));
  CHECK(wn.sense_count("happy", au::pos::adj) == 4);
  CHECK(wn.tag_count("happy", au::pos::adj) > 0);
}

TEST_CASE("wordnet.lookup.multiword_and_all_senses") {
  const au::wordnet& wn = test::shared_wordnet();
  auto all = wn.synonyms("car", au::pos::noun, {.max_senses = 0});
  CHECK(has(all, "railway car"));   // underscores become spaces
  CHECK(all.size() >= wn.synonyms("car", au::pos::noun).size());
  CHECK(wn.synonyms("notawordxyz", au::pos::noun).empty());
}

TEST_CASE("wordnet.morphy.base_forms") {
  const au::wordnet& wn = test::shared_wordnet();
  CHECK(wn.base_form("cars", au::pos::noun).value_or("") == "car");
  CHECK(wn.base_form("boxes", au::pos::noun).value_or("") == "box");
  CHECK(wn.base_form("went", au::pos::verb).value_or("") == "go");       // verb.exc
  CHECK(wn.base_form("running", au::pos::verb).value_or("") == "run");   // verb.exc
  CHECK(wn.base_form("happier", au::pos::adj).value_or("") == "happy");  // adj.exc
  CHECK_FALSE(wn.base_form("qzxv", au::pos::noun).has_value());
}

TEST_CASE("wordnet.missing_database.error_names_path") {
  const std::filesystem::path dir = "/nonexistent/millrace-wordnet";
  try {
    (void)au::wordnet::load(dir);
    FAIL("load of a missing database must throw");
  } catch (const au::wordnet_error& e) {
    const std::string what = e.what();
    CHECK(what.find("/nonexistent/millrace-wordnet/") != std::string::npos);
    CHECK(what.find("WNSEARCHDIR") != std::string::npos);
  }
}

namespace {
// A tiny database in the real file format: two synsets, one lemma with two senses.
// In a fresh directory, removed at the end of the test.
struct tiny_db : mrtest::temp_dir {
  explicit tiny_db(std::string_view bad_index_line = {});
};
tiny_db::tiny_db(std::string_view bad_index_line) : mrtest::temp_dir("tinywn") {
  auto put = [&](const char* name, const std::string& text) { mrtest::write_file(path / name, text); };
  const std::string lic = "  1 license header line\n";
  put("data.noun", lic + "00000100 05 n 02 gizmo 0 widget(a) 0 000 | a device\n"
                         "00000200 05 n 02 gizmo 1 doohickey 0 000 | another\n");
  put("index.noun", lic + "doohickey n 1 0 1 0 00000200\ngizmo n 2 1 @ 2 1 00000200 00000100\n"
                          "widget n 1 0 1 0 00000100\n" + std::string(bad_index_line));
  for (const char* n : {"data.verb", "data.adj", "data.adv", "index.verb", "index.adj", "index.adv", "noun.exc",
                        "verb.exc", "adj.exc", "adv.exc"})
    put(n, lic);
  put("cntlist.rev", "gizmo%1:05:01:: 1 7\n");
}
}  // namespace

TEST_CASE("wordnet.tiny_db.parse_and_sense_order") {
  const tiny_db dir;
  auto wn = au::wordnet::load(dir);
  // index order is sense order: the 00000200 synset first
  auto s = wn.synonyms("gizmo", au::pos::noun, {.max_senses = 0});
  REQUIRE(s.size() == 2);
  CHECK(s[0] == "doohickey");
  CHECK(s[1] == "widget");   // syntactic marker "(a)" stripped
  CHECK(wn.synonyms("gizmo", au::pos::noun, {.max_senses = 1}) == std::vector<std::string_view>{"doohickey"});
  CHECK(wn.tag_count("gizmo", au::pos::noun) == 7);
}

TEST_CASE("wordnet.tiny_db.malformed_line.file_line_error") {
  const tiny_db dir("broken n 1 0 1 0 99999999\n");
  try {
    (void)au::wordnet::load(dir);
    FAIL("a dangling synset offset must throw");
  } catch (const au::wordnet_error& e) {
    const std::string what = e.what();
    CHECK(what.find((dir / "index.noun").string() + ":5:") != std::string::npos);
    CHECK(what.find("99999999") != std::string::npos);
  }
}

TEST_CASE("wordnet.wnsearchdir.env_honoured") {
  const tiny_db dir;
  const char* old = std::getenv("WNSEARCHDIR");
  const std::string saved = old ? old : "";
  ::setenv("WNSEARCHDIR", dir.path.c_str(), 1);
  CHECK(au::wordnet::default_path() == dir);
  auto wn = au::wordnet::load();
  CHECK(wn.path() == dir);
  CHECK(wn.sense_count("gizmo", au::pos::noun) == 2);
  if (old) ::setenv("WNSEARCHDIR", saved.c_str(), 1); else ::unsetenv("WNSEARCHDIR");
}

TEST_CASE("wordnet.shared.2T.same_as_serial") {
  const au::wordnet& wn = test::shared_wordnet();
  const std::vector<std::string> words{"car", "house", "dog", "run", "happy", "quick", "money", "light", "water", "city"};
  std::vector<std::vector<std::string_view>> serial(words.size() * 4), par(words.size() * 4);
  for (std::size_t i = 0; i < serial.size(); ++i) serial[i] = wn.synonyms(words[i / 4], static_cast<au::pos>(i % 4));
  tbb::global_control gc(tbb::global_control::max_allowed_parallelism, 2);
  for (int rep = 0; rep < 20; ++rep) {
    tbb::parallel_for(std::size_t{0}, par.size(), [&](std::size_t i) { par[i] = wn.synonyms(words[i / 4], static_cast<au::pos>(i % 4)); });
    REQUIRE(par == serial);
  }
}
