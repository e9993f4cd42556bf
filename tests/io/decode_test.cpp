// The public decode hook (read_jsonl_as, json_line, bad_record, parse_json_line_as): the dedup
// job's front end written with the public API only accepts and rejects exactly the lines its
// io::detail version does, with the same reasons, values and positions.
#include <millrace/io.hpp>
#include <millrace/io/detail/parsed_object.hpp>  // parse_record, for a hand-written decoder

#include <simdjson.h>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>
#include <mrtest/zstd.hpp>

#include <optional>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;
using mrtest::temp_dir;

namespace {

struct doc {
  std::string raw, text, id_json;
  mr::record_position position;
};

// The dedup job's parse_doc as examples/dedup/millrace_dedup.cpp had it (io::detail): the reference.
io::checked<doc> parse_doc_detail(io::raw_line&& l, const std::string& text_field, const std::string& id_field) {
  io::checked<doc> r;
  r.input = l.input;
  r.line = l.line;
  if (!l.error.empty()) {
    r.error = std::move(l.error);
    r.raw = std::move(l.text);
    return r;
  }
  io::detail::parsed_object obj;
  std::string err = io::detail::parse_record(l.text, obj);
  if (err.empty() && obj.dom) {
    std::optional<simdjson::dom::element> text, id;
    for (simdjson::dom::key_value_pair kv : obj.obj) {
      if (kv.key == text_field) text = kv.value;
      if (kv.key == id_field) id = kv.value;
    }
    std::string_view t;
    if (!text || text->get_string().get(t)) err = "no string field \"" + text_field + "\"";
    else {
      r.value.text.assign(t);
      r.value.id_json = id ? simdjson::minify(*id) : "null";
    }
  } else if (err.empty()) {
    io::json_record rec;
    rec.raw = l.text;
    if (auto t = rec.get_string(text_field)) {
      r.value.text = std::move(*t);
      r.value.id_json = rec.get_json(id_field).value_or("null");
    } else {
      err = "no string field \"" + text_field + "\"";
    }
  }
  if (!err.empty()) {
    r.error = std::move(err);
    r.raw = std::move(l.text);
    return r;
  }
  r.value.raw = std::move(l.text);
  return r;
}

// The same with the public API: what the job's decoder is.
struct doc_decoder {
  std::string text_field = "text", id_field = "id";
  doc operator()(io::json_line& l) const {
    auto t = l.get_string(text_field);
    if (!t) throw io::bad_record("no string field \"" + text_field + "\"");
    doc d;
    d.text = std::move(*t);
    d.id_json = l.get_json(id_field).value_or("null");
    d.raw = l.take_text();   // last: zero-copy, and the fields are read already
    return d;
  }
};

io::raw_line line_of(std::string s, std::string error = {}) {
  io::raw_line l;
  l.text.reserve(s.size() + simdjson::SIMDJSON_PADDING);
  l.text = std::move(s);
  l.line = 3;
  l.input = 1;
  l.position = {1, 42};
  l.error = std::move(error);
  return l;
}

const std::vector<std::string> sample_lines = {
    R"({"id":"a","text":"hello"})",
    R"({"id":7,"text":"with \"escapes\" \u00e9 and \n"})",
    R"({"text":"no id"})",
    R"({"id":{"x":[1, 2 ,3]},"text":"object id"})",
    R"({"id":18446744073709551616,"text":"huge id"})",
    R"({"id":"a","text":"huge elsewhere","n":1e400})",
    R"({"id":"a","big":123456789012345678901234567890,"text":"t\u00fc"})",
    R"({"id":1e400})",
    R"({"id":1,"text":5})",
    R"({"text":"first","text":7})",
    R"({"text":7,"text":"last wins"})",
    R"({"text":7,"text":"last wins","n":1e999})",
    R"({"text":"first","text":7,"n":1e999})",
    R"({"id":1,"id":2,"text":"dup id"})",
    "{\"id\":1,\"text\":\"crlf\"}\r",
    R"({"id":1, "text" : "spaces" })",
    R"({broken)",
    R"([1,2])",
    R"("just a string")",
    "",
    "   \t",
    "{\"text\":\"\xff\xfe\"}",
    "{\"text\":\"bad utf8 \xc3\",\"n\":1e400}",
    R"({"text":"unterminated)",
    R"({"id":1,"text":"trailing"} x)",
    R"({"n":123456789012345678901234567890 "text":"missing comma"})",
};

}  // namespace

TEST_CASE("io.decode.dedup_parse_doc.public_api_same_accept_reject_reasons_values") {
  const doc_decoder dec;
  std::size_t good = 0, bad = 0;
  for (const auto& text : sample_lines) {
    CAPTURE(text);
    auto want = parse_doc_detail(line_of(text), "text", "id");
    auto got = io::parse_json_line_as(line_of(text), "f.jsonl", dec);
    CHECK(got.ok() == want.ok());
    CHECK(got.error == want.error);
    CHECK(got.raw == want.raw);
    CHECK(got.line == 3);
    CHECK(got.input == 1);
    CHECK(got.position == mr::record_position{1, 42});
    if (want.ok()) {
      ++good;
      CHECK(got.value.raw == want.value.raw);
      CHECK(got.value.raw == text);   // byte for byte
      CHECK(got.value.text == want.value.text);
      CHECK(got.value.id_json == want.value.id_json);
      CHECK(got.value.position == mr::record_position{1, 42});   // a positioned type gets it
    } else {
      ++bad;
    }
  }
  CHECK(good >= 10);
  CHECK(bad >= 8);
  // Another field name, and a line the reader already marked bad (over-long).
  const doc_decoder other{"body", "key"};
  auto w = parse_doc_detail(line_of(R"({"key":[1],"body":"b"})"), "body", "key");
  auto g = io::parse_json_line_as(line_of(R"({"key":[1],"body":"b"})"), "f.jsonl", other);
  CHECK(g.ok());
  CHECK(g.value.id_json == w.value.id_json);
  auto wl = parse_doc_detail(line_of("xxxx", "line longer than 3 bytes"), "text", "id");
  auto gl = io::parse_json_line_as(line_of("xxxx", "line longer than 3 bytes"), "f.jsonl", dec);
  CHECK(gl.error == wl.error);
  CHECK(gl.raw == wl.raw);
}

TEST_CASE("io.decode.json_line.getters_both_paths.take_text_then_field_is_a_logic_error") {
  for (std::string extra : {"", R"(,"huge":1e400)"}) {
    CAPTURE(extra);
    const std::string text = R"({"s":"x\"y","i":-5,"d":2.5,"b":true,"i":6,"o":{"a":[1]})" + extra + "}";
    auto r = io::parse_json_line_as(line_of(text), "f.jsonl", [](io::json_line& l) {
      CHECK(l.text().size() > 10);
      CHECK(l.file() == "f.jsonl");
      CHECK(l.line() == 3);
      CHECK(l.position() == mr::record_position{1, 42});
      CHECK(l.get_string("s") == std::optional<std::string>("x\"y"));
      CHECK(l.get_int("i") == std::optional<std::int64_t>(6));   // the last occurrence
      CHECK(l.get_double("d") == std::optional<double>(2.5));
      CHECK(l.get_bool("b") == std::optional<bool>(true));
      CHECK(l.get_json("o") == std::optional<std::string>(R"({"a":[1]})"));
      CHECK(!l.get_string("i"));
      CHECK(!l.get_string("nope"));
      CHECK(l.has("o"));
      CHECK(!l.has("nope"));
      struct S { std::string s; std::int64_t i = 0; } v;
      CHECK(l.decode(io::fields(io::field("s", &S::s), io::field("i", &S::i)), v).empty());
      CHECK(v.i == 6);
      CHECK(l.decode(io::fields(io::field("zz", &S::s)), v) == "missing field 'zz'");
      std::string raw = l.take_text();
      CHECK_THROWS_AS(l.get_string("s"), std::logic_error);
      return raw;
    });
    REQUIRE(r.ok());
    CHECK(r.value == text);
    if (!extra.empty()) {
      auto h = io::parse_json_line_as(line_of(text), "f.jsonl", [](io::json_line& l) { return l.get_json("huge").value_or("?"); });
      CHECK(h.value == "1e400");
    }
  }
}

TEST_CASE("io.decode.read_jsonl_as.pipeline_same_rejects_and_records_as_detail_front_end.2T") {
  temp_dir d;
  std::string text;
  for (int i = 0; i < 300; ++i) text += sample_lines[std::size_t(i) % sample_lines.size()] + "\n";
  mrtest::write_file(d / "a.jsonl", text);
  mrtest::write_file(d / "b.jsonl.zst", mrtest::zstd_compress(text));
  const std::vector<std::string> inputs{(d / "a.jsonl").string(), (d / "b.jsonl.zst").string()};
  auto ro = io::read_options{.policy = io::on_bad_record::reject, .max_rejects = {.max = 0}};

  // The job's front end as it was built from io::detail.
  ro.rejects_file = d / "want.rejects.jsonl";
  auto in = std::make_shared<const io::detail::input_set>(inputs);
  auto front = mr::source(io::detail::line_source(in, ro), "read") |
               mr::batch_map(
                   [](std::vector<io::raw_line>&& b) {
                     std::vector<io::checked<doc>> out;
                     for (auto& l : b) out.push_back(parse_doc_detail(std::move(l), "text", "id"));
                     return out;
                   },
                   "parse") |
               mr::stage(io::detail::settle_stage<doc>(in, ro), "check");
  std::vector<doc> want;
  auto wrep = mr::run(front | mr::collect(want), mr::cpu{.threads = 2, .batch_size = 17});

  ro.rejects_file = d / "got.rejects.jsonl";
  std::vector<doc> got;
  auto grep = mr::run(io::read_jsonl_as(inputs, doc_decoder{}, ro) | mr::collect(got), mr::cpu{.threads = 2, .batch_size = 17});
  CHECK(grep.rejected() == wrep.rejected());
  CHECK(grep.rejected() > 0);
  CHECK(grep.find("read_jsonl")->records_out == wrep.find("read")->records_out);
  CHECK(mrtest::read_file(d / "got.rejects.jsonl") == mrtest::read_file(d / "want.rejects.jsonl"));
  REQUIRE(got.size() == want.size());
  for (std::size_t i = 0; i < got.size(); ++i) {
    CHECK(got[i].raw == want[i].raw);
    CHECK(got[i].text == want[i].text);
    CHECK(got[i].id_json == want[i].id_json);
    if (i > 0) CHECK(want[i - 1].position < got[i].position);   // the reference has no positions; ours increase
  }
  // Fail policy: the first bad line, file:line.
  try {
    mr::run(io::read_jsonl_as(inputs, doc_decoder{}) | mr::sink([](doc&&) {}), mr::serial_executor{});
    FAIL("expected an error");
  } catch (const mr::operator_error& e) {
    CHECK(std::string(e.what()).find((d / "a.jsonl").string() + ":8: no string field \"text\"") != std::string::npos);
  }
  // A decoder bug (another exception) fails the run even under the reject policy.
  CHECK_THROWS_AS(mr::run(io::read_jsonl_as(inputs, [](io::json_line&) -> int { throw std::runtime_error("bug"); }, ro) |
                              mr::sink([](int) {}),
                          mr::serial_executor{}),
                  mr::operator_error);
}
