// Bad input found by an adversarial user: special files in input directories, streams that never
// send a newline, numbers simdjson cannot hold, duplicate keys, CRLF, empty .zst content,
// directories holding a (possibly incomplete) millrace output, file names that are not UTF-8.
#include <millrace/io.hpp>

#include <simdjson.h>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>
#include <mrtest/zstd.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <thread>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;
using mrtest::temp_dir;

namespace {

// Every chunk of the files, in order.
std::vector<io::text_chunk> all_chunks(const std::vector<fs::path>& files, io::chunk_options opt = {}) {
  io::chunk_reader r(files, opt);
  std::vector<io::text_chunk> out;
  io::text_chunk c;
  while (r.next(c)) out.push_back(c);
  return out;
}

// Records and rejects of a read_jsonl run under the reject policy.
struct run_result {
  std::vector<io::json_record> records;
  std::vector<std::string> rejects;   // lines of the rejects file
};
run_result read_rejecting(const std::vector<std::string>& inputs, const fs::path& rejects, io::read_options ro = {}) {
  ro.policy = io::on_bad_record::reject;
  ro.rejects_file = rejects;
  run_result r;
  mr::run(io::read_jsonl(inputs, ro) | mr::collect(r.records), mr::serial_executor{});
  const std::string text = mrtest::read_file(rejects);
  for (std::size_t p = 0; p < text.size();) {
    auto e = text.find('\n', p);
    if (e == std::string::npos) e = text.size();
    r.rejects.push_back(text.substr(p, e - p));
    p = e + 1;
  }
  return r;
}

bool valid_json(const std::string& s) {
  simdjson::dom::parser p;
  simdjson::dom::element el;
  return p.parse(s).get(el) == simdjson::SUCCESS;
}

}  // namespace

// ---- 2. a line that never ends -----------------------------------------------------------------

TEST_CASE("edge.long_line.reported_when_the_limit_is_reached") {
  // 10 MB without a newline, limit 64 KiB: the error comes out long before the reader gets to
  // the end of the line, with a bounded prefix; reading resumes after the next newline.
  temp_dir d;
  const std::string big(10u << 20, 'x');
  mrtest::write_file(d / "a.jsonl", "{\"a\":1}\n" + big + "\n{\"a\":2}\n");
  io::chunk_options opt{.chunk_bytes = 64 << 10, .max_line_bytes = 64 << 10};
  io::chunk_reader r({d / "a.jsonl"}, opt);
  io::text_chunk c;
  std::vector<std::string> records;
  bool saw_error = false;
  while (r.next(c)) {
    if (!c.error.empty()) {
      CHECK_FALSE(saw_error);
      saw_error = true;
      CHECK(c.error == "line longer than 65536 bytes");
      CHECK(c.first_line == 2);
      CHECK(c.lines == 1);
      CHECK(c.data.size() <= opt.reject_prefix_bytes);
      CHECK(c.data == std::string(c.data.size(), 'x'));
      CHECK(r.file_bytes() < 1u << 20);   // reported well before the line's 10 MB were read
      continue;
    }
    for (auto& x : io::parse_json_chunk(c, "a.jsonl")) {
      REQUIRE(x.ok());
      records.push_back(x.value.raw + "@" + std::to_string(x.line));
    }
  }
  CHECK(saw_error);
  CHECK(records == std::vector<std::string>{"{\"a\":1}@1", "{\"a\":2}@3"});
}

TEST_CASE("edge.long_line.no_newline_ever.file_of_10MB") {
  // 10 MB of 'x' and no newline at all, through the pipeline with the reject policy.
  temp_dir d;
  mrtest::write_file(d / "x.jsonl", std::string(10u << 20, 'x'));
  auto r = read_rejecting({(d / "x.jsonl").string()}, d / "rej.jsonl", {.max_line_bytes = 64 << 10});
  CHECK(r.records.empty());
  REQUIRE(r.rejects.size() == 1);
  CHECK(r.rejects[0].find("\"line\":1,\"reason\":\"line longer than 65536 bytes\"") != std::string::npos);
  CHECK(r.rejects[0].size() < 5000);   // the raw prefix is bounded (4 KiB)
}

TEST_CASE("edge.long_line.dev_zero_ends") {
  // An endless stream without newlines: the over-long line is reported, then the reader gives up
  // on the rest of the file after max_skip_bytes instead of reading forever.
  if (!fs::exists("/dev/zero")) return;
  auto chunks = all_chunks({"/dev/zero"}, {.chunk_bytes = 64 << 10, .max_line_bytes = 64 << 10,
                                           .max_skip_bytes = 8u << 20});
  REQUIRE(chunks.size() == 2);
  CHECK(chunks[0].error == "line longer than 65536 bytes");
  CHECK(chunks[0].first_line == 1);
  CHECK(chunks[0].lines == 1);
  CHECK(chunks[0].data.size() <= 4096);
  CHECK(chunks[1].error.find("no newline within") != std::string::npos);
  CHECK(chunks[1].error.find("rest of the file not read") != std::string::npos);
  CHECK(chunks[1].lines == 0);
  // The same through read_jsonl (default max_skip_bytes, 1 GiB of /dev/zero): the run ends with
  // two rejects and the counts add up.
  temp_dir d;
  auto r = read_rejecting({"/dev/zero"}, d / "rej.jsonl", {.max_line_bytes = 64 << 10});
  CHECK(r.records.empty());
  REQUIRE(r.rejects.size() == 2);
  CHECK(r.rejects[0].find("line longer than 65536 bytes") != std::string::npos);
  CHECK(r.rejects[1].find("rest of the file not read") != std::string::npos);
  CHECK(r.rejects[0].size() < 30000);   // a 4 KiB prefix of NUL bytes, each escaped as \u0000
}

// ---- streams named explicitly ------------------------------------------------------------------

TEST_CASE("edge.fifo_named_explicitly.read_as_a_stream") {
  // A FIFO can't be rewound: the bytes sniffed for the zstd magic number must not be lost.
  temp_dir d;
  const fs::path fifo = d / "in.jsonl";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread writer([&] {
    std::FILE* f = std::fopen(fifo.c_str(), "wb");
    if (!f) return;
    std::fputs("{\"a\":1}\n{\"a\":2}\n", f);
    std::fclose(f);
  });
  auto chunks = all_chunks({fifo});
  writer.join();
  std::string data;
  for (auto& c : chunks) {
    CHECK(c.error.empty());
    data += c.data;
  }
  CHECK(data == "{\"a\":1}\n{\"a\":2}\n");
}

// ---- 5. empty content: plain and .zst alike -----------------------------------------------------

TEST_CASE("edge.empty_content.plain_and_zst_alike") {
  temp_dir d;
  mrtest::write_file(d / "plain.jsonl", "");
  mrtest::write_file(d / "frame.jsonl.zst", mrtest::zstd_compress(""));            // a valid, empty frame
  mrtest::write_file(d / "frames.jsonl.zst", mrtest::zstd_compress("") + mrtest::zstd_compress(""));
  mrtest::write_file(d / "renamed.jsonl", mrtest::zstd_compress(""));              // found by magic number
  for (const char* name : {"plain.jsonl", "frame.jsonl.zst", "frames.jsonl.zst", "renamed.jsonl"}) {
    CAPTURE(name);
    auto chunks = all_chunks({d / name});
    REQUIRE(chunks.size() == 1);
    CHECK(chunks[0].error == "empty file");
    CHECK(chunks[0].first_line == 0);
    CHECK(all_chunks({d / name}, {.empty_file_is_error = false}).empty());
  }
  // A .zst holding one line is not empty.
  mrtest::write_file(d / "one.jsonl.zst", mrtest::zstd_compress("{}\n"));
  auto chunks = all_chunks({d / "one.jsonl.zst"});
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].error.empty());
  CHECK(chunks[0].data == "{}\n");
}

// ---- 1. special files inside input directories ---------------------------------------------------

namespace {
// The input_error expand_inputs throws for these entries (fails the test if none).
io::input_error expand_error(const std::vector<std::string>& entries) {
  try {
    io::expand_inputs(entries);
  } catch (const io::input_error& e) {
    return e;
  }
  FAIL("expand_inputs did not throw");
  return io::input_error("", 0, "");
}
}  // namespace

TEST_CASE("edge.inputs.special_files_in_a_directory_are_errors") {
  temp_dir d;
  fs::create_directories(d / "in");
  mrtest::write_file(d / "in/a.jsonl", "{}\n");
  const std::string dir = (d / "in").string();
  SUBCASE("FIFO") {
    // Listed, never opened: opening a FIFO without a writer would block forever.
    REQUIRE(::mkfifo((d / "in/b.jsonl").c_str(), 0600) == 0);
    auto e = expand_error({dir});
    CHECK(e.file() == (d / "in/b.jsonl").string());
    CHECK(e.line() == 0);
    CHECK(e.reason() == "not a regular file (FIFO)");
    e = expand_error({(d / "in/*.jsonl").string()});   // a glob meets it too
    CHECK(e.reason() == "not a regular file (FIFO)");
  }
  SUBCASE("dangling symbolic link") {
    fs::create_symlink(d / "nowhere.jsonl", d / "in/b.jsonl");
    auto e = expand_error({dir});
    CHECK(e.file() == (d / "in/b.jsonl").string());
    CHECK(e.reason() == "not a regular file (dangling symbolic link)");
  }
  SUBCASE("socket") {
    const fs::path sp = d / "in/s.sock";
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    REQUIRE(sp.string().size() < sizeof addr.sun_path);
    std::memcpy(addr.sun_path, sp.c_str(), sp.string().size());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    auto e = expand_error({dir});
    ::close(fd);
    CHECK(e.file() == sp.string());
    CHECK(e.reason() == "not a regular file (socket)");
  }
  SUBCASE("character device (a link to /dev/null)") {
    fs::create_symlink("/dev/null", d / "in/null.jsonl");
    auto e = expand_error({dir});
    CHECK(e.file() == (d / "in/null.jsonl").string());
    CHECK(e.reason() == "not a regular file (character device)");
  }
  SUBCASE("link to a regular file is read; hidden and temporary names are skipped") {
    mrtest::write_file(d / "target.jsonl", "{}\n");
    fs::create_symlink(d / "target.jsonl", d / "in/b.jsonl");
    REQUIRE(::mkfifo((d / "in/.part-00000.jsonl.0123456789abcdef.tmp").c_str(), 0600) == 0);
    REQUIRE(::mkfifo((d / "in/c.jsonl.tmp").c_str(), 0600) == 0);
    auto files = io::expand_inputs({dir});
    REQUIRE(files.size() == 2);
    CHECK(files[0] == d / "in/a.jsonl");
    CHECK(files[1] == d / "in/b.jsonl");
  }
}

TEST_CASE("edge.inputs.character_device_named_explicitly_is_a_stream") {
  auto files = io::expand_inputs({"/dev/null"});
  REQUIRE(files.size() == 1);
  auto chunks = all_chunks(files);
  REQUIRE(chunks.size() == 1);
  CHECK(chunks[0].error == "empty file");
}

// ---- 6. directories holding a millrace output ------------------------------------------------------

namespace {
std::string manifest_text(bool complete, const std::vector<std::string>& shards) {
  std::string s = "{\n  \"format\": \"millrace-manifest-1\",\n  \"complete\": ";
  s += complete ? "true" : "false";
  s += ",\n  \"records\": 1,\n  \"shards\": [";
  for (std::size_t i = 0; i < shards.size(); ++i)
    s += std::string(i ? "," : "") + "\n    {\"file\": \"" + shards[i] +
         "\", \"records\": 1, \"bytes\": 3, \"file_bytes\": 3, \"xxh3_128\": \"0\", \"content_xxh3_128\": \"0\"}";
  s += "]";
  if (!complete) s += ",\n  \"owned\": []";
  return s + "\n}\n";
}
}  // namespace

TEST_CASE("edge.inputs.complete_manifest_lists_the_files") {
  temp_dir d;
  fs::create_directories(d / "root/out/sub");
  mrtest::write_file(d / "root/a.jsonl", "{}\n");
  mrtest::write_file(d / "root/out-x.jsonl", "{}\n");
  mrtest::write_file(d / "root/z.jsonl", "{}\n");
  for (auto n : {"part-00000.jsonl", "part-00001.jsonl", "part-00002.jsonl", "report.json", "sub/x.jsonl"})
    mrtest::write_file(d / "root/out" / n, "{}\n");
  mrtest::write_file(d / "root/out/manifest.json", manifest_text(true, {"part-00000.jsonl", "part-00001.jsonl"}));
  auto rel = [&](const std::vector<fs::path>& files) {
    std::vector<std::string> v;
    for (auto& f : files) v.push_back(fs::relative(f, d.path).string());
    return v;
  };
  // Below a directory and named directly: only the listed shards, in the manifest's order.
  CHECK(rel(io::expand_inputs({(d / "root").string()})) ==
        std::vector<std::string>{"root/a.jsonl", "root/out-x.jsonl", "root/out/part-00000.jsonl",
                                 "root/out/part-00001.jsonl", "root/z.jsonl"});
  CHECK(rel(io::expand_inputs({(d / "root/out").string()})) ==
        std::vector<std::string>{"root/out/part-00000.jsonl", "root/out/part-00001.jsonl"});
  // A listed shard that is missing.
  mrtest::write_file(d / "root/out/manifest.json", manifest_text(true, {"part-00000.jsonl", "part-00009.jsonl"}));
  auto e = expand_error({(d / "root").string()});
  CHECK(e.file() == (d / "root/out/part-00009.jsonl").string());
  CHECK(e.reason().find("missing") != std::string::npos);
  // Someone else's manifest.json: an ordinary directory (the manifest itself is not data).
  mrtest::write_file(d / "root/out/manifest.json", "{\"version\": 2}\n");
  CHECK(io::expand_inputs({(d / "root/out").string()}).size() == 5);
}

TEST_CASE("edge.inputs.incomplete_manifest_is_refused") {
  temp_dir d;
  fs::create_directories(d / "root/out");
  mrtest::write_file(d / "root/a.jsonl", "{}\n");
  mrtest::write_file(d / "root/out/part-00000.jsonl", "{}\n");
  mrtest::write_file(d / "root/out/manifest.json", manifest_text(false, {"part-00000.jsonl"}));
  for (const fs::path& entry : {d / "root", d / "root/out"}) {
    auto e = expand_error({entry.string()});
    CHECK(e.file() == (d / "root/out").string());
    CHECK(e.line() == 0);
    CHECK(e.reason() ==
          "holds the output of an incomplete run (manifest.json: complete false); rerun that job, or name the "
          "files explicitly");
  }
  // Named explicitly, its files are read.
  CHECK(io::expand_inputs({(d / "root/out/part-00000.jsonl").string()}).size() == 1);
}

TEST_CASE("edge.inputs.writer_output_read_back") {
  // What write_jsonl leaves (shards + manifest) plus a report next to them: reading the folder
  // gives back exactly the records written.
  temp_dir d;
  std::string in;
  for (int i = 0; i < 30; ++i) in += "{\"id\":" + std::to_string(i) + "}\n";
  mrtest::write_file(d / "in.jsonl", in);
  mr::run(io::read_jsonl({(d / "in.jsonl").string()}) |
              io::write_jsonl(d / "out", {.max_records_per_shard = 7}),
          mr::serial_executor{});
  mrtest::write_file(d / "out/report.json", "{\"records\": 30}\n");
  std::vector<io::json_record> back;
  mr::run(io::read_jsonl({(d / "out").string()}) | mr::collect(back), mr::serial_executor{});
  std::string text;
  for (auto& r : back) text += r.raw + "\n";
  CHECK(text == in);
}

// ---- 3. numbers simdjson cannot hold; duplicate keys ---------------------------------------------

namespace {
struct IdDoc {
  std::string id;
  std::optional<std::string> other;
  std::optional<double> x;
};
constexpr auto id_fields =
    io::fields(io::field("id", &IdDoc::id), io::field("other", &IdDoc::other), io::field("x", &IdDoc::x));

io::raw_line line_of(std::string s) {
  io::raw_line l;
  l.text = std::move(s);
  l.line = 1;
  return l;
}
}  // namespace

TEST_CASE("edge.json.huge_numbers_are_valid_json") {
  for (std::string id : {"18446744073709551616", "1000000000000000000000000000000", "-99999999999999999999"}) {
    CAPTURE(id);
    const std::string text = "{\"id\":" + id + ",\"text\":\"t\",\"big\":[1e400,{\"k\":" + id + "}]}";
    auto r = io::parse_json_line(line_of(text), "a.jsonl");
    REQUIRE(r.ok());
    CHECK(r.value.raw == text);
    CHECK(r.value.get_string("text") == std::optional<std::string>("t"));
    CHECK(r.value.get_json("id") == std::optional<std::string>(id));   // the number's text, as written
    CHECK(r.value.get_json("big") == std::optional<std::string>("[1e400,{\"k\":" + id + "}]"));
    CHECK_FALSE(r.value.get_int("id").has_value());
    // Typed: a string member keeps the integer's text.
    auto t = io::parse_typed_line<IdDoc>(line_of(text), id_fields);
    REQUIRE(t.ok());
    CHECK(t.value.id == id);
  }
  {
    auto r = io::parse_json_line(line_of("{\"x\": 1e400}"), "a.jsonl");
    REQUIRE(r.ok());
    CHECK(r.value.get_json("x") == std::optional<std::string>("1e400"));
    auto t = io::parse_typed_line<IdDoc>(line_of("{\"id\": \"a\", \"x\": 1e400}"), id_fields);
    CHECK(t.error == "field 'x': expected a number in range");
    t = io::parse_typed_line<IdDoc>(line_of("{\"id\": 1e400}"), id_fields);
    CHECK(t.error == "field 'id': expected a string");
    t = io::parse_typed_line<IdDoc>(line_of("{\"id\": [18446744073709551616]}"), id_fields);
    CHECK(t.error == "field 'id': expected a string");
    t = io::parse_typed_line<IdDoc>(line_of("{\"x\": 18446744073709551616}"), id_fields);
    CHECK(t.error == "missing field 'id'");
  }
  // Still invalid: bad numbers, bad grammar around a huge number, invalid UTF-8, not an object.
  for (const char* bad : {"{\"id\": 01}", "{\"id\": 1.}", "{\"id\": 18446744073709551616,}", "{\"id\": -}",
                          "{\"id\": 18446744073709551616 \"x\"}", "{\"id\": 1e400, \"s\": \"\x01\"}"}) {
    CAPTURE(bad);
    auto r = io::parse_json_line(line_of(bad), "a.jsonl");
    CHECK(r.error.rfind("invalid JSON: ", 0) == 0);
  }
  CHECK(io::parse_json_line(line_of("{\"id\": 1e400, \"s\": \"\xff\"}"), "a.jsonl").error == "invalid UTF-8");
  CHECK(io::parse_json_line(line_of("[18446744073709551616]"), "a.jsonl").error == "not a JSON object");
  CHECK(io::parse_json_line(line_of("18446744073709551616"), "a.jsonl").error == "not a JSON object");
}

TEST_CASE("edge.json.duplicate_keys.last_wins") {
  const std::string text = "{\"id\":\"first\",\"n\":1,\"id\":\"last\",\"n\":2,\"o\":{\"a\":1},\"o\":[2]}";
  auto r = io::parse_json_line(line_of(text), "a.jsonl");
  REQUIRE(r.ok());
  CHECK(r.value.get_string("id") == std::optional<std::string>("last"));
  CHECK(r.value.get_int("n") == std::optional<std::int64_t>(2));
  CHECK(r.value.get_json("o") == std::optional<std::string>("[2]"));
  // The last occurrence wins even when it has another type.
  auto mixed = io::parse_json_line(line_of("{\"id\":\"s\",\"id\":5}"), "a.jsonl");
  REQUIRE(mixed.ok());
  CHECK_FALSE(mixed.value.get_string("id").has_value());
  CHECK(mixed.value.get_int("id") == std::optional<std::int64_t>(5));
  auto t = io::parse_typed_line<IdDoc>(line_of(text), id_fields);
  REQUIRE(t.ok());
  CHECK(t.value.id == "last");
  // The same on the path for huge numbers.
  const std::string big = "{\"id\":\"first\",\"x\":1e400,\"id\":18446744073709551616}";
  r = io::parse_json_line(line_of(big), "a.jsonl");
  REQUIRE(r.ok());
  CHECK(r.value.get_json("id") == std::optional<std::string>("18446744073709551616"));
  t = io::parse_typed_line<IdDoc>(line_of("{\"id\":\"first\",\"z\":1e400,\"id\":\"last\"}"), id_fields);
  REQUIRE(t.ok());
  CHECK(t.value.id == "last");
}

TEST_CASE("edge.json.check_grammar") {
  using millrace::json::check_grammar;
  for (const char* ok : {"{}", " [ ] ", "0", "-0.5e-7", "1E+400", "\"\\ud83d\\ude00 \\/ \\n\"", "[true,false,null]",
                         "{\"a\":{\"b\":[1,2,{\"c\":\"d\"}]}}\r"})
    CHECK_MESSAGE(check_grammar(ok).empty(), ok);
  for (const char* bad : {"", "{", "[1,]", "{\"a\" 1}", "{a:1}", "01", "1.", ".5", "+1", "1e", "\"\\x\"", "\"\\ud83d\"",
                          "tru", "nul", "[1] [2]", "\"a\tb\"", "NaN", "Infinity"})
    CHECK_MESSAGE(!check_grammar(bad).empty(), bad);
  CHECK(!check_grammar(std::string(2000, '[') + std::string(2000, ']')).empty());   // too deep, no crash
  std::vector<millrace::json::member_text> m;
  CHECK(check_grammar("{\"a\\u0062\": 12345678901234567890123 , \"c\":[1, 2]}", &m).empty());
  REQUIRE(m.size() == 2);
  CHECK(m[0].key == "ab");
  CHECK(m[0].value == "12345678901234567890123");
  CHECK(m[1].value == "[1, 2]");
}

// ---- 4. CRLF: JSONL records keep their bytes, plain lines drop the CR -----------------------------

TEST_CASE("edge.crlf.jsonl_raw_keeps_the_cr") {
  temp_dir d;
  const std::string bytes = "{\"a\":1}\r\n{\"a\":2}\r\n\r\n{\"a\":3}\r";
  mrtest::write_file(d / "c.jsonl", bytes);
  auto r = read_rejecting({(d / "c.jsonl").string()}, d / "rej.jsonl");
  REQUIRE(r.records.size() == 3);
  CHECK(r.records[0].raw == "{\"a\":1}\r");
  CHECK(r.records[1].raw == "{\"a\":2}\r");
  CHECK(r.records[2].raw == "{\"a\":3}\r");
  CHECK(r.records[2].get_int("a") == std::optional<std::int64_t>(3));
  REQUIRE(r.rejects.size() == 1);   // the CR-only line is a blank line
  CHECK(r.rejects[0].find("\"line\":3,\"reason\":\"empty line (not a JSON object)\"") != std::string::npos);
  // Written back byte for byte (each record and its newline).
  mr::run(io::read_jsonl({(d / "c.jsonl").string()}, {.policy = io::on_bad_record::reject}) |
              io::write_jsonl(d / "out"),
          mr::serial_executor{});
  CHECK(mrtest::read_file(d / "out/part-00000.jsonl") == "{\"a\":1}\r\n{\"a\":2}\r\n{\"a\":3}\r\n");
  // Plain lines: newline and trailing CR removed, as documented.
  std::vector<std::string> lines;
  mr::run(io::read_lines({(d / "c.jsonl").string()}) | mr::collect(lines), mr::serial_executor{});
  CHECK(lines == std::vector<std::string>{"{\"a\":1}", "{\"a\":2}", "", "{\"a\":3}"});
}

// ---- 7. file names that are not UTF-8 --------------------------------------------------------------

TEST_CASE("edge.json.append_quoted_never_writes_invalid_utf8") {
  const std::string name = "bad\xff" "name\xc3" ".jsonl";   // 0xff, and a cut two-byte sequence
  const std::string q = millrace::json::quote(name);
  CHECK(valid_json(q));
  CHECK(q == "\"bad\xEF\xBF\xBDname\xEF\xBF\xBD.jsonl\"");
  // Valid UTF-8 passes through; overlong forms and surrogates do not.
  CHECK(millrace::json::quote("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80") == "\"\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80\"");
  CHECK(millrace::json::quote("\xC0\xAF") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(millrace::json::quote("\xED\xA0\x80") == "\"\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD\"");
  CHECK(valid_json(millrace::json::quote(std::string("\x00\x1f\x7f\x80\xbf\xf5", 6))));
}

TEST_CASE("edge.rejects_file_valid_json_for_a_non_utf8_file_name") {
  temp_dir d;
  const fs::path f = d / "in\xff.jsonl";
  mrtest::write_file(f, "{}\nnot json\n");
  auto r = read_rejecting({f.string()}, d / "rej.jsonl");
  CHECK(r.records.size() == 1);
  REQUIRE(r.rejects.size() == 1);
  CHECK(valid_json(r.rejects[0]));
  CHECK(r.rejects[0].find("in\xEF\xBF\xBD.jsonl") != std::string::npos);
}

TEST_CASE("edge.no_input_matches.message_has_no_line_number") {
  const std::string pattern = (fs::temp_directory_path() / "millrace-no-such-dir-7d1e" / "*.jsonl").string();
  try {
    (void)io::expand_inputs({pattern});
    FAIL("expand_inputs accepted a pattern that matches nothing");
  } catch (const io::input_error& e) {
    CHECK(std::string(e.what()) == pattern + ": no input file matches");
    CHECK(e.line() == 0);
    CHECK(e.file() == pattern);
  }
}
