// Readers and writers inside real pipelines (oneTBB and serial executors): sharding, manifest,
// zstd, determinism across thread counts, bad input through the run report, resume after a crash.
#include <millrace/io.hpp>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>
#include <mrtest/zstd.hpp>

#include <atomic>
#include <map>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;
using mrtest::temp_dir;

namespace {

struct Doc {
  std::string id;
  std::string text;
};
constexpr auto doc_fields = io::fields(io::field("id", &Doc::id), io::field("text", &Doc::text));

// n JSON lines with ids base.., varied lengths; some ids numeric.
std::string corpus(std::size_t n, std::size_t base) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    const auto k = base + i;
    s += "{\"id\":\"doc" + std::to_string(k) + "\",\"text\":\"" + std::string(k % 97, char('a' + k % 26)) +
         " end\",\"meta\":{\"k\":" + std::to_string(k) + "}}\n";
  }
  return s;
}

// Writes 4 shards (2 plain, 2 zstd) under dir/in and returns their concatenated text.
std::string make_inputs(const fs::path& dir, std::size_t per_file = 2500) {
  fs::create_directories(dir / "in");
  std::string all;
  for (int f = 0; f < 4; ++f) {
    auto text = corpus(per_file, std::size_t(f) * per_file);
    all += text;
    auto name = "shard-" + std::to_string(f) + ".jsonl";
    if (f % 2) mrtest::write_file(dir / "in" / (name + ".zst"), mrtest::zstd_compress(text));
    else mrtest::write_file(dir / "in" / name, text);
  }
  return all;
}

// Every file of a directory, name -> bytes.
std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (auto& e : fs::directory_iterator(dir)) m[e.path().filename().string()] = mrtest::read_file(e.path());
  return m;
}

std::string concat_shards(const fs::path& dir, const io::manifest& m) {
  std::string s;
  for (auto& sh : m.shards) s += mrtest::read_file(dir / sh.file);
  return s;
}

std::string zstd_decompress(const std::string& z) {
  temp_dir d;
  mrtest::write_file(d / "x.zst", z);
  io::byte_source in(d / "x.zst");
  std::string out(1 << 16, '\0'), all;
  while (auto n = in.read(out.data(), out.size())) all.append(out.data(), n);
  REQUIRE(in.error().empty());
  return all;
}

}  // namespace

TEST_CASE("io.jsonl.roundtrip.sharded_by_records.manifest") {
  temp_dir d;
  const auto all = make_inputs(d.path);
  auto r = mr::run(io::read_jsonl({(d / "in").string()}) |
                       io::write_jsonl(d / "out", {.max_records_per_shard = 3000}),
                   mr::cpu{.threads = 2, .batch_size = 512});
  auto m = io::manifest::load(d / "out" / "manifest.json");
  REQUIRE(m);
  CHECK(m->complete);
  REQUIRE(m->shards.size() == 4);   // 10000 records / 3000
  CHECK(m->shards[0].file == "part-00000.jsonl");
  CHECK(m->shards[3].records == 1000);
  CHECK(m->records() == 10000);
  CHECK(concat_shards(d / "out", *m) == all);   // raw bytes unchanged, input order kept
  for (auto& sh : m->shards) {
    auto bytes = mrtest::read_file(d / "out" / sh.file);
    CHECK(sh.file_bytes == bytes.size());
    CHECK(sh.bytes == bytes.size());
    CHECK(sh.xxh3_128 == io::digest128_hex(bytes));
    CHECK(sh.content_xxh3_128 == sh.xxh3_128);
  }
  CHECK(r.records_in() == 10000);
  CHECK(r.records_out() == 10000);
  CHECK(r.rejected() == 0);
  for (auto& e : fs::directory_iterator(d / "out")) CHECK(e.path().extension() != ".tmp");
}

TEST_CASE("io.jsonl.deterministic.serial_1T_2T.zstd_bytes_shards") {
  temp_dir d;
  const auto all = make_inputs(d.path);
  const io::write_options wo{.max_bytes_per_shard = 100000, .zstd = true};
  auto job = [&](const char* out, bool prefetch = true) {
    return io::read_jsonl({(d / "in/*.jsonl*").string()}, {.chunk_bytes = 8192, .prefetch = prefetch}) |
           mr::filter([](const io::json_record& r) { return r.line % 3 != 0; }) | io::write_jsonl(d / out, wo);
  };
  mr::run(job("serial"), mr::serial_executor{.batch_size = 100});
  mr::run(job("t1"), mr::cpu{.threads = 1, .batch_size = 300});
  mr::run(job("t2"), mr::cpu{.threads = 2, .batch_size = 64});
  mr::run(job("t2np", false), mr::cpu{.threads = 2, .batch_size = 64});
  auto a = snapshot(d / "serial");
  CHECK(snapshot(d / "t2np") == a);
  CHECK(a.size() > 3);
  CHECK(snapshot(d / "t1") == a);
  CHECK(snapshot(d / "t2") == a);
  auto m = io::manifest::load(d / "serial" / "manifest.json");
  REQUIRE(m);
  std::string content;
  for (auto& sh : m->shards) {
    CHECK(sh.file.size() > 4);
    CHECK(sh.file.substr(sh.file.size() - 4) == ".zst");
    CHECK(sh.bytes <= 100000);
    auto plain = zstd_decompress(a[sh.file]);
    CHECK(plain.size() == sh.bytes);
    CHECK(io::digest128_hex(plain) == sh.content_xxh3_128);
    CHECK(io::digest128_hex(a[sh.file]) == sh.xxh3_128);
    content += plain;
  }
  // Same records as filtering the input text by line number within each file.
  std::string want;
  std::size_t line = 0, p = 0;
  while (p < all.size()) {
    auto e = all.find('\n', p);
    ++line;
    if (((line - 1) % 2500 + 1) % 3 != 0) want += all.substr(p, e - p + 1);
    p = e + 1;
  }
  CHECK(content == want);
}

TEST_CASE("io.jsonl.typed.read_map_write.2T") {
  temp_dir d;
  make_inputs(d.path, 300);
  std::vector<Doc> got;
  mr::run(io::read_jsonl<Doc>({(d / "in").string()}, doc_fields) |
              mr::map([](Doc x) { x.text = "<" + x.text + ">"; return x; }) |
              mr::inspect([](const Doc&) {}) | io::write_jsonl<Doc>(d / "out", doc_fields),
          mr::cpu{.threads = 2, .batch_size = 50});
  auto back = mr::to_vector(io::read_jsonl<Doc>({(d / "out").string()}, doc_fields), mr::cpu{.threads = 2});
  REQUIRE(back.size() == 1200);
  CHECK(back[0].id == "doc0");
  CHECK(back[0].text == "< end>");
  CHECK(back[1199].id == "doc1199");
  auto first = mrtest::read_file(d / "out" / "part-00000.jsonl");
  CHECK(first.rfind("{\"id\":\"doc0\",\"text\":\"< end>\"}\n", 0) == 0);
}

TEST_CASE("io.jsonl.bad_input.reject.report_counts_add_up.2T") {
  temp_dir d;
  fs::create_directories(d / "in");
  mrtest::write_file(d / "in/a.jsonl", "{\"id\":\"1\",\"text\":\"x\"}\nnot json\n{\"id\":\"2\"}\n{\"id\":\"3\",\"text\":\"y\"}\n");
  mrtest::write_file(d / "in/b.jsonl", "");
  mrtest::write_file(d / "in/c.jsonl", "{\"id\":\"4\",\"text\":\"bad \xFF\"}\n{\"id\":\"5\",\"text\":\"z\"}");
  std::vector<Doc> out;
  auto r = mr::run(io::read_jsonl<Doc>({(d / "in").string()}, doc_fields,
                                       {.policy = io::on_bad_record::reject, .rejects_file = d / "rejects.jsonl"}) |
                       mr::filter([](const Doc& x) { return x.id != "3"; }) | mr::collect(out),
                   mr::cpu{.threads = 2, .batch_size = 2});
  REQUIRE(out.size() == 2);
  CHECK(out[0].id == "1");
  CHECK(out[1].id == "5");
  CHECK(r.records_in() == 7);   // 6 lines + 1 empty file
  CHECK(r.rejected() == 4);
  const std::uint64_t filtered = 1;
  CHECK(r.records_in() == r.records_out() + filtered + r.rejected());
  auto rej = mrtest::read_file(d / "rejects.jsonl");
  CHECK(rej.find("a.jsonl\",\"line\":2,\"reason\":\"invalid JSON") != std::string::npos);
  CHECK(rej.find("a.jsonl\",\"line\":3,\"reason\":\"missing field 'text'") != std::string::npos);
  CHECK(rej.find("b.jsonl\",\"line\":0,\"reason\":\"empty file") != std::string::npos);
  CHECK(rej.find("c.jsonl\",\"line\":1,\"reason\":\"invalid UTF-8") != std::string::npos);
}

TEST_CASE("io.jsonl.bad_input.fail.operator_error_names_file_line.2T") {
  temp_dir d;
  fs::create_directories(d / "in");
  mrtest::write_file(d / "in/a.jsonl", corpus(5000, 0) + "{\"broken\": \n" + corpus(10, 0));
  std::vector<io::json_record> out;
  try {
    mr::run(io::read_jsonl({(d / "in").string()}, {.chunk_bytes = 4096}) | mr::collect(out),
            mr::cpu{.threads = 2, .batch_size = 100});
    FAIL("no error");
  } catch (const mr::operator_error& e) {
    const std::string what = e.what();
    CHECK(what.find((d / "in/a.jsonl").string() + ":5001: invalid JSON") != std::string::npos);
    try {
      std::rethrow_exception(e.original());
    } catch (const io::input_error& ie) {
      CHECK(ie.line() == 5001);
    }
  }
}

TEST_CASE("io.lines_and_csv.roundtrip") {
  temp_dir d;
  fs::create_directories(d / "in");
  mrtest::write_file(d / "in/t.csv", "id,text\n1,\"a, b\"\n2,\"multi\nline\"\n3,\"q\"\"q\"\n");
  mrtest::write_file(d / "in/u.csv", "id,text\n4,plain\n");
  std::vector<io::csv_row> rows;
  mr::run(io::read_csv({(d / "in/*.csv").string()}) | mr::collect(rows), mr::cpu{.threads = 2});
  REQUIRE(rows.size() == 4);
  CHECK(*rows[1].get("text") == "multi\nline");
  CHECK(rows[3].line == 2);
  CHECK(rows[3].get("nope") == nullptr);
  mr::run(mr::from_range(rows) | io::write_csv<io::csv_row>(d / "out"), mr::cpu{.threads = 2});
  CHECK(mrtest::read_file(d / "out/part-00000.csv") == "1,\"a, b\"\n2,\"multi\nline\"\n3,\"q\"\"q\"\n4,plain\n");

  mrtest::write_file(d / "in/l.txt", "one\r\ntwo\n\nthree");
  std::vector<std::string> lines;
  mr::run(io::read_lines({(d / "in/l.txt").string()}) | mr::collect(lines), mr::serial_executor{});
  CHECK(lines == std::vector<std::string>{"one", "two", "", "three"});
  mr::run(mr::from_range(lines) | io::write_lines(d / "lines", {.zstd = true}), mr::serial_executor{});
  CHECK(zstd_decompress(mrtest::read_file(d / "lines/part-00000.txt.zst")) == "one\ntwo\n\nthree\n");
}

TEST_CASE("io.csv.bad_input.unterminated_quote.fail_and_reject") {
  temp_dir d;
  mrtest::write_file(d / "t.csv", "id,text\n1,ok\n2,\"open\n3,never closed\n");
  std::vector<io::csv_row> rows;
  const std::string want = (d / "t.csv").string() + ":3: unterminated quoted field";
  CHECK_THROWS_WITH_AS(mr::run(io::read_csv({(d / "t.csv").string()}) | mr::collect(rows), mr::cpu{.threads = 2}),
                       doctest::Contains(want.c_str()), mr::operator_error);
  rows.clear();
  auto r = mr::run(io::read_csv({(d / "t.csv").string()}, {},
                                {.policy = io::on_bad_record::reject, .rejects_file = d / "rej.jsonl"}) |
                       mr::collect(rows),
                   mr::cpu{.threads = 2});
  CHECK(rows.size() == 1);
  CHECK(r.rejected() == 1);
  CHECK(r.records_in() == r.records_out() + r.rejected());
  CHECK(mrtest::read_file(d / "rej.jsonl").find("\"line\":3,\"reason\":\"unterminated quoted field\"") != std::string::npos);
}

TEST_CASE("io.resume.crash_after_N_then_rerun.byte_identical.2T") {
  temp_dir d;
  make_inputs(d.path, 2000);   // 4 inputs x 2000 records
  const io::write_options wo{.max_records_per_shard = 700, .zstd = true, .resume = true};
  auto job = [&](const fs::path& out, std::atomic<long>* crash_after) {
    return io::read_jsonl({(d / "in").string()}, {.chunk_bytes = 16384, .resume_from = out}) |
           mr::filter([](const io::json_record& r) { return r.line % 5 != 0; }) |
           mr::map([crash_after](io::json_record r) {
             if (crash_after && crash_after->fetch_sub(1) <= 0) throw std::runtime_error("injected crash");
             return r;
           }) |
           io::write_jsonl(out, wo);
  };
  // The reference: one uninterrupted run.
  mr::run(job(d / "ref", nullptr), mr::cpu{.threads = 2, .batch_size = 128});
  const auto want = snapshot(d / "ref");
  CHECK(want.size() == 1 + 4 * 3);   // manifest + 4 inputs x 3 shards (1600 records / 700)

  // Crash partway through the third input, then rerun.
  std::atomic<long> budget{2 * 1600 + 500};
  CHECK_THROWS_WITH_AS(mr::run(job(d / "out", &budget), mr::cpu{.threads = 2, .batch_size = 128}),
                       doctest::Contains("injected crash"), mr::operator_error);
  auto m = io::manifest::load(d / "out" / "manifest.json");
  REQUIRE(m);
  CHECK_FALSE(m->complete);
  REQUIRE(m->inputs.size() >= 1);
  REQUIRE(m->inputs.size() <= 2);
  const auto done = m->inputs.size();
  // Rerun: complete inputs are skipped (the source reads fewer lines), output is byte-identical.
  auto r = mr::run(job(d / "out", nullptr), mr::cpu{.threads = 2, .batch_size = 128});
  CHECK(r.records_in() == (4 - done) * 2000);
  CHECK(snapshot(d / "out") == want);
  // Running a finished job again skips every input and keeps the bytes.
  auto r2 = mr::run(job(d / "out", nullptr), mr::cpu{.threads = 2, .batch_size = 128});
  CHECK(r2.records_in() == 0);
  CHECK(snapshot(d / "out") == want);
}

namespace {
// The report line of the op named so, or null.
const mr::op_report* op_named(const mr::run_report& r, const std::string& name) {
  for (const auto& o : r.ops)
    if (o.name == name) return &o;
  return nullptr;
}
}  // namespace

TEST_CASE("io.readers_and_writers.name.reaches_the_run_report.2T") {
  temp_dir d;
  fs::create_directories(d / "in");
  mrtest::write_file(d / "in/a.jsonl", "{\"id\":\"1\",\"text\":\"x\"}\n{\"id\":\"2\",\"text\":\"y\"}\n");
  mrtest::write_file(d / "in/l.txt", "one\ntwo\nthree\n");
  mrtest::write_file(d / "in/t.csv", "id,text\n1,a\n2,b\n3,c\n4,d\n");
  const std::string jsonl = (d / "in/a.jsonl").string(), txt = (d / "in/l.txt").string(), csv = (d / "in/t.csv").string();

  auto rj = mr::run(io::read_jsonl({jsonl}, {}, "read_train") | io::write_jsonl(d / "o1", {}, "write_train"),
                    mr::cpu{.threads = 2});
  REQUIRE(op_named(rj, "read_train") != nullptr);
  CHECK(op_named(rj, "read_train")->records_out == 2);
  CHECK(op_named(rj, "read_train.parse") != nullptr);
  CHECK(op_named(rj, "read_train.check") != nullptr);
  REQUIRE(op_named(rj, "write_train") != nullptr);
  CHECK(op_named(rj, "write_train")->records_in == 2);
  CHECK(op_named(rj, "read_jsonl") == nullptr);
  CHECK(op_named(rj, "write_jsonl") == nullptr);

  auto rt = mr::run(io::read_jsonl<Doc>({jsonl}, doc_fields, {}, "read_docs") |
                        io::write_jsonl<Doc>(d / "o2", doc_fields, {}, "write_docs"),
                    mr::cpu{.threads = 2});
  CHECK(op_named(rt, "read_docs.check") != nullptr);
  REQUIRE(op_named(rt, "write_docs") != nullptr);
  CHECK(op_named(rt, "write_docs")->records_in == 2);

  auto ra = mr::run(io::read_jsonl_as({jsonl}, [](io::json_line& l) { return l.take_text(); }, {}, "read_as") |
                        io::write_lines(d / "o3", {}, "write_raw"),
                    mr::cpu{.threads = 2});
  CHECK(op_named(ra, "read_as.parse") != nullptr);
  REQUIRE(op_named(ra, "write_raw") != nullptr);
  CHECK(op_named(ra, "write_raw")->records_in == 2);

  auto rl = mr::run(io::read_lines({txt}, {}, "read_txt") | io::write_lines(d / "o4", {}, "write_txt"),
                    mr::cpu{.threads = 2});
  REQUIRE(op_named(rl, "read_txt") != nullptr);
  CHECK(op_named(rl, "read_txt")->records_out == 3);
  CHECK(op_named(rl, "write_txt") != nullptr);

  auto rc = mr::run(io::read_csv({csv}, {}, {}, "read_table") |
                        io::write_csv<io::csv_row>(d / "o5", {}, {}, "write_table"),
                    mr::cpu{.threads = 2});
  REQUIRE(op_named(rc, "read_table") != nullptr);
  CHECK(op_named(rc, "read_table.check") != nullptr);
  REQUIRE(op_named(rc, "write_table") != nullptr);
  CHECK(op_named(rc, "write_table")->records_in == 4);

  // Defaults unchanged.
  auto rd = mr::run(io::read_lines({txt}) | io::write_lines(d / "o6"), mr::serial_executor{});
  CHECK(op_named(rd, "read_lines") != nullptr);
  CHECK(op_named(rd, "write_lines") != nullptr);
}

TEST_CASE("io.csv.write.argument_order_like_read_csv.serial") {
  temp_dir d;
  const std::vector<std::vector<std::string>> rows{{"1", "a;b"}, {"2", "c"}};
  mr::run(mr::from_range(rows) | io::write_csv(d / "new", {.delimiter = ';'}, {.zstd = true}), mr::serial_executor{});
  const std::string want = "1;\"a;b\"\n2;c\n";
  CHECK(zstd_decompress(mrtest::read_file(d / "new/part-00000.csv.zst")) == want);
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
#endif
  const io::write_options wo{.zstd = true};
  mr::run(mr::from_range(rows) | io::write_csv(d / "old", wo, {.delimiter = ';'}), mr::serial_executor{});
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
  CHECK(zstd_decompress(mrtest::read_file(d / "old/part-00000.csv.zst")) == want);
}
