// The stage rule for io: a stage object is its configuration plus the state of one run, and
// mr::run works on a copy, so running the same pipeline object twice gives the same result twice
// (every reader reads all its input again; every writer rewrites its output directory the same
// way; a rejects file is written again, the rejected count is the same).
#include <millrace/io.hpp>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>
#include <mrtest/zstd.hpp>

#include <map>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;
using mrtest::temp_dir;

namespace {

struct Doc {
  std::string id, text;
  friend bool operator==(const Doc&, const Doc&) = default;
};
constexpr auto doc_fields = io::fields(io::field("id", &Doc::id), io::field("text", &Doc::text));

std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (auto& e : fs::directory_iterator(dir)) m[e.path().filename().string()] = mrtest::read_file(e.path());
  return m;
}

// Inputs: two JSONL files (one zstd) with a bad line each, and a CSV file.
struct inputs {
  temp_dir d;
  std::vector<std::string> jsonl, csv;
  inputs() {
    std::string a, b;
    for (int i = 0; i < 500; ++i) a += "{\"id\":\"a" + std::to_string(i) + "\",\"text\":\"t" + std::to_string(i % 13) + "\"}\n";
    a += "{bad\n";
    for (int i = 0; i < 300; ++i) b += "{\"id\":\"b" + std::to_string(i) + "\",\"text\":\"u\"}\n";
    b += "[1]\n";
    mrtest::write_file(d / "a.jsonl", a);
    mrtest::write_file(d / "b.jsonl.zst", mrtest::zstd_compress(b));
    mrtest::write_file(d / "c.csv", "k,v\n1,x\n2,\"y,z\"\n3,w\n");
    jsonl = {(d / "a.jsonl").string(), (d / "b.jsonl.zst").string()};
    csv = {(d / "c.csv").string()};
  }
};

const io::write_options small_shards{.max_records_per_shard = 128};

// Runs p twice (records into out each time) and checks that both runs saw the same records and
// rejected as many, and that the rejects file and output directory (if any) are the same.
template <class P, class T>
void twice(const P& p, std::vector<T>& out, const mr::cpu& exec, const fs::path& rejects = {}, const fs::path& dir = {}) {
  auto r1 = mr::run(p, exec);
  const auto first = out;
  const auto rej1 = rejects.empty() ? std::string() : mrtest::read_file(rejects);
  const auto dir1 = dir.empty() ? std::map<std::string, std::string>() : snapshot(dir);
  out.clear();
  if (!rejects.empty()) fs::remove(rejects);
  auto r2 = mr::run(p, exec);
  CHECK(!first.empty());
  CHECK(out == first);
  CHECK(r2.rejected() == r1.rejected());
  CHECK(r2.records_out() == r1.records_out());
  if (!rejects.empty()) {
    CHECK(!rej1.empty());
    CHECK(mrtest::read_file(rejects) == rej1);
  }
  if (!dir.empty()) {
    CHECK(dir1.count("manifest.json") == 1);
    CHECK(snapshot(dir) == dir1);
  }
}

}  // namespace

TEST_CASE("io.rerun.readers.read_jsonl_typed_as_lines_csv_parts.same_records_twice.serial_2T") {
  inputs in;
  const auto rejects = in.d / "rejects.jsonl";
  const io::read_options ro{.policy = io::on_bad_record::reject, .rejects_file = rejects, .parallel_files = 2};
  for (const mr::cpu exec : {mr::cpu{.threads = 1}, mr::cpu{.threads = 2, .batch_size = 64}}) {
    {
      std::vector<std::string> raws;
      auto p = io::read_jsonl(in.jsonl, ro) | mr::map([](io::json_record r) { return r.raw; }) | mr::collect(raws);
      twice(p, raws, exec, rejects);
    }
    {
      std::vector<Doc> docs;
      auto p = io::read_jsonl<Doc>(in.jsonl, doc_fields, ro) | mr::collect(docs);
      twice(p, docs, exec, rejects);
    }
    {
      std::vector<std::string> ids;
      auto p = io::read_jsonl_as(in.jsonl, [](io::json_line& l) { return l.get_string("id").value_or("-"); }, ro) |
               mr::collect(ids);
      twice(p, ids, exec, rejects);
    }
    {
      std::vector<std::string> lines;
      auto p = io::read_lines(in.jsonl, ro) | mr::collect(lines);
      twice(p, lines, exec);
    }
    {
      std::vector<std::vector<std::string>> rows;
      auto p = io::read_csv(in.csv, {}, ro) | mr::map([](io::csv_row r) { return r.fields; }) | mr::collect(rows);
      twice(p, rows, exec);
    }
    for (const auto& part : io::partition_inputs(in.jsonl, 3, {.min_range_bytes = 100})) {
      std::vector<std::string> raws;
      auto p = io::read_jsonl(part, ro) | mr::map([](io::json_record r) { return r.raw; }) | mr::collect(raws);
      if (part.ranges.empty()) continue;
      twice(p, raws, exec);
    }
  }
}

TEST_CASE("io.rerun.writers.jsonl_typed_lines_csv.rewrite_the_same_directory_twice.2T") {
  inputs in;
  const mr::cpu exec{.threads = 2, .batch_size = 50};
  const io::read_options ro{.policy = io::on_bad_record::reject};
  {
    auto p = io::read_jsonl(in.jsonl, ro) | io::write_jsonl(in.d / "out1", small_shards);
    auto r1 = mr::run(p, exec);
    const auto s1 = snapshot(in.d / "out1");
    auto r2 = mr::run(p, exec);
    CHECK(r1.records_out() == 800);
    CHECK(r2.records_out() == 800);
    CHECK(snapshot(in.d / "out1") == s1);
    CHECK(s1.size() > 3);   // several shards and the manifest
    // The shards hold every record once, not twice.
    auto m = io::manifest::load(in.d / "out1" / "manifest.json");
    REQUIRE(m);
    std::uint64_t n = 0;
    for (auto& sh : m->shards) n += sh.records;
    CHECK(n == 800);
  }
  {
    auto p = io::read_jsonl<Doc>(in.jsonl, doc_fields, ro) | io::write_jsonl<Doc>(in.d / "out2", doc_fields, small_shards);
    mr::run(p, exec);
    const auto s1 = snapshot(in.d / "out2");
    mr::run(p, exec);
    CHECK(snapshot(in.d / "out2") == s1);
  }
  {
    auto p = io::read_lines(in.jsonl, ro) | io::write_lines(in.d / "out3", small_shards);
    mr::run(p, exec);
    const auto s1 = snapshot(in.d / "out3");
    mr::run(p, exec);
    CHECK(snapshot(in.d / "out3") == s1);
  }
  {
    auto p = io::read_csv(in.csv, {}, ro) | io::write_csv<io::csv_row>(in.d / "out4");
    mr::run(p, exec);
    const auto s1 = snapshot(in.d / "out4");
    mr::run(p, exec);
    CHECK(snapshot(in.d / "out4") == s1);
    CHECK(s1.size() == 2);
  }
}
