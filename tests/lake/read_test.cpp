#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <sys/stat.h>
#include <unistd.h>

#include <functional>
#include <stdexcept>

#include <millrace/io/error.hpp>
#include <millrace/lake/brute_force.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/lake/plan.hpp>
#include <millrace/lake/read_table.hpp>
#include <millrace/lake/report.hpp>
#include <millrace/synth/lake.hpp>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>
#include <mrtest/zstd.hpp>

namespace lk = millrace::lake;
namespace sy = millrace::synth;
namespace fs = std::filesystem;

TEST_CASE("lake.read.csv_roundtrip.same_result_as_memory") {
  const mrtest::temp_dir dir("lake-roundtrip");
  const auto lake = sy::generate_lake({.seed = 31, .tables = 120});
  sy::write_lake(lake, dir);
  const auto files = lk::list_tables(dir);
  REQUIRE(files.size() == lake.tables.size());
  std::vector<lk::table> from_disk, from_memory;
  for (const auto& f : files) from_disk.push_back(lk::read_table(dir, f));
  // list_tables sorts paths; the generator's paths are already in that order.
  for (const auto& t : lake.tables) from_memory.push_back(lk::table::from_rows(t.path, t.header, t.rows));
  for (std::size_t i = 0; i < files.size(); ++i) {
    CHECK(from_disk[i].path() == from_memory[i].path());
    CHECK(from_disk[i].rows() == from_memory[i].rows());
    CHECK(from_disk[i].row_hashes() == from_memory[i].row_hashes());
    CHECK(from_disk[i].bytes() == fs::file_size(dir / files[i]));
  }
  const auto a = lk::find_containments(from_disk).edges;
  CHECK(a == lk::find_containments(from_memory).edges);
  CHECK(a == lk::brute_force_containments(from_disk));
}

TEST_CASE("lake.read.bad_input.file_line_reason") {
  const mrtest::temp_dir dir("lake-bad");
  mrtest::write_file(dir / "ragged.csv", "a,b\n1,2\n3\n");
  mrtest::write_file(dir / "dup.csv", "a,b,a\n1,2,3\n");
  mrtest::write_file(dir / "empty.csv", "");
  mrtest::write_file(dir / "sub/ok.csv", "a\n\"\"\n1\n");
  mrtest::write_file(dir / "notes.txt", "not a table\n");
  const auto files = lk::list_tables(dir);
  CHECK(files == std::vector<std::string>{"dup.csv", "empty.csv", "ragged.csv", "sub/ok.csv"});
  auto message = [&](const std::string& f) {
    try {
      lk::read_table(dir, f);
    } catch (const millrace::io::input_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK(message("ragged.csv").find("ragged.csv:3:") != std::string::npos);
  CHECK(message("dup.csv").find("dup.csv:1: duplicate column name 'a'") != std::string::npos);
  CHECK(message("empty.csv").find("empty.csv:") != std::string::npos);
  const auto ok = lk::read_table(dir, "sub/ok.csv");
  CHECK(ok.rows() == 2);
  CHECK(ok.stats()[0].has_null);
}

TEST_CASE("lake.read.zstd_table.same_as_plain") {
  const mrtest::temp_dir dir("lake-zst");
  const std::string text = "id,city\n1,Paris\n2,\"Washington, D.C.\"\n3,Lima\n";
  mrtest::write_file(dir / "plain.csv", text);
  mrtest::write_file(dir / "packed.csv.zst", mrtest::zstd_compress(text));
  mrtest::write_file(dir / "part.csv", "city\nLima\n\"Washington, D.C.\"\n");
  std::vector<lk::table> ts;
  for (const auto& f : lk::list_tables(dir)) ts.push_back(lk::read_table(dir, f));
  REQUIRE(ts.size() == 3);
  CHECK(ts[0].path() == "packed.csv.zst");
  CHECK(ts[0].row_hashes() == ts[2].row_hashes());
  // packed == plain (both directions); part (quoted comma value included) in both.
  CHECK(lk::find_containments(ts).edges ==
        std::vector<lk::containment_edge>{{0, 1}, {0, 2}, {2, 0}, {2, 1}});
}

namespace {
std::string rows_csv(int from, int to) {
  std::string s = "id,x\n";
  for (int i = from; i < to; ++i) s += fmt::format("{},{}\n", i, i * 7 % 11);
  return s;
}
std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}
}  // namespace

// A symlink to a table of the lake is the same table (no self-containment, no "rebuilt from
// itself"); a symlink to a CSV outside the lake is a table that may be an ancestor but is never
// deleted.
TEST_CASE("lake.read.symlinks.one_table_per_file.outside_never_deleted") {
  const mrtest::temp_dir root("lake-symlinks");
  const auto dir = root / "lake";
  mrtest::write_file(dir / "base.csv", rows_csv(0, 200));
  mrtest::write_file(dir / "small.csv", rows_csv(0, 5));
  mrtest::write_file(root / "outside.csv", rows_csv(0, 60));
  fs::create_symlink("base.csv", dir / "link.csv");
  fs::create_symlink("../outside.csv", dir / "ext.csv");
  fs::create_directories(dir / "sub");
  fs::create_symlink("..", dir / "sub" / "loop");  // a directory cycle: walked once

  const auto l = lk::scan_lake(dir);
  CHECK(l.problems.empty());
  REQUIRE(l.tables.size() == 3);
  CHECK(l.tables[0].name == "base.csv");
  CHECK(l.tables[0].aliases == std::vector<std::string>{"link.csv"});  // sub/loop is the lake again
  CHECK(l.tables[0].inside_lake);
  CHECK(l.tables[1].name == "ext.csv");
  CHECK_FALSE(l.tables[1].inside_lake);
  CHECK(l.tables[1].resolved == fs::canonical(root / "outside.csv"));
  CHECK(l.tables[2].name == "small.csv");
  CHECK(lk::list_tables(dir) == std::vector<std::string>{"base.csv", "ext.csv", "small.csv"});

  std::vector<lk::table> ts;
  for (const auto& f : l.tables) ts.push_back(lk::read_table(dir, f.name));
  const auto r = lk::find_containments(ts);
  // base ⊇ ext ⊇ small, base ⊇ small; nothing contains itself.
  CHECK(r.edges == std::vector<lk::containment_edge>{{0, 1}, {0, 2}, {1, 2}});
  const lk::plan_options o{.max_latency_s = 100, .cost_per_byte = 0.001};
  const auto c = lk::constraints_of(ts, l.tables);
  for (auto m : {lk::plan_method::ilp, lk::plan_method::greedy, lk::plan_method::brute_force}) {
    const auto p = lk::plan_deletions({ts[0].bytes(), ts[1].bytes(), ts[2].bytes()}, r.edges, o, m, c);
    CHECK(p.deleted.size() == 1);  // small.csv; ext.csv (outside) is kept although base contains it
    for (const auto& e : p.deleted) {
      CHECK(e.table != 1u);
      CHECK(e.table != e.ancestor);
    }
    const auto json = lk::plan_json(ts, p, o, l.tables);
    CHECK(json.find("\"table\": \"ext.csv\", \"reason\"") != std::string::npos);  // never_deleted
  }
  lk::report_info info;
  info.files = l.tables;
  CHECK(lk::report_json(ts, r, info).find("\"names\": [\"link.csv\"") != std::string::npos);
}

TEST_CASE("lake.plan.own_ancestor.logic_error_naming_table") {
  const std::vector<std::uint64_t> bytes = {100, 1000};  // deleting 1 (from 0) gains 995
  const lk::plan_constraints c{.keep = {}, .names = {"a.csv", "b.csv"}};
  const auto msg = error_of([&] { lk::plan_deletions(bytes, {{0, 1}, {1, 1}}, {}, lk::plan_method::greedy, c); });
  CHECK(msg.find("b.csv would be rebuilt from itself") != std::string::npos);
  CHECK_THROWS_AS(lk::plan_deletions(bytes, {{0, 0}}), std::logic_error);
  // keep: a contained table that must stay is never planned.
  CHECK(lk::plan_deletions(bytes, {{0, 1}}, {}, lk::plan_method::ilp, {.keep = {false, true}, .names = {}})
            .deleted.empty());
  CHECK(lk::plan_deletions(bytes, {{0, 1}}, {}, lk::plan_method::ilp).deleted.size() == 1);
}

// Dangling symlinks and FIFOs with a table's name are reported, never opened (a FIFO would block).
TEST_CASE("lake.read.fifo_and_dangling_symlink.reported_not_opened") {
  const mrtest::temp_dir dir("lake-special");
  mrtest::write_file(dir / "ok.csv", rows_csv(0, 3));
  REQUIRE(::mkfifo((dir / "pipe.csv").c_str(), 0600) == 0);
  fs::create_symlink("nowhere.csv", dir / "gone.csv");
  REQUIRE(::mkfifo((dir / "notes.txt").c_str(), 0600) == 0);  // not a table name: ignored
  const auto l = lk::scan_lake(dir);
  REQUIRE(l.tables.size() == 1);
  CHECK(l.tables[0].name == "ok.csv");
  REQUIRE(l.problems.size() == 2);
  CHECK(l.problems[0].name == "gone.csv");
  CHECK(l.problems[0].reason.find("gone.csv: dangling symbolic link (to 'nowhere.csv')") != std::string::npos);
  CHECK(l.problems[1].name == "pipe.csv");
  CHECK(l.problems[1].reason.find("pipe.csv: not a regular file (a FIFO)") != std::string::npos);
  CHECK(error_of([&] { lk::list_tables(dir); }).find("gone.csv: dangling") != std::string::npos);
  CHECK(error_of([&] { lk::read_table(dir, "pipe.csv"); }).find("pipe.csv: not a regular file (a FIFO)") !=
        std::string::npos);
  CHECK(error_of([&] { lk::read_table(dir, "gone.csv"); }).find("dangling symbolic link") != std::string::npos);
}

// A file name with byte 0xff: the report is still valid JSON (UTF-8), the byte written \u00ff.
TEST_CASE("lake.report.non_utf8_file_name.valid_json") {
  const mrtest::temp_dir dir("lake-utf8");
  const std::string odd = "t\xff\xc3(.csv";  // 0xff, and 0xc3 not followed by a continuation byte
  mrtest::write_file(dir / odd, rows_csv(0, 3));
  mrtest::write_file(dir / "caf\xc3\xa9.csv", rows_csv(0, 5));  // valid UTF-8 passes through
  std::vector<lk::table> ts;
  for (const auto& f : lk::list_tables(dir)) ts.push_back(lk::read_table(dir, f));
  REQUIRE(ts.size() == 2);
  const auto r = lk::find_containments(ts);
  lk::report_info info;
  info.lake = dir.path.string();
  info.skipped = {{odd, "x\xfe"}};
  const auto report = lk::report_json(ts, r, info);
  CHECK(report.find("\"t\\u00ff\\u00c3(.csv\"") != std::string::npos);
  CHECK(report.find("\"caf\xc3\xa9.csv\"") != std::string::npos);
  for (std::size_t i = 0; i < report.size();) {  // every byte is part of valid UTF-8
    const auto n = lk::detail::utf8_sequence(report, i);
    REQUIRE(n > 0);
    i += n;
  }
  const auto doc = millrace::json::parse(report);
  (void)doc;
  const auto plan = lk::plan_json(ts, lk::plan_deletions({ts[0].bytes(), ts[1].bytes()}, r.edges), {});
  CHECK(plan.find("\\u00ff") != std::string::npos);
  CHECK(lk::printable_name(odd) == "t\xc3\xbf\xc3\x83(.csv");
  CHECK(lk::json_text("a\"\n\x01") == "\"a\\\"\\n\\u0001\"");
}
