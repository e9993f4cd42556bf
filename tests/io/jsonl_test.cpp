// JSONL reading without a pipeline: chunking, line numbers, zstd, parsing to json_record and to
// typed structs, and every bad-input case under both policies.
#include <millrace/io/chunk_reader.hpp>
#include <millrace/io/inputs.hpp>
#include <millrace/io/parse.hpp>

#include <simdjson.h>
#include <millrace/io/rejects.hpp>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>
#include <mrtest/zstd.hpp>

#include <random>

namespace io = millrace::io;
namespace fs = std::filesystem;
using mrtest::temp_dir;

namespace {

struct Doc {
  std::string id;
  std::string text;
  std::optional<int> score;
};
constexpr auto doc_fields =
    io::fields(io::field("id", &Doc::id), io::field("text", &Doc::text), io::field("score", &Doc::score));

std::string make_jsonl(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    std::string text(rng() % 300, 'a' + char(i % 26));
    s += "{\"id\":\"d" + std::to_string(i) + "\",\"text\":\"" + text + " \\\"q\\\" \\u00e9\",\"n\":" +
         std::to_string(i) + "}\n";
  }
  return s;
}

struct outcome {
  std::vector<io::json_record> records;
  std::size_t in = 0;
  std::uint64_t rejected = 0;
};

// The reader path a pipeline runs (source -> parallel parse -> serial settle), done serially.
outcome read_json(const std::vector<fs::path>& files, io::on_bad_record policy,
                  const fs::path& rejects = {}, io::chunk_options opt = {}) {
  outcome o;
  std::vector<std::string> names;
  for (auto& f : files) names.push_back(f.string());
  io::chunk_reader r(files, opt);
  io::reject_log log(rejects);
  io::text_chunk c;
  while (r.next(c)) {
    auto parsed = io::parse_json_chunk(c, names[c.input]);
    o.in += parsed.size();
    auto good = io::settle(std::move(parsed), policy, log, names);
    for (auto& g : good) o.records.push_back(std::move(g));
  }
  log.commit();   // what the pipeline's check stage does when the run succeeds
  o.rejected = log.count();
  return o;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::size_t p = 0;
  while (p < s.size()) {
    auto e = s.find('\n', p);
    if (e == std::string::npos) e = s.size();
    out.push_back(s.substr(p, e - p));
    p = e + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("jsonl.chunks.small_chunks.lines_and_numbers") {
  temp_dir d;
  auto text = make_jsonl(3000, 1);
  mrtest::write_file(d / "a.jsonl", text);
  io::chunk_reader r({d / "a.jsonl"}, {.chunk_bytes = 4096});
  io::text_chunk c;
  std::string joined;
  std::size_t expect_line = 1, chunks = 0;
  while (r.next(c)) {
    CHECK(c.error.empty());
    CHECK(c.first_line == expect_line);
    CHECK(c.data.back() == '\n');
    CHECK(c.data.capacity() >= c.data.size() + simdjson::SIMDJSON_PADDING);
    expect_line += c.lines;
    joined += c.data;
    ++chunks;
  }
  CHECK(joined == text);
  CHECK(expect_line == 3001);
  CHECK(chunks > 50);
}

TEST_CASE("jsonl.parse.records.zst_multiframe_equals_plain") {
  temp_dir d;
  auto a = make_jsonl(500, 2), b = make_jsonl(700, 3);
  mrtest::write_file(d / "p.jsonl", a + b);
  // Two concatenated zstd frames are one stream (zstd -c a b > x.zst does this).
  mrtest::write_file(d / "p.jsonl.zst", mrtest::zstd_compress(a) + mrtest::zstd_compress(b, 19));
  auto plain = read_json({d / "p.jsonl"}, io::on_bad_record::fail);
  auto z = read_json({d / "p.jsonl.zst"}, io::on_bad_record::fail, {}, {.chunk_bytes = 8192});
  REQUIRE(plain.records.size() == 1200);
  REQUIRE(z.records.size() == 1200);
  auto want = lines_of(a + b);
  for (std::size_t i = 0; i < want.size(); ++i) {
    CHECK(plain.records[i].raw == want[i]);
    CHECK(z.records[i].raw == want[i]);
    CHECK(z.records[i].line == i + 1);
  }
  const auto& r = plain.records[42];
  CHECK(r.get_string("id") == std::optional<std::string>("d42"));
  CHECK(r.get_string("text")->find(" \"q\" \xC3\xA9") != std::string::npos);
  CHECK(r.get_int("n") == std::optional<std::int64_t>(42));
  CHECK(r.get_json("n") == std::optional<std::string>("42"));
  CHECK_FALSE(r.get_string("n").has_value());
  CHECK_FALSE(r.get_string("missing").has_value());
  CHECK(r.file == (d / "p.jsonl").string());
  io::json_record copy = r;   // a copy loses the spare capacity: the padded-copy path
  copy.raw.shrink_to_fit();
  CHECK(copy.get_string("id") == r.get_string("id"));
}

TEST_CASE("jsonl.parse.typed.fields_by_name") {
  temp_dir d;
  mrtest::write_file(d / "t.jsonl",
                     "{\"text\":\"hello\",\"id\":7,\"extra\":[1,2]}\r\n"
                     "{\"id\":\"x\",\"text\":\"w\\u00f6rld\",\"score\":3}\n"
                     "{\"id\":\"y\",\"text\":\"null score\",\"score\":null}");
  io::chunk_reader r({d / "t.jsonl"});
  io::text_chunk c;
  std::vector<Doc> docs;
  while (r.next(c))
    for (auto& x : io::parse_typed_chunk<Doc>(c, doc_fields)) {
      CHECK(x.ok());
      docs.push_back(x.value);
    }
  REQUIRE(docs.size() == 3);
  CHECK(docs[0].id == "7");   // a numeric id becomes its text
  CHECK(docs[0].text == "hello");
  CHECK_FALSE(docs[0].score.has_value());
  CHECK(docs[1].text == "w\xC3\xB6rld");
  CHECK(docs[1].score == std::optional<int>(3));
  CHECK_FALSE(docs[2].score.has_value());
  std::string out;
  io::encode_fields(out, doc_fields, docs[1]);
  CHECK(out == "{\"id\":\"x\",\"text\":\"w\xC3\xB6rld\",\"score\":3}");
}

TEST_CASE("jsonl.inputs.dirs_globs_sorted") {
  temp_dir d;
  fs::create_directories(d / "dir/sub");
  for (auto n : {"dir/b.jsonl", "dir/a.jsonl", "dir/sub/c.jsonl", "dir/.hidden", "dir/x.tmp", "g2.jsonl", "g1.jsonl"})
    mrtest::write_file(d / n, "{}\n");
  auto files = io::expand_inputs({(d / "g*.jsonl").string(), (d / "dir").string()});
  std::vector<std::string> names;
  for (auto& f : files) names.push_back(fs::relative(f, d.path).string());
  CHECK(names == std::vector<std::string>{"g1.jsonl", "g2.jsonl", "dir/a.jsonl", "dir/b.jsonl", "dir/sub/c.jsonl"});
  CHECK_THROWS_AS(io::expand_inputs({(d / "nothing*.jsonl").string()}), io::input_error);
}

// ---- bad input: each case under fail (error names file:line) and reject (rejects file, counts) --

namespace {
struct bad_case {
  const char* name;
  std::string bytes;        // file content
  const char* ext;
  std::size_t bad_line;     // line the error names
  const char* reason;       // part of the reason
  std::size_t good;         // good records
  std::size_t rejected;     // rejected records
};

void check_bad(const bad_case& bc, io::chunk_options opt = {}) {
  CAPTURE(bc.name);
  temp_dir d;
  const fs::path f = d / (std::string("in") + bc.ext);
  mrtest::write_file(f, bc.bytes);
  try {
    read_json({f}, io::on_bad_record::fail, {}, opt);
    FAIL("no error under on_bad_record::fail");
  } catch (const io::input_error& e) {
    CHECK(e.file() == f.string());
    CHECK(e.line() == bc.bad_line);
    CHECK(e.reason().find(bc.reason) != std::string::npos);
    CHECK(std::string(e.what()).rfind(f.string() + ":" + std::to_string(bc.bad_line) + ": ", 0) == 0);
  }
  auto o = read_json({f}, io::on_bad_record::reject, d / "rejects.jsonl", opt);
  CHECK(o.records.size() == bc.good);
  CHECK(o.rejected == bc.rejected);
  CHECK(o.in == o.records.size() + o.rejected);   // counts add up
  auto rej = lines_of(mrtest::read_file(d / "rejects.jsonl"));
  REQUIRE(rej.size() == bc.rejected);
  CHECK(rej[0].find("\"line\":" + std::to_string(bc.bad_line)) != std::string::npos);
  CHECK(rej[0].find(bc.reason) != std::string::npos);
}
}  // namespace

TEST_CASE("jsonl.bad.invalid_json.fail_and_reject") {
  check_bad({"invalid json", "{\"a\":1}\n{\"a\":\n{\"a\":3}\n", ".jsonl", 2, "invalid JSON", 2, 1});
  check_bad({"not an object", "{\"a\":1}\n[1,2]\n", ".jsonl", 2, "not a JSON object", 1, 1});
  check_bad({"blank line", "{\"a\":1}\n\n{\"a\":3}\n", ".jsonl", 2, "empty line", 2, 1});
}

TEST_CASE("jsonl.bad.invalid_utf8.fail_and_reject") {
  std::string bytes = "{\"a\":\"ok\"}\n{\"a\":\"bad \xC3\x28\"}\n{\"a\":\"ok\"}\n";
  check_bad({"invalid utf8", bytes, ".jsonl", 2, "invalid UTF-8", 2, 1});
  // The rejected bytes are kept exactly (base64, since JSON cannot carry them).
  temp_dir d;
  mrtest::write_file(d / "u.jsonl", bytes);
  read_json({d / "u.jsonl"}, io::on_bad_record::reject, d / "r.jsonl");
  auto rej = mrtest::read_file(d / "r.jsonl");
  std::string b64;
  io::detail::base64_append(b64, "{\"a\":\"bad \xC3\x28\"}");
  CHECK(rej.find("\"raw_base64\":\"" + b64 + "\"") != std::string::npos);
}

TEST_CASE("jsonl.bad.truncated_zst.fail_and_reject") {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "{\"id\":" + std::to_string(i) + ",\"t\":\"some text to compress " + std::to_string(i * 31) + "\"}\n";
  auto z = mrtest::zstd_compress(text);
  temp_dir d;
  mrtest::write_file(d / "t.jsonl.zst", z.substr(0, z.size() * 2 / 3));
  // How many whole lines survive the cut decides the expected line; learn it by reading leniently.
  auto o = read_json({d / "t.jsonl.zst"}, io::on_bad_record::reject, d / "r.jsonl");
  REQUIRE(o.rejected == 1);
  REQUIRE(o.records.size() > 0);
  REQUIRE(o.records.size() < 5000);
  for (std::size_t i = 0; i < o.records.size(); ++i) CHECK(o.records[i].get_int("id") == std::int64_t(i));
  check_bad({"truncated zst", z.substr(0, z.size() * 2 / 3), ".jsonl.zst", o.records.size() + 1,
             "truncated zstd stream", o.records.size(), 1});
}

TEST_CASE("jsonl.bad.missing_field.typed.fail_and_reject") {
  temp_dir d;
  mrtest::write_file(d / "m.jsonl", "{\"id\":\"a\",\"text\":\"x\"}\n{\"id\":\"b\"}\n{\"id\":\"c\",\"text\":[5]}\n{\"id\":\"d\",\"text\":\"y\"}\n");
  std::vector<std::string> names{(d / "m.jsonl").string()};
  auto run = [&](io::on_bad_record p, io::reject_log& log) {
    io::chunk_reader r({d / "m.jsonl"});
    io::text_chunk c;
    std::vector<Doc> docs;
    while (r.next(c))
      for (auto& x : io::settle(io::parse_typed_chunk<Doc>(c, doc_fields), p, log, names)) docs.push_back(x);
    return docs;
  };
  io::reject_log none;
  try {
    run(io::on_bad_record::fail, none);
    FAIL("no error");
  } catch (const io::input_error& e) {
    CHECK(std::string(e.what()) == names[0] + ":2: missing field 'text'");
  }
  io::reject_log log(d / "r.jsonl");
  auto docs = run(io::on_bad_record::reject, log);
  log.commit();
  REQUIRE(docs.size() == 2);
  CHECK(docs[1].id == "d");
  CHECK(log.count() == 2);
  auto rej = lines_of(mrtest::read_file(d / "r.jsonl"));
  REQUIRE(rej.size() == 2);
  CHECK(rej[0].find("missing field 'text'") != std::string::npos);
  CHECK(rej[1].find("field 'text': expected a string") != std::string::npos);
  CHECK(rej[1].find("\"line\":3") != std::string::npos);
}

TEST_CASE("jsonl.bad.empty_file.fail_and_reject") {
  check_bad({"empty file", "", ".jsonl", 0, "empty file", 0, 1});
  check_bad({"empty zst file", "", ".jsonl.zst", 0, "empty file", 0, 1});
  temp_dir d;
  mrtest::write_file(d / "e.jsonl", "");
  io::chunk_reader r({d / "e.jsonl"}, {.empty_file_is_error = false});
  io::text_chunk c;
  CHECK_FALSE(r.next(c));
}

TEST_CASE("jsonl.bad.100MB_single_line.fail_and_reject") {
  // 100 MB on one line, between two good lines: over the 64 MiB default limit. The reader skips it
  // with bounded memory and keeps a prefix for the rejects file.
  std::string big = "{\"text\":\"" + std::string(100u << 20, 'x') + "\"}";
  std::string bytes = "{\"a\":1}\n" + big + "\n{\"a\":2}\n";
  big.clear();
  big.shrink_to_fit();
  check_bad({"100MB line", std::move(bytes), ".jsonl", 2, "line longer than 67108864 bytes", 2, 1});
}

TEST_CASE("jsonl.bad.long_line_limit.small") {
  // The same path with a small limit, at the end of a file without a final newline.
  check_bad({"long last line", "{\"a\":1}\n{\"b\":\"" + std::string(10000, 'y') + "\"}", ".jsonl", 2,
             "line longer than 5000 bytes", 1, 1},
            {.chunk_bytes = 4096, .max_line_bytes = 5000});
}

TEST_CASE("jsonl.bad.many_files.rejects_in_input_order") {
  temp_dir d;
  mrtest::write_file(d / "1.jsonl", "{}\nbad1\n{}\n");
  mrtest::write_file(d / "2.jsonl", "");
  mrtest::write_file(d / "3.jsonl", "bad3\n{}\n");
  auto o = read_json(io::expand_inputs({(d / "*.jsonl").string()}), io::on_bad_record::reject, d / "rej.out");
  CHECK(o.records.size() == 3);
  CHECK(o.rejected == 3);
  auto rej = lines_of(mrtest::read_file(d / "rej.out"));
  REQUIRE(rej.size() == 3);
  CHECK(rej[0].find("1.jsonl\",\"line\":2") != std::string::npos);
  CHECK(rej[1].find("2.jsonl\",\"line\":0,\"reason\":\"empty file\"") != std::string::npos);
  CHECK(rej[2].find("3.jsonl\",\"line\":1") != std::string::npos);
}

TEST_CASE("jsonl.bad.long_line_inside_chunk") {
  // A line over the limit that still fits in one chunk is caught by the parser.
  check_bad({"long line in chunk", "{\"a\":1}\n{\"b\":\"" + std::string(500, 'z') + "\"}\n{\"a\":2}\n", ".jsonl", 2,
             "line longer than 100 bytes", 2, 1},
            {.chunk_bytes = 4096, .max_line_bytes = 100});
}
