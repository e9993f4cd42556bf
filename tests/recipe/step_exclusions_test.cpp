// Recipes: the exclusion output and the tally of the non-filter steps (exact, near, span and
// Bloom dedup, take, url_filter), and the annotate action of the span / Bloom dedup steps, on real
// JSONL files through the recipe reader and writer, with 1 and 4 threads: per step, records in =
// records out + records excluded, each duplicate names the file and line of the record it repeats.
#include <doctest/doctest.h>

#include <filesystem>
#include <iterator>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include <millrace/core.hpp>
#include <millrace/recipe/builtin.hpp>
#include <millrace/recipe/recipe.hpp>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

namespace mr = millrace;
namespace rc = millrace::recipe;
namespace fs = std::filesystem;

namespace {

// Documents of shared lines (span dedup cuts them), exact copies, near copies (one word changed)
// and documents of one repeated line (emptied by span dedup), each with an id and a url.
std::string dup_corpus(std::size_t n, unsigned seed) {
  std::mt19937 rng(seed);
  auto sentence = [&] {
    std::string s;
    for (int w = 0; w < 12; ++w) {
      if (w) s.push_back(' ');
      s.append("w");
      s.append(std::to_string(rng() % 400));
    }
    s.push_back('.');
    return s;
  };
  std::vector<std::string> shared;
  for (int i = 0; i < 15; ++i) shared.push_back(sentence());
  std::vector<std::string> texts;
  std::string out;
  for (std::size_t i = 0; i < n; ++i) {
    std::string text;
    const unsigned kind = rng() % 10;
    if (kind == 0 && !texts.empty()) {
      text = texts[rng() % texts.size()];  // an exact copy
    } else if (kind == 1 && !texts.empty()) {
      text = texts[rng() % texts.size()];  // a near copy: one word changed
      text.replace(0, text.find(' '), "changed");
    } else if (kind == 2) {
      text = shared[rng() % shared.size()];  // one shared line only: emptied by span dedup
    } else {
      for (int l = 0; l < 6; ++l) {
        text += rng() % 8 == 0 ? shared[rng() % shared.size()] : sentence();
        text += '\n';
      }
      texts.push_back(text);
    }
    const char* host = i % 17 == 0 ? "spam.example.com" : "good.example.org";
    out += fmt::format("{{\"id\":\"d{}\",\"url\":\"https://{}/p{}\",\"text\":{}}}\n", i, host, i, mr::json::quote(text));
  }
  return out;
}

}  // namespace

TEST_CASE("recipe.exclusions.dedup_and_take.1T.4T") {
  mrtest::temp_dir tmp("step_exclusions");
  const std::size_t n = 600;
  mrtest::write_file(tmp.path / "in.jsonl", dup_corpus(n, 21));
  // id -> line in the input (1-based), to check what each duplicate names
  std::map<std::string, std::size_t> line_of;
  std::map<std::size_t, std::string> text_at;
  {
    std::size_t ln = 0;
    for (auto& l : mrtest::read_lines(tmp.path / "in.jsonl")) {
      auto o = mr::json::parse(l).as_object();
      line_of[std::get<std::string>(o.at("id").v)] = ++ln;
      text_at[ln] = std::get<std::string>(o.at("text").v);
    }
  }
  const std::vector<std::string> steps = {"url_filter", "dedup.exact", "dedup.near", "dedup.spans", "dedup.bloom_ngrams", "take"};
  std::vector<std::string> first_kept;
  for (const std::size_t threads : {1, 4}) {
    INFO("threads " << threads);
    const fs::path out = tmp.path / fmt::format("out{}", threads), excl = tmp.path / fmt::format("ex{}", threads);
    const std::string recipe = fmt::format(R"({{"exclusions": "{}", "reader": {{"read_jsonl": {{"inputs": ["{}"]}}}},
      "steps": [{{"url_filter": {{"block_domains": ["spam.example.com"]}}}},
                {{"dedup.exact": {{}}}},
                {{"dedup.near": {{"threshold": 0.7, "verify": true}}}},
                {{"dedup.spans": {{"unit": "line", "min_remaining_bytes": 40}}}},
                {{"dedup.bloom_ngrams": {{"ngram": 5, "min_words": 5, "scope": "document", "threshold": 0.5, "expected_ngrams": 100000}}}},
                {{"take": {{"n": 100}}}}],
      "writer": {{"write_jsonl": {{"dir": "{}"}}}}}})",
                                           excl.string(), (tmp.path / "in.jsonl").string(), out.string());
    auto built = rc::build(rc::compile(rc::parse_json(recipe, "dups.json"), rc::builtin_registry()));
    const auto rep = mr::run(built.pipeline, mr::cpu{.threads = threads, .batch_size = 32});
    built.exclusions->commit();
    const auto kept = mrtest::output_lines(out);
    const auto excluded = mrtest::read_lines(excl / "excluded.jsonl");
    CHECK(kept.size() == 100);  // take's limit is reached: the steps before it keep ~160
    CHECK(kept.size() + excluded.size() == n);  // nothing vanishes

    std::map<std::string, std::map<std::string, std::uint64_t>> reasons;  // step -> reason -> records
    std::set<std::string> ids;
    for (auto& l : kept) ids.insert(std::get<std::string>(mr::json::parse(l).as_object().at("id").v));
    for (auto& l : excluded) {
      auto o = mr::json::parse(l).as_object();
      const auto step = std::get<std::string>(o.at("step").v);
      const auto reason = std::get<std::string>(o.at("reason").v);
      ++reasons[step][reason];
      const auto rec = o.at("record").as_object();
      const auto id = std::get<std::string>(rec.at("id").v);
      CHECK(ids.insert(id).second);  // neither kept nor excluded twice
      CHECK(std::get<double>(o.at("line").v) == double(line_of.at(id)));
      if (reason == "exact_duplicate" || reason == "near_duplicate") {
        // the kept record it duplicates: an earlier line of the same file
        const auto dup = o.at("duplicate_of").as_object();
        CHECK(std::get<std::string>(dup.at("file").v) == (tmp.path / "in.jsonl").string());
        const auto orig = std::size_t(std::get<double>(dup.at("line").v));
        CHECK(orig < line_of.at(id));
        if (reason == "exact_duplicate") CHECK(text_at.at(orig) == text_at.at(line_of.at(id)));
      }
      if (reason == "too_little_left") CHECK(o.at("detail").is_string());
    }
    CHECK(ids.size() == n);
    CHECK(reasons["url_filter"]["blocked_domain"] > 0);
    CHECK(reasons["dedup.exact"]["exact_duplicate"] > 0);
    CHECK(reasons["dedup.near"]["near_duplicate"] > 0);
    CHECK(reasons["dedup.spans"]["too_little_left"] > 0);
    CHECK(reasons["take"]["beyond_take_limit"] > 0);
    for (auto& [step, rs] : reasons)
      for (auto it = rs.begin(); it != rs.end();) it = it->second ? std::next(it) : rs.erase(it);  // the zeros the checks added
    // Per step: in = out + excluded (run report), and the tally has the same reason counts.
    for (auto& s : steps) {
      INFO(s);
      const auto* op = rep.find(s);
      REQUIRE(op);
      std::uint64_t ex = 0;
      for (auto& [r, k] : reasons[s]) ex += k;
      CHECK(op->records_in == op->records_out + ex);
      const auto t = built.tally->of(s);
      CHECK(t.in == op->records_in);
      CHECK(t.dropped == ex);
      CHECK(t.reasons == std::map<std::string, std::uint64_t>(reasons[s].begin(), reasons[s].end()));
    }
    if (first_kept.empty()) first_kept = kept;
    else CHECK(kept == first_kept);  // the same records and bytes for 1 and 4 threads
  }
}

TEST_CASE("recipe.annotate.span_and_bloom_dedup.1T.4T") {
  mrtest::temp_dir tmp("dedup_annotate");
  const std::size_t n = 300;
  mrtest::write_file(tmp.path / "in.jsonl", dup_corpus(n, 5));
  auto run_recipe = [&](const std::string& steps, const std::string& name, std::size_t threads) {
    const fs::path out = tmp.path / name;
    const std::string recipe = fmt::format(R"({{"reader": {{"read_jsonl": {{"inputs": ["{}"]}}}}, "steps": {},
      "writer": {{"write_jsonl": {{"dir": "{}"}}}}}})",
                                           (tmp.path / "in.jsonl").string(), steps, out.string());
    auto built = rc::build(rc::compile(rc::parse_json(recipe, "ann.json"), rc::builtin_registry()));
    mr::run(built.pipeline, mr::cpu{.threads = threads, .batch_size = 16});
    return mrtest::output_lines(out);
  };
  const auto spans_step = [](const char* action) {
    return fmt::format(R"({{"dedup.spans": {{"action": "{}", "unit": "line", "min_remaining_bytes": 40}}}})", action);
  };
  const auto input = mrtest::read_lines(tmp.path / "in.jsonl");
  const auto removed = run_recipe(fmt::format("[{}]", spans_step("remove")), "removed", 1);
  CHECK(removed.size() < n);
  std::vector<std::string> first;
  for (const std::size_t threads : {1, 4}) {
    INFO("threads " << threads);
    // span dedup alone: annotate keeps every record and text; its spans cut from the text give
    // remove's text, its failures are the records remove drops
    const auto ann = run_recipe(fmt::format("[{}]", spans_step("annotate")), fmt::format("ann{}", threads), threads);
    REQUIRE(ann.size() == n);
    std::size_t k = 0, with_spans = 0;
    for (std::size_t i = 0; i < n; ++i) {
      auto o = mr::json::parse(ann[i]).as_object();
      const auto text = std::get<std::string>(o.at("text").v);
      CHECK(text == std::get<std::string>(mr::json::parse(input[i]).as_object().at("text").v));
      auto fr = o.at("filter_result").as_object();
      const double frac = std::get<double>(fr.at("scores").as_object().at("dedup.spans.duplicate_fraction").v);
      const auto& cut = fr.at("spans").as_object().at("dedup.spans.duplicate_spans").as_array();
      with_spans += !cut.empty();
      CHECK((frac > 0) == !cut.empty());
      if (fr.at("failures").as_object().count("dedup.spans")) continue;  // remove drops it
      std::string rest;
      std::size_t at = 0;
      for (auto& sp : cut) {
        const auto& b = sp.as_array();
        const auto begin = std::size_t(std::get<double>(b[0].v)), end = std::size_t(std::get<double>(b[1].v));
        rest.append(text, at, begin - at);
        at = end;
      }
      rest.append(text, at, std::string::npos);
      REQUIRE(k < removed.size());
      auto r = mr::json::parse(removed[k++]).as_object();
      CHECK(std::get<std::string>(r.at("id").v) == std::get<std::string>(o.at("id").v));
      CHECK(std::get<std::string>(r.at("text").v) == rest);
    }
    CHECK(k == removed.size());
    CHECK(with_spans > n / 10);
    // both annotating steps: every record carries both steps' statistics; the same bytes for any thread count
    // (fmt::format, not `"[" + ...`: g++ 12 -O3 reports a false -Wrestrict on that concatenation)
    const auto both = run_recipe(fmt::format("[{}{}", spans_step("annotate"),
                                             R"(, {"dedup.bloom_ngrams": {"action": "annotate", "ngram": 5, "threshold": 0.5, "expected_ngrams": 100000}}])"),
                                 fmt::format("both{}", threads), threads);
    REQUIRE(both.size() == n);
    for (auto& l : both) {
      auto scores = mr::json::parse(l).as_object().at("filter_result").as_object().at("scores").as_object();
      CHECK(scores.count("dedup.spans.duplicate_fraction") == 1);
      CHECK(scores.count("dedup.bloom_ngrams.ngram_overlap") == 1);
    }
    if (first.empty()) first = both;
    else CHECK(both == first);
  }
}
