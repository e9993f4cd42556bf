#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>

#include <unistd.h>
#include <zstd.h>

#include <millrace/io/error.hpp>
#include <millrace/lake/brute_force.hpp>
#include <millrace/lake/containment.hpp>
#include <millrace/lake/read_table.hpp>
#include <millrace/synth/lake.hpp>

namespace lk = millrace::lake;
namespace sy = millrace::synth;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir(const char* name) {
  auto d = fs::temp_directory_path() / fmt::format("millrace_lake_{}_{}", name, ::getpid());
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}
void write(const fs::path& f, const std::string& text) {
  fs::create_directories(f.parent_path());
  std::ofstream(f, std::ios::binary) << text;
}
}  // namespace

TEST_CASE("lake.read.csv_roundtrip.same_result_as_memory") {
  const auto dir = fresh_dir("roundtrip");
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
  fs::remove_all(dir);
}

TEST_CASE("lake.read.bad_input.file_line_reason") {
  const auto dir = fresh_dir("bad");
  write(dir / "ragged.csv", "a,b\n1,2\n3\n");
  write(dir / "dup.csv", "a,b,a\n1,2,3\n");
  write(dir / "empty.csv", "");
  write(dir / "sub/ok.csv", "a\n\"\"\n1\n");
  write(dir / "notes.txt", "not a table\n");
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
  fs::remove_all(dir);
}

TEST_CASE("lake.read.zstd_table.same_as_plain") {
  const auto dir = fresh_dir("zst");
  const std::string text = "id,city\n1,Paris\n2,\"Washington, D.C.\"\n3,Lima\n";
  write(dir / "plain.csv", text);
  std::string z(ZSTD_compressBound(text.size()), '\0');
  z.resize(ZSTD_compress(z.data(), z.size(), text.data(), text.size(), 3));
  write(dir / "packed.csv.zst", z);
  write(dir / "part.csv", "city\nLima\n\"Washington, D.C.\"\n");
  std::vector<lk::table> ts;
  for (const auto& f : lk::list_tables(dir)) ts.push_back(lk::read_table(dir, f));
  REQUIRE(ts.size() == 3);
  CHECK(ts[0].path() == "packed.csv.zst");
  CHECK(ts[0].row_hashes() == ts[2].row_hashes());
  // packed == plain (both directions); part (quoted comma value included) in both.
  CHECK(lk::find_containments(ts).edges ==
        std::vector<lk::containment_edge>{{0, 1}, {0, 2}, {2, 0}, {2, 1}});
  fs::remove_all(dir);
}
