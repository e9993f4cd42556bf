// Recipes: the registry, the checks that run before any data is read (file, line, suggestion),
// and a recipe against the same pipeline written in C++ (the same records, byte for byte).
#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include <millrace/core.hpp>
#include <millrace/dedup/operators.hpp>
#include <millrace/filters/apply.hpp>
#include <millrace/filters/basic.hpp>
#include <millrace/filters/c4.hpp>
#include <millrace/filters/fineweb.hpp>
#include <millrace/filters/gopher.hpp>
#include <millrace/io.hpp>
#include <millrace/observe/dot.hpp>
#include <millrace/recipe/builtin.hpp>
#include <millrace/recipe/io.hpp>
#include <millrace/recipe/recipe.hpp>
#if MILLRACE_HAVE_YAML
#include <millrace/recipe/yaml.hpp>
#endif

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

namespace mr = millrace;
namespace rc = millrace::recipe;
namespace fs = std::filesystem;

namespace {

using mrtest::output_lines;
using mrtest::temp_dir;
using mrtest::write_file;

// Seeded English-like documents: good prose (passes the filters), short ones, repeated lines,
// lines without terminal punctuation (C4 removes them: the text changes), near-duplicate copies.
std::string make_corpus(std::size_t n, unsigned seed) {
  static const std::vector<std::string> words = [] {
    std::vector<std::string> w;
    std::istringstream in(
        "old new small large quiet busy green narrow wide early late bright dark warm cold heavy light young ancient local "
        "river mill wheel farmer miller baker village road bridge house garden market school church field forest cart stone "
        "roof window crosses follows reaches passes joins faces watches carries leaves meets supports covers near behind "
        "beside above below around beyond along water grain flour winter summer autumn spring morning evening people "
        "children visitors workers town valley hill");
    for (std::string x; in >> x;) w.push_back(x);
    return w;
  }();
  static const std::vector<std::string> stops = {"the", "to", "of", "and", "that", "with", "have", "be"};
  std::mt19937 rng(seed);
  auto sentence = [&] {  // random words (no repeated 5-grams), 30% stop words
    const std::size_t len = 8 + rng() % 9;
    std::string s;
    for (std::size_t i = 0; i < len; ++i) {
      std::string w = rng() % 10 < 3 ? stops[rng() % stops.size()] : words[rng() % words.size()];
      if (i == 0) w[0] = char(std::toupper(static_cast<unsigned char>(w[0])));
      s += (i ? " " : "") + w;
    }
    return s + ".";
  };
  std::string out;
  std::vector<std::string> texts;
  for (std::size_t i = 0; i < n; ++i) {
    std::string text;
    const unsigned kind = rng() % 10;
    if (kind == 0) {
      text = "Too short.";
    } else if (kind == 1 && !texts.empty()) {
      text = texts[rng() % texts.size()] + " " + sentence();  // a near copy of an earlier document
    } else if (kind == 2) {
      for (int k = 0; k < 8; ++k) text += "Buy the best flour in town now.\n";  // repeated lines
    } else {
      const std::size_t paras = 2 + rng() % 3;
      for (std::size_t p = 0; p < paras; ++p) {
        const std::size_t lines = 2 + rng() % 3;
        for (std::size_t l = 0; l < lines; ++l) {
          text += sentence() + " " + sentence() + "\n";
          if (kind == 3 && l == 0) text += "Read more about the mill here\n";  // no terminal punctuation: C4 removes it
        }
        text += "\n";
      }
      texts.push_back(text);
    }
    out += fmt::format("{{\"id\": \"doc-{}\",  \"text\": {}, \"meta\": {{\"n\": {}}}}}\n", i, mr::json::quote(text), i);
  }
  return out;
}

rc::compiled_recipe compile_json(const std::string& text, const rc::recipe_overrides& ov = {}) {
  return rc::compile(rc::parse_json(text, "test.json"), rc::builtin_registry(), ov);
}

// The message of the recipe_error that compiling `text` throws ("" when it compiles).
std::string json_error(const std::string& text) {
  try {
    compile_json(text);
  } catch (const rc::recipe_error& e) {
    return e.what();
  }
  return "";
}

const char* fineweb_steps = R"([
    {"normalize_whitespace": {}},
    {"gopher_repetition": {}},
    {"gopher_quality": {}},
    {"c4_quality": {"filter_no_terminal_punct": true}},
    {"fineweb_quality": {}},
    {"dedup.near": {"threshold": 0.7}}
  ])";

struct Doc {
  std::string id, text;
  mr::record_position position;
};

}  // namespace

TEST_CASE("recipe.registry.builtin") {
  const auto reg = rc::builtin_registry();
  for (const char* name : {"read_jsonl", "read_csv", "write_jsonl", "normalize_whitespace", "normalize", "gopher_quality",
                           "gopher_repetition", "c4_quality", "fineweb_quality", "length_filter", "char_ratio_filter", "take",
                           "limit", "dedup.exact", "dedup.near", "dedup.near_streaming"})
    CHECK_MESSAGE(reg.find(name) != nullptr, name);
  const auto* g = reg.find("gopher_quality");
  REQUIRE(g);
  // defaults come from the operator's own params struct
  const std::string ex = rc::explain(*g);
  CHECK(ex.find("min_doc_words: integer or null = 50") != std::string::npos);
  CHECK(ex.find("stop_words: list of strings = [\"the\"") != std::string::npos);
  rc::registry r2 = reg;
  CHECK_THROWS_AS(r2.add(*g), std::invalid_argument);  // names are unique
  CHECK(rc::closest_name("gopher_qualty", reg.names()) == "gopher_quality");
  CHECK(rc::closest_name("zzzzzzzz", reg.names()).empty());
}

TEST_CASE("recipe.errors.before_data") {
  // The input does not exist: had anything been read, the error would be about the input.
  const std::string head = R"({
  "reader": {"read_jsonl": {"inputs": ["/nonexistent/in.jsonl"]}},
  "steps": [
    {"normalize_whitespace": {}},
)";
  const std::string tail = R"(
  ],
  "writer": {"write_jsonl": {"dir": "/tmp/x"}}
})";
  SUBCASE("unknown operator, with a suggestion") {
    const auto e = json_error(head + R"(    {"gopher_qualty": {}})" + tail);
    CHECK(e == "test.json:5: unknown operator 'gopher_qualty' (did you mean 'gopher_quality'?) (millrace-run --list-ops lists them)");
    // the error's parts, as io::input_error's: file(), line(), reason()
    try {
      compile_json(head + R"(    {"gopher_qualty": {}})" + tail);
      FAIL("compiled");
    } catch (const rc::recipe_error& err) {
      CHECK(err.file() == "test.json");
      CHECK(err.line() == 5);
      CHECK(err.reason() == "unknown operator 'gopher_qualty' (did you mean 'gopher_quality'?) (millrace-run --list-ops lists them)");
    }
  }
  SUBCASE("unknown parameter, with a suggestion") {
    const auto e = json_error(head + R"(    {"gopher_quality": {"min_doc_wrds": 10}})" + tail);
    CHECK(e.rfind("test.json:5: gopher_quality: unknown parameter 'min_doc_wrds' (did you mean 'min_doc_words'?)", 0) == 0);
  }
  SUBCASE("wrong type") {
    CHECK(json_error(head + R"(    {"gopher_quality": {"min_doc_words": "many"}})" + tail) ==
          "test.json:5: gopher_quality: parameter 'min_doc_words' expects an integer, got a string");
    CHECK(json_error(head + R"(    {"c4_quality": {"remove_lines": 1}})" + tail) ==
          "test.json:5: c4_quality: parameter 'remove_lines' expects a boolean, got a number");
    CHECK(json_error(head + R"(    {"take": {"n": 2.5}})" + tail) == "test.json:5: take: parameter 'n' expects an integer, got 2.5");
  }
  SUBCASE("out of range, null where not allowed, bad choice") {
    CHECK(json_error(head + R"(    {"fineweb_quality": {"short_line_thr": 1.5}})" + tail) ==
          "test.json:5: fineweb_quality: parameter 'short_line_thr' must be in [0, 1], got 1.5");
    CHECK(json_error(head + R"(    {"fineweb_quality": {"short_line_thr": null}})" + tail).find("cannot be switched off") != std::string::npos);
    CHECK(json_error(head + R"(    {"dedup.near": {"shingle": "wrd"}})" + tail).find("(did you mean 'word'?)") != std::string::npos);
  }
  SUBCASE("missing required parameter") {
    CHECK(json_error(head + R"(    {"take": {}})" + tail).rfind("test.json:5: take: parameter 'n' is required", 0) == 0);
  }
  SUBCASE("missing reader, missing writer, wrong kind") {
    CHECK(json_error(R"({"writer": {"write_jsonl": {"dir": "o"}}})").rfind("test.json: the recipe has no reader", 0) == 0);
    CHECK(json_error(R"({"reader": {"read_jsonl": {"inputs": "a"}}})").rfind("test.json: the recipe has no writer", 0) == 0);
    CHECK(json_error(R"({"reader": {"write_jsonl": {"dir": "o"}}, "writer": {"write_jsonl": {"dir": "o"}}})") ==
          "test.json:1: 'write_jsonl' is a writer, not a reader");
    CHECK(json_error(R"({"reader": {"read_jsonl": {}}, "writer": {"write_jsonl": {"dir": "o"}}})").find("'inputs' is required") != std::string::npos);
  }
  SUBCASE("unknown top-level key, JSON syntax") {
    CHECK(json_error("{\n\"reader\": {\"read_jsonl\": {\"inputs\": \"a\"}},\n\"stpes\": []}").rfind(
              "test.json:3: unknown recipe key 'stpes' (did you mean 'steps'?)", 0) == 0);
    CHECK(json_error("{\n\"reader\": {\"read_jsonl\": {\"inputs\": \"a\"}},\n\"steps\": [}").rfind("test.json:3: ", 0) == 0);
  }
  SUBCASE("a valid recipe compiles; its missing input fails only when built") {
    auto r = compile_json(head + R"(    {"take": {"n": 3}})" + tail);
    CHECK(r.steps.size() == 2);
    CHECK_THROWS_AS(rc::build(r), rc::recipe_error);
  }
}

#if MILLRACE_HAVE_YAML
TEST_CASE("recipe.errors.yaml_lines") {
  auto yaml_error = [](const std::string& text) -> std::string {
    try {
      rc::compile(rc::parse_yaml(text, "r.yaml"), rc::builtin_registry());
    } catch (const rc::recipe_error& e) {
      return e.what();
    }
    return "";
  };
  const std::string head = "reader:\n  read_jsonl:\n    inputs: [in.jsonl]\nsteps:\n  - normalize_whitespace: {}\n";
  const std::string writer = "writer:\n  write_jsonl: {dir: out}\n";
  CHECK(yaml_error(head + "  - c4_qualty: {}\n" + writer).rfind("r.yaml:6: unknown operator 'c4_qualty' (did you mean 'c4_quality'?)", 0) == 0);
  CHECK(yaml_error(head + "  - c4_quality:\n      min_words_per_line: three\n" + writer) ==
        "r.yaml:7: c4_quality: parameter 'min_words_per_line' expects an integer, got a string");
  CHECK(yaml_error(head + "  - gopher_quality:\n      min_doc_words: ~\n      max_doc_wrds: 5\n" + writer)
            .rfind("r.yaml:8: gopher_quality: unknown parameter 'max_doc_wrds' (did you mean 'max_doc_words'?)", 0) == 0);
  // near-dedup's limits and choices are the module's (dedup::near_dedup_options::parameters())
  CHECK(yaml_error(head + "  - dedup.near: {threshold: 1.2}\n" + writer) ==
        "r.yaml:6: dedup.near: parameter 'threshold' must be in (0, 1], got 1.2");
  CHECK(yaml_error(head + "  - dedup.near: {threshold: 0}\n" + writer) ==
        "r.yaml:6: dedup.near: parameter 'threshold' must be in (0, 1], got 0");
  CHECK(yaml_error(head + "  - dedup.near: {shingle: char, ngram: 24, num_perm: 8192}\n" + writer).empty());
  CHECK(yaml_error(head + "  - dedup.near: {shingle: character}\n" + writer).empty());
  CHECK(yaml_error(head + "  - dedup.near: {shingle: chars}\n" + writer).rfind("r.yaml:6: dedup.near: parameter 'shingle'", 0) == 0);
  CHECK(yaml_error("steps: []\n" + writer).rfind("r.yaml: the recipe has no reader", 0) == 0);
  // quoted scalars are strings, plain ones typed; null switches a test off
  auto r = rc::compile(rc::parse_yaml(head + "  - gopher_quality: {min_doc_words: ~, stop_words: [\"true\", and]}\n" + writer, "r.yaml"),
                       rc::builtin_registry());
  REQUIRE(r.steps.size() == 2);
  CHECK(!r.steps[1].values.is_set("min_doc_words"));
  CHECK(r.steps[1].values.strings("stop_words") == std::vector<std::string>{"true", "and"});
}
#endif

TEST_CASE("recipe.equivalence.fineweb_vs_cpp.2T") {
  temp_dir tmp("equiv");
  write_file(tmp.path / "in.jsonl", make_corpus(600, 7));
  const std::string recipe = fmt::format(R"({{
  "reader": {{"read_jsonl": {{"inputs": ["{}"]}}}},
  "steps": {},
  "writer": {{"write_jsonl": {{"dir": "{}"}}}}
}})",
                                         (tmp.path / "in.jsonl").string(), fineweb_steps, (tmp.path / "recipe_out").string());
  auto built = rc::build(compile_json(recipe));
  const auto rep = mr::run(built.pipeline, mr::cpu{.threads = 2, .batch_size = 64});

  // The same pipeline by hand, on a plain struct with typed field maps.
  const auto fields = mr::io::fields(mr::io::field("id", &Doc::id), mr::io::field("text", &Doc::text));
  namespace fl = mr::filters;
  auto hand = mr::io::read_jsonl<Doc>({(tmp.path / "in.jsonl").string()}, fields) | fl::normalize_whitespace_op<Doc>() |
              fl::apply<Doc>(fl::gopher_repetition{}) | fl::apply<Doc>(fl::gopher_quality{}) | fl::apply<Doc>(fl::c4_quality{}) |
              fl::apply<Doc>(fl::fineweb_quality{}) |
              mr::dedup::near({.threshold = 0.7}, [](const Doc& d) -> std::string_view { return d.text; }) |
              mr::io::write_jsonl<Doc>(tmp.path / "hand_out", fields);
  mr::run(hand, mr::cpu{.threads = 2, .batch_size = 64});

  const auto a = output_lines(tmp.path / "recipe_out");
  const auto b = output_lines(tmp.path / "hand_out");
  REQUIRE(a.size() == b.size());
  CHECK(a.size() > 50);   // the corpus is made so that many pass ...
  CHECK(a.size() < 500);  // ... and many do not
  CHECK(rep.records_in() == 600);
  std::size_t rewritten = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    auto ra = mr::json::parse(a[i]).as_object();
    auto rb = mr::json::parse(b[i]).as_object();
    REQUIRE(std::get<std::string>(ra.at("id").v) == std::get<std::string>(rb.at("id").v));
    REQUIRE(std::get<std::string>(ra.at("text").v) == std::get<std::string>(rb.at("text").v));
    CHECK(ra.count("meta") == 1);  // the fields the operators do not read travel unchanged
    rewritten += a[i].find("\"id\":") != std::string::npos;  // re-encoded (the input has "id": with a space)
  }
  CHECK(rewritten > 0);  // texts changed (white space, C4's removed lines): those records are re-encoded
}

TEST_CASE("recipe.annotate_and_unchanged_bytes.serial") {
  temp_dir tmp("annotate");
  const std::string in = "{\"id\":1,   \"text\":\"Too short.\"}\n{\"text\": \"x\" , \"id\":2}\n";
  write_file(tmp.path / "in.jsonl", in);
  auto run_recipe = [&](const std::string& steps, const std::string& out) {
    const std::string recipe = fmt::format(R"({{"reader": {{"read_jsonl": {{"inputs": ["{}"]}}}}, "steps": {},
      "writer": {{"write_jsonl": {{"dir": "{}"}}}}}})",
                                           (tmp.path / "in.jsonl").string(), steps, (tmp.path / out).string());
    auto built = rc::build(compile_json(recipe));
    mr::run(built.pipeline, mr::serial_executor{});
    return output_lines(tmp.path / out);
  };
  // a step that changes nothing: the bytes as read, spaces included
  const auto same = run_recipe(R"([{"length_filter": {"max_chars": 1000}}])", "same");
  CHECK(same == std::vector<std::string>{"{\"id\":1,   \"text\":\"Too short.\"}", "{\"text\": \"x\" , \"id\":2}"});
  // annotate: every record stays, with the statistic and the failure
  const auto ann = run_recipe(R"([{"length_filter": {"min_chars": 5, "action": "annotate"}}])", "ann");
  REQUIRE(ann.size() == 2);
  CHECK(ann[0] == "{\"id\":1,\"text\":\"Too short.\",\"filter_result\":{\"scores\":{\"length_filter.chars\":10,"
                  "\"length_filter.words\":2,\"length_filter.lines\":1},\"failures\":{}}}");
  CHECK(ann[1].find("\"failures\":{\"length_filter\":\"too_few_chars\"}") != std::string::npos);
  // a disabled step does not run; take keeps the first record
  const auto took = run_recipe(R"([{"length_filter": {"min_chars": 5, "enabled": false}}, {"take": {"n": 1}}])", "took");
  CHECK(took == std::vector<std::string>{"{\"id\":1,   \"text\":\"Too short.\"}"});
}

TEST_CASE("recipe.csv_reader_and_user_operator.2T") {
  temp_dir tmp("csv");
  write_file(tmp.path / "in.csv", "id,body\n1,hello world\n2,\"say \"\"hi\"\"\"\n3,hello world\n");
  rc::registry reg = rc::builtin_registry();
  // A C++ user's own operator, named by the recipe like the built-in ones.
  reg.add({.name = "shout",
           .doc = "upper-cases ASCII letters",
           .params = {rc::int_param("times", 1, "how often").range(1, 3)},
           .build = [](const rc::param_values& v, const rc::step_context& ctx) {
             const auto times = v.size("times");
             return rc::make_step(mr::map(
                 [times](rc::document d) {
                   for (auto& c : d.text) c = char(std::toupper(static_cast<unsigned char>(c)));
                   d.text += std::string(times, '!');
                   return d;
                 },
                 ctx.step_name));
           }});
  const std::string recipe = fmt::format(R"({{"reader": {{"read_csv": {{"inputs": ["{}"], "text_column": "body"}}}},
    "steps": [{{"dedup.exact": {{}}}}, {{"shout": {{"times": 2}}}}],
    "writer": {{"write_jsonl": {{"dir": "{}"}}}}}})",
                                         (tmp.path / "in.csv").string(), (tmp.path / "out").string());
  auto built = rc::build(rc::compile(rc::parse_json(recipe, "csv.json"), reg));
  mr::run(built.pipeline, mr::cpu{.threads = 2});
  CHECK(output_lines(tmp.path / "out") ==
        std::vector<std::string>{"{\"id\":\"1\",\"text\":\"HELLO WORLD!!\"}", "{\"id\":\"2\",\"text\":\"SAY \\\"HI\\\"!!\"}"});
  // The document readers take a trailing name, as every reader: two readers, two report rows.
  write_file(tmp.path / "in.jsonl", "{\"text\":\"a\"}\n{\"text\":\"b\"}\n");
  std::vector<rc::document> rows, lines;
  auto rep_rows = mr::run(rc::read_csv_documents({(tmp.path / "in.csv").string()}, "body", "text", {}, {}, "rows") |
                              mr::collect(rows),
                          mr::serial_executor{});
  auto rep_lines = mr::run(rc::read_jsonl_documents({(tmp.path / "in.jsonl").string()}, "text", {}, "lines") |
                               mr::collect(lines),
                           mr::serial_executor{});
  REQUIRE(rep_rows.find("rows"));
  REQUIRE(rep_rows.find("rows.document"));
  REQUIRE(rep_lines.find("lines"));
  CHECK(rep_rows.find("read_csv") == nullptr);
  CHECK(rep_rows.find("rows")->records_out == 3);
  CHECK(rep_lines.find("lines")->records_out == 2);
  CHECK(rows.size() == 3);
  CHECK(lines.size() == 2);
  CHECK_THROWS_WITH_AS(rc::compile(rc::parse_json(R"({"reader": {"read_csv": {"inputs": "a"}}, "steps": [{"shout": {"times": 4}}],
    "writer": {"write_jsonl": {"dir": "o"}}})", "csv.json"), reg),
                       "csv.json:1: shout: parameter 'times' must be in [1, 3], got 4", rc::recipe_error);
}

TEST_CASE("recipe.overrides_and_dry_run") {
  temp_dir tmp("override");
  write_file(tmp.path / "a.jsonl", "{\"text\":\"one two three\"}\n{\"text\":\"one two three\"}\n");
  auto r = compile_json(R"({"reader": {"read_jsonl": {"inputs": ["/nonexistent"]}}, "steps": [{"length_filter": {"min_chars": 1}}, {"dedup.exact": {}}],
    "writer": {"write_jsonl": {"dir": "/nonexistent/out"}}, "threads": 1})",
                        {.inputs = {(tmp.path / "a.jsonl").string()}, .output_dir = (tmp.path / "out").string()});
  CHECK(r.threads == std::optional<std::size_t>(1));
  // The pipeline outlives the built_recipe it came from (it holds the tally its filter writes to).
  const auto pipeline = rc::build(r).pipeline;
  const std::string dot = mr::to_dot(pipeline);
  CHECK(dot.find("dedup.exact") != std::string::npos);
  CHECK(rc::describe(r).find("write_jsonl.dir = \"" + (tmp.path / "out").string() + "\"") != std::string::npos);
  const auto rep = mr::run(pipeline, mr::cpu{.threads = 1});
  CHECK(rep.records_in() == 2);
  CHECK(rep.records_out() == 1);
  CHECK(output_lines(tmp.path / "out").size() == 1);
}

TEST_CASE("recipe.url_filter_and_span_dedup.serial") {
  temp_dir tmp("url");
  write_file(tmp.path / "in.jsonl",
             "{\"url\":\"http://a.bad.example.com/x\",\"text\":\"shared line here\"}\n"
             "{\"url\":\"https://good.org\",\"text\":\"line one\\nshared line here\"}\n"
             "{\"text\":\"shared line here\\nunique\",\"url\":\"https://ok.org\"}\n");
  const std::string recipe = fmt::format(R"({{"reader": {{"read_jsonl": {{"inputs": ["{}"]}}}},
    "steps": [{{"url_filter": {{"block_domains": ["example.com"]}}}}, {{"dedup.spans": {{"unit": "line"}}}}],
    "writer": {{"write_jsonl": {{"dir": "{}"}}}}}})",
                                         (tmp.path / "in.jsonl").string(), (tmp.path / "out").string());
  auto built = rc::build(compile_json(recipe));
  const auto rep = mr::run(built.pipeline, mr::serial_executor{});
  CHECK(rep.records_in() == 3);
  // the blocked URL's record is gone (its line was never seen), the later copy of a line is cut
  CHECK(output_lines(tmp.path / "out") ==
        std::vector<std::string>{"{\"url\":\"https://good.org\",\"text\":\"line one\\nshared line here\"}",
                                 "{\"text\":\"unique\",\"url\":\"https://ok.org\"}"});
}

// url_filter's word lists (datatrove URLFilter's banned / soft-banned words and banned subwords):
// listed by explain, inline and from a file, the threshold, and wrong types named by parameter.
TEST_CASE("recipe.url_filter.word_lists.serial") {
  const auto reg = rc::builtin_registry();
  const auto* u = reg.find("url_filter");
  REQUIRE(u);
  const std::string ex = rc::explain(*u);
  for (const char* p : {"banned_words: list of strings = []", "soft_banned_words: list of strings = []", "soft_word_threshold: integer = 2",
                        "banned_subwords: list of strings = []", "banned_word_files: list of strings = []",
                        "soft_banned_word_files: list of strings = []", "banned_subword_files: list of strings = []"})
    CHECK_MESSAGE(ex.find(p) != std::string::npos, p);
  temp_dir tmp("url-words");
  write_file(tmp.path / "soft.txt", "# soft-banned\nfree\n\ncam # webcams\n");
  write_file(tmp.path / "in.jsonl",
             "{\"url\":\"https://example.com/casino\",\"text\":\"a\"}\n"
             "{\"url\":\"https://example.com/casinos\",\"text\":\"b\"}\n"
             "{\"url\":\"https://free-cam.example.com/\",\"text\":\"c\"}\n"
             "{\"url\":\"https://example.com/free\",\"text\":\"d\"}\n"
             "{\"url\":\"https://buyviagra.net/\",\"text\":\"e\"}\n");
  auto run_with = [&](const std::string& params) {
    const std::string recipe = fmt::format(R"({{"reader": {{"read_jsonl": {{"inputs": ["{}"]}}}},
    "steps": [{{"url_filter": {}}}],
    "writer": {{"write_jsonl": {{"dir": "{}"}}}}}})",
                                           (tmp.path / "in.jsonl").string(), params, (tmp.path / "out").string());
    fs::remove_all(tmp.path / "out");
    auto built = rc::build(compile_json(recipe));
    const auto rep = mr::run(built.pipeline, mr::serial_executor{});
    CHECK(rep.records_in() == 5);
    std::string texts;
    for (auto& l : output_lines(tmp.path / "out")) texts += l.substr(l.find("\"text\":\"") + 8, 1);
    return texts;
  };
  const std::string files = fmt::format(R"("soft_banned_word_files": ["{}"])", (tmp.path / "soft.txt").string());
  CHECK(run_with(R"({"banned_words": ["Casino"], "banned_subwords": ["viagra"], )" + files + "}") == "bd");
  CHECK(run_with(R"({"soft_word_threshold": 1, )" + files + "}") == "abe");
  CHECK(run_with("{}") == "abcde");  // no lists: nothing dropped
  const std::string head = R"({"reader": {"read_jsonl": {"inputs": ["/nonexistent/in.jsonl"]}},
  "steps": [
    {"url_filter": )";
  const std::string tail = R"(}
  ],
  "writer": {"write_jsonl": {"dir": "/tmp/x"}}
})";
  CHECK(json_error(head + R"({"soft_word_threshold": "two"})" + tail) ==
        "test.json:3: url_filter: parameter 'soft_word_threshold' expects an integer, got a string");
  CHECK(json_error(head + R"({"banned_words": 3})" + tail) ==
        "test.json:3: url_filter: parameter 'banned_words' expects a list of strings, got a number");
  CHECK(json_error(head + R"({"banned_words": "casino"})" + tail).empty());  // one string is a list of one
  CHECK(json_error(head + R"({"banned_subwords": ["a", 1]})" + tail).find("parameter 'banned_subwords' expects a list of strings") !=
        std::string::npos);
  CHECK(json_error(head + R"({"soft_word_threshold": 0})" + tail).find("parameter 'soft_word_threshold' must be in [1, ") != std::string::npos);
}

// Fusion: adjacent filter steps run as one filters::apply; the same records, texts and per-filter
// counts come out as with one stage per step (`fuse: false`), and C4 (which rewrites the text)
// ends a fused run so that FineWeb reads the kept lines as unfused.
TEST_CASE("recipe.fusion.same_as_unfused.2T") {
  temp_dir tmp("fusion");
  write_file(tmp.path / "in.jsonl", make_corpus(800, 11));
  const std::string steps = R"([
    {"gopher_repetition": {}},
    {"gopher_quality": {}},
    {"length_filter": {"min_words": 40}},
    {"char_ratio_filter": {"max_digit_ratio": 0.05}},
    {"c4_quality": {"filter_no_terminal_punct": true}},
    {"fineweb_quality": {}},
    {"nemo_english": {}},
    {"take": {"n": 100000}},
    {"length_filter": {"max_words": 300, "action": "annotate"}}
  ])";
  auto run_recipe = [&](bool fuse, const std::string& out) {
    const std::string recipe = fmt::format(R"({{"fuse": {}, "reader": {{"read_jsonl": {{"inputs": ["{}"]}}}}, "steps": {},
      "writer": {{"write_jsonl": {{"dir": "{}"}}}}}})",
                                           fuse ? "true" : "false", (tmp.path / "in.jsonl").string(), steps, (tmp.path / out).string());
    auto compiled = compile_json(recipe);
    CHECK(compiled.fuse == fuse);
    auto built = rc::build(compiled);
    const std::string dot = mr::to_dot(built.pipeline);
    const auto rep = mr::run(built.pipeline, mr::cpu{.threads = 2, .batch_size = 32});
    auto tally = built.tally->snapshot();
    std::sort(tally.begin(), tally.end(), [](auto& a, auto& b) { return a.first < b.first; });
    return std::tuple{output_lines(tmp.path / out), tally, dot, rep};
  };
  const auto [fused, fused_tally, fused_dot, fused_rep] = run_recipe(true, "fused");
  const auto [plain, plain_tally, plain_dot, plain_rep] = run_recipe(false, "plain");
  CHECK(fused_dot.find("gopher_repetition+gopher_quality+length_filter+char_ratio_filter+c4_quality") != std::string::npos);
  CHECK(fused_dot.find("fineweb_quality+nemo_english") != std::string::npos);
  CHECK(plain_dot.find('+') == std::string::npos);
  CHECK(fused_rep.find("fineweb_quality+nemo_english") != nullptr);
  CHECK(plain_rep.find("fineweb_quality") != nullptr);
  REQUIRE(fused.size() == plain.size());
  CHECK(fused.size() > 20);
  CHECK(fused.size() < 700);
  CHECK(fused == plain);
  REQUIRE(fused_tally.size() == plain_tally.size());
  CHECK(fused_tally.size() == 6 + 28 + 1 + 1);  // every filter by its name: nemo's 28, the second length_filter; take
  std::uint64_t dropped = 0;
  for (std::size_t i = 0; i < fused_tally.size(); ++i) {
    INFO(fused_tally[i].first);
    CHECK(fused_tally[i].first == plain_tally[i].first);
    CHECK(fused_tally[i].second.in == plain_tally[i].second.in);
    CHECK(fused_tally[i].second.dropped == plain_tally[i].second.dropped);
    CHECK(fused_tally[i].second.reasons == plain_tally[i].second.reasons);
    if (fused_tally[i].first != "length_filter#2") dropped += fused_tally[i].second.dropped;
  }
  CHECK(dropped + fused.size() == 800);  // drop mode: each dropped record counted once, by its first failure
  // --no-fuse does what `fuse: false` does
  rc::recipe_overrides ov;
  ov.no_fuse = true;
  CHECK_FALSE(compile_json(R"({"reader": {"read_jsonl": {"inputs": ["x"]}}, "writer": {"write_jsonl": {"dir": "o"}}})", ov).fuse);
  CHECK(json_error(R"({"fuse": 1, "reader": {"read_jsonl": {"inputs": ["x"]}}, "writer": {"write_jsonl": {"dir": "o"}}})")
            .find("test.json:1: fuse expects a boolean") != std::string::npos);
}

// The exclusion output: every record a filter step drops is written with its step, filter and
// reason; kept + excluded = read; the file appears only on commit (atomic).
TEST_CASE("recipe.exclusions.kept_plus_excluded.2T") {
  temp_dir tmp("exclusions");
  write_file(tmp.path / "in.jsonl", make_corpus(500, 5));
  for (const bool fuse : {true, false}) {
    const fs::path out = tmp.path / (fuse ? "out_fused" : "out_plain"), excl = tmp.path / (fuse ? "ex_fused" : "ex_plain");
    const std::string recipe = fmt::format(R"({{"exclusions": "{}", "fuse": {}, "reader": {{"read_jsonl": {{"inputs": ["{}"]}}}},
      "steps": [{{"gopher_repetition": {{}}}}, {{"gopher_quality": {{}}}}, {{"c4_quality": {{}}}}, {{"fineweb_quality": {{}}}},
                {{"length_filter": {{"min_words": 60}}}}],
      "writer": {{"write_jsonl": {{"dir": "{}"}}}}}})",
                                           excl.string(), fuse ? "true" : "false", (tmp.path / "in.jsonl").string(), out.string());
    auto compiled = compile_json(recipe);
    CHECK(compiled.exclusions_dir == excl.string());
    auto built = rc::build(compiled);
    REQUIRE(built.exclusions);
    CHECK_FALSE(fs::exists(excl));  // building writes nothing
    mr::run(built.pipeline, mr::cpu{.threads = 2, .batch_size = 16});
    CHECK_FALSE(fs::exists(excl / "excluded.jsonl"));  // not before commit
    built.exclusions->commit();
    const auto kept = output_lines(out);
    const std::vector<std::string> excluded = mrtest::read_lines(excl / "excluded.jsonl");
    CHECK(kept.size() > 20);
    CHECK(excluded.size() > 20);
    CHECK(kept.size() + excluded.size() == 500);
    CHECK(built.exclusions->count() == excluded.size());
    std::set<std::string> ids;
    for (auto& l : kept) ids.insert(std::get<std::string>(mr::json::parse(l).as_object().at("id").v));
    std::map<std::string, std::map<std::string, std::uint64_t>> reasons;  // step -> reason -> records
    for (auto& l : excluded) {
      auto o = mr::json::parse(l).as_object();
      const auto step = std::get<std::string>(o.at("step").v);
      CHECK(std::get<std::string>(o.at("filter").v) == step);  // one filter per step here
      ++reasons[step][std::get<std::string>(o.at("reason").v)];
      CHECK(std::get<std::string>(o.at("file").v) == (tmp.path / "in.jsonl").string());
      auto rec = o.at("record").as_object();  // the record as read, every field
      CHECK(rec.count("meta") == 1);
      CHECK(ids.insert(std::get<std::string>(rec.at("id").v)).second);  // not also kept, not twice
    }
    CHECK(ids.size() == 500);
    for (auto& [name, c] : built.tally->snapshot()) {
      INFO(name);
      std::uint64_t n = 0;
      for (auto& [r, k] : c.reasons) CHECK(reasons[name][r] == k);
      for (auto& [r, k] : reasons[name]) n += k;
      CHECK(n == c.dropped);
    }
  }
  CHECK(json_error(R"({"exclusions": 3, "reader": {"read_jsonl": {"inputs": ["x"]}}, "writer": {"write_jsonl": {"dir": "o"}}})")
            .find("exclusions expects a directory") != std::string::npos);
}
