// csv_reader conformance: RFC 4180 quoting, embedded newlines, delimiters, zstd, bad input.
#include <millrace/io/csv.hpp>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>
#include <mrtest/zstd.hpp>

#include <random>

namespace io = millrace::io;
using mrtest::temp_dir;
using strings = std::vector<std::string>;

static std::vector<strings> read_all(io::csv_reader& r, std::vector<std::size_t>* lines = nullptr) {
  std::vector<strings> rows;
  strings f;
  while (r.next(f)) {
    rows.push_back(f);
    if (lines) lines->push_back(r.line());
  }
  return rows;
}

static const char* kSample =
    "id,name,note\r\n"
    "1,plain,\"with, comma\"\r\n"
    "2,\"say \"\"hi\"\"\",\"two\nlines\"\n"
    "3,,\n"
    "\n"
    "4,last,\"\"";   // no final newline

TEST_CASE("csv.reader.header.quotes_newlines_crlf") {
  temp_dir d;
  mrtest::write_file(d / "a.csv", kSample);
  io::csv_reader r(d / "a.csv");
  CHECK(r.header() == strings{"id", "name", "note"});
  CHECK(r.column("note") == 2);
  CHECK(r.column("nope") == -1);
  std::vector<std::size_t> lines;
  auto rows = read_all(r, &lines);
  REQUIRE(rows.size() == 4);
  CHECK(rows[0] == strings{"1", "plain", "with, comma"});
  CHECK(rows[1] == strings{"2", "say \"hi\"", "two\nlines"});
  CHECK(rows[2] == strings{"3", "", ""});
  CHECK(rows[3] == strings{"4", "last", ""});
  // Record 3 starts on line 5 because record 2 spans lines 3-4; the blank line 6 is skipped.
  CHECK(lines == std::vector<std::size_t>{2, 3, 5, 7});
}

TEST_CASE("csv.reader.zst.same_records") {
  temp_dir d;
  mrtest::write_file(d / "a.csv", kSample);
  mrtest::write_file(d / "a.csv.zst", mrtest::zstd_compress(kSample));
  // Also a zstd file without the extension: detected by its magic number.
  mrtest::write_file(d / "b.csv", mrtest::zstd_compress(kSample));
  io::csv_reader plain(d / "a.csv"), z(d / "a.csv.zst"), sniffed(d / "b.csv");
  auto want = read_all(plain);
  CHECK(read_all(z) == want);
  CHECK(read_all(sniffed) == want);
  CHECK(z.header() == plain.header());
}

TEST_CASE("csv.reader.delimiter.semicolon_no_header") {
  temp_dir d;
  mrtest::write_file(d / "s.csv", "a;'b;c';'it''s'\nx;y;z\n");
  io::csv_reader r(d / "s.csv", {.delimiter = ';', .quote = '\'', .header = false});
  CHECK(r.header().empty());
  auto rows = read_all(r);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0] == strings{"a", "b;c", "it's"});
  CHECK(rows[1] == strings{"x", "y", "z"});
}

TEST_CASE("csv.reader.bom_and_lone_empty_field") {
  temp_dir d;
  mrtest::write_file(d / "b.csv", "\xEF\xBB\xBFv\n\"\"\nx\n");
  io::csv_reader r(d / "b.csv");
  CHECK(r.header() == strings{"v"});
  auto rows = read_all(r);
  CHECK(rows == std::vector<strings>{{""}, {"x"}});
}

TEST_CASE("csv.reader.roundtrip.random_1MB") {
  // Random fields with every special character, written with csv_append_record, read back equal;
  // 1 MB crosses the reader's buffer boundary many times, inside quoted fields too.
  std::mt19937_64 rng(42);
  const std::string alphabet = "ab,\"\n\r ;xyz\xC3\xA9";
  std::vector<strings> rows;
  std::string text;
  io::csv_append_record(text, strings{"c0", "c1", "c2", "c3"});
  while (text.size() < (1u << 20)) {
    strings row(4);
    for (auto& f : row) {
      std::size_t len = rng() % 12;
      for (std::size_t i = 0; i < len; ++i) {
        char ch = alphabet[rng() % alphabet.size()];
        if (ch == '\xC3') { f += "\xC3\xA9"; continue; }   // keep UTF-8 valid
        if (ch == '\xA9') continue;
        f.push_back(ch);
      }
    }
    rows.push_back(row);
    io::csv_append_record(text, row);
  }
  temp_dir d;
  mrtest::write_file(d / "r.csv", text);
  mrtest::write_file(d / "r.csv.zst", mrtest::zstd_compress(text));
  io::csv_reader r(d / "r.csv"), z(d / "r.csv.zst");
  CHECK(read_all(r) == rows);
  CHECK(read_all(z) == rows);
}

static void check_error(const io::input_error& e, const std::string& file, std::size_t line,
                        const std::string& reason_part) {
  CHECK(e.file() == file);
  CHECK(e.line() == line);
  CHECK(e.reason().find(reason_part) != std::string::npos);
  CHECK(std::string(e.what()) == file + ":" + std::to_string(line) + ": " + e.reason());
}

TEST_CASE("csv.reader.bad.unterminated_quote") {
  temp_dir d;
  const auto f = (d / "u.csv").string();
  mrtest::write_file(f, "a,b\n1,2\n3,\"open\nmore\n");
  io::csv_reader r(f);
  strings row;
  CHECK(r.next(row));
  try {
    r.next(row);
    FAIL("no error");
  } catch (const io::input_error& e) {
    check_error(e, f, 3, "unterminated quoted field");
  }
  CHECK_FALSE(r.next(row));   // the bad record ran to the end of the file
}

TEST_CASE("csv.reader.bad.width_then_recover") {
  temp_dir d;
  const auto f = (d / "w.csv").string();
  mrtest::write_file(f, "a,b\n1,2\n1,2,3\n4,5\n");
  io::csv_reader r(f);
  strings row;
  CHECK(r.next(row));
  CHECK_THROWS_AS(r.next(row), io::input_error);
  CHECK(r.line() == 3);
  REQUIRE(r.next(row));
  CHECK(row == strings{"4", "5"});
  CHECK(r.line() == 4);
}

TEST_CASE("csv.reader.bad.char_after_quote_then_recover") {
  temp_dir d;
  const auto f = (d / "q.csv").string();
  mrtest::write_file(f, "a,b\n\"x\"y,2\n3,4\n");
  io::csv_reader r(f);
  strings row;
  try {
    r.next(row);
    FAIL("no error");
  } catch (const io::input_error& e) {
    check_error(e, f, 2, "after closing quote");
  }
  REQUIRE(r.next(row));
  CHECK(row == strings{"3", "4"});
}

TEST_CASE("csv.reader.bad.invalid_utf8") {
  temp_dir d;
  const auto f = (d / "i.csv").string();
  mrtest::write_file(f, "a,b\n1,ok\n2,bad\xFF\n3,fine\n");
  io::csv_reader r(f);
  strings row;
  CHECK(r.next(row));
  try {
    r.next(row);
    FAIL("no error");
  } catch (const io::input_error& e) {
    check_error(e, f, 3, "invalid UTF-8 in field 2");
  }
  REQUIRE(r.next(row));
  CHECK(row[0] == "3");
  io::csv_reader lax(f, {.validate_utf8 = false});
  CHECK(read_all(lax).size() == 3);
}

TEST_CASE("csv.reader.bad.truncated_zst") {
  temp_dir d;
  std::string text = "a,b\n";
  for (int i = 0; i < 20000; ++i) text += std::to_string(i) + ",value" + std::to_string(i * 7) + "\n";
  auto z = mrtest::zstd_compress(text);
  const auto f = (d / "t.csv.zst").string();
  mrtest::write_file(f, z.substr(0, z.size() / 2));
  io::csv_reader r(f);
  strings row;
  std::size_t n = 0;
  bool threw = false;
  try {
    while (r.next(row)) ++n;
  } catch (const io::input_error& e) {
    threw = true;
    CHECK(e.file() == f);
    CHECK(e.reason().find("truncated") != std::string::npos);
  }
  CHECK(threw);
  CHECK(n < 20000);
}

TEST_CASE("csv.reader.empty_file") {
  temp_dir d;
  mrtest::write_file(d / "e.csv", "");
  io::csv_reader r(d / "e.csv");
  strings row;
  CHECK(r.header().empty());
  CHECK_FALSE(r.next(row));
  CHECK(r.empty_file());
  CHECK_THROWS_AS(io::csv_reader(d / "missing.csv"), io::input_error);
}
