// A user operator that throws on a record read from a file: operator_error names the operator,
// the file and line of the record ("a.jsonl:7"), its position, and the original message; with
// the serial executor and the oneTBB one (1, 2 and 4 threads), any batch size, records taken by
// value (moved from when the operator throws) or by reference, JSONL, typed JSONL and CSV.
#include <millrace/io.hpp>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;

namespace {

struct custom_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A fresh directory under the system's temporary directory, removed at the end of the test (the
// shared helper, under this file's tag).
struct scratch : mrtest::temp_dir {
  scratch() : mrtest::temp_dir("io-errors") {}
};

// Lines 1..n: {"id":<line>,"text":"..."}; text lengths vary so that byte offsets are not regular.
// Returns the byte offset of each line's start.
std::vector<std::uint64_t> write_jsonl(const fs::path& f, int n) {
  std::ofstream out(f, std::ios::binary);
  std::vector<std::uint64_t> offsets;
  std::uint64_t at = 0;
  for (int i = 1; i <= n; ++i) {
    const std::string line =
        "{\"id\":" + std::to_string(i) + ",\"text\":\"" + std::string(std::size_t(3 + (i * 7) % 11), 'a') + "\"}\n";
    offsets.push_back(at);
    at += line.size();
    out << line;
  }
  return offsets;
}

// Runs p with every executor configuration and hands each operator_error to check.
template <class P>
void for_each_failure(const P& p, const std::function<void(const mr::operator_error&)>& check) {
  for (std::size_t batch : {1, 3, 16}) {
    CAPTURE(batch);
    for (std::size_t threads : {1, 2, 4}) {
      CAPTURE(threads);
      bool thrown = false;
      try {
        mr::run(p, mr::cpu{.threads = threads, .batch_size = batch});
      } catch (const mr::operator_error& e) {
        thrown = true;
        check(e);
      }
      CHECK(thrown);
    }
    bool thrown = false;
    try {
      mr::run(p, mr::serial_executor{.batch_size = batch});
    } catch (const mr::operator_error& e) {
      thrown = true;
      check(e);
    }
    CHECK(thrown);
  }
}

std::int64_t id_of(const io::json_record& r) { return r.get_int("id").value_or(-1); }

}  // namespace

TEST_CASE("io_errors.jsonl.line_7.by_value") {
  scratch d;
  const fs::path f = d.path / "file.jsonl";
  const auto offsets = write_jsonl(f, 40);
  // by value: the record is moved into the operator, so its file name is gone when it throws; the
  // reader's input list names the file again
  auto p = io::read_jsonl({f.string()}) | mr::map([](io::json_record r) {
             if (id_of(r) == 7) throw custom_error("id 7 is not allowed");
             return r;
           }, "check_ids") |
           mr::sink([](io::json_record) {});
  for_each_failure(p, [&](const mr::operator_error& e) {
    CHECK(std::string(e.what()) == "operator 'check_ids': " + f.string() + ":7: id 7 is not allowed");
    CHECK(e.op_name() == "check_ids");
    CHECK(e.reason() == "id 7 is not allowed");
    CHECK(e.file() == f.string());
    CHECK(e.line() == 7);
    REQUIRE(e.position().has_value());
    CHECK(*e.position() == mr::record_position{0, offsets[6]});
    CHECK_THROWS_AS(std::rethrow_exception(e.original()), custom_error);
  });
}

TEST_CASE("io_errors.jsonl.line_7.filter_after_map_in_one_stage") {
  scratch d;
  const fs::path f = d.path / "file.jsonl";
  write_jsonl(f, 40);
  // the failing operator is the second of a fused stage and sees the map's output; the record
  // named is the one read from the file
  auto p = io::read_jsonl({f.string()}) | mr::map([](io::json_record r) { return id_of(r); }, "to_id") |
           mr::filter([](std::int64_t id) {
             if (id == 7) throw custom_error("seven");
             return id % 2 == 0;
           }, "even") |
           mr::sink([](std::int64_t) {});
  for_each_failure(p, [&](const mr::operator_error& e) {
    CHECK(std::string(e.what()) == "operator 'even': " + f.string() + ":7: seven");
    CHECK(e.line() == 7);
  });
}

TEST_CASE("io_errors.jsonl.second_file_named") {
  scratch d;
  const fs::path a = d.path / "a.jsonl", b = d.path / "b.jsonl";
  write_jsonl(a, 5);
  const auto offsets = write_jsonl(b, 12);
  auto p = io::read_jsonl({a.string(), b.string()}) | mr::map([](io::json_record r) {
             if (r.line == 7) throw custom_error("line 7 of some file");   // only b has a line 7
             return r;
           }, "m") |
           mr::sink([](io::json_record) {});
  for_each_failure(p, [&](const mr::operator_error& e) {
    CHECK(std::string(e.what()) == "operator 'm': " + b.string() + ":7: line 7 of some file");
    REQUIRE(e.position().has_value());
    CHECK(*e.position() == mr::record_position{1, offsets[6]});
  });
}

namespace {
struct Doc {
  std::int64_t id = 0;
  std::string text;
  mr::record_position position{};
};
}  // namespace

TEST_CASE("io_errors.typed_jsonl.byte_offset") {
  scratch d;
  const fs::path f = d.path / "docs.jsonl";
  const auto offsets = write_jsonl(f, 20);
  // a typed record carries its position but no line: the error names the byte offset
  auto p = io::read_jsonl<Doc>({f.string()}, io::fields(io::field("id", &Doc::id), io::field("text", &Doc::text))) |
           mr::inspect([](const Doc& x) { if (x.id == 7) throw custom_error("doc 7"); }, "look") | mr::sink([](Doc) {});
  for_each_failure(p, [&](const mr::operator_error& e) {
    CHECK(std::string(e.what()) == "operator 'look': " + f.string() + ": byte " + std::to_string(offsets[6]) + ": doc 7");
    CHECK(e.file() == f.string());
    CHECK(e.line() == 0);
    REQUIRE(e.position().has_value());
    CHECK(e.position()->offset == offsets[6]);
  });
}

TEST_CASE("io_errors.csv.line_7") {
  scratch d;
  const fs::path f = d.path / "t.csv";
  {
    std::ofstream out(f, std::ios::binary);
    out << "id,name\n";
    for (int i = 2; i <= 30; ++i) out << i << ",n" << i << "\n";   // file line i holds id i
  }
  auto p = io::read_csv({f.string()}) | mr::map([](io::csv_row r) {
             if (r.fields.at(0) == "7") throw custom_error("row 7");
             return r;
           }, "rows") |
           mr::sink([](io::csv_row) {});
  for_each_failure(p, [&](const mr::operator_error& e) {
    CHECK(std::string(e.what()) == "operator 'rows': " + f.string() + ":7: row 7");
    CHECK(e.line() == 7);
  });
}

TEST_CASE("io_errors.reader_errors_unchanged") {
  // a bad line is the reader's own input_error (file:line: reason), inside operator_error of the
  // reader's check stage, which names no record of its own
  scratch d;
  const fs::path f = d.path / "bad.jsonl";
  {
    std::ofstream out(f, std::ios::binary);
    out << "{\"id\":1}\n{\"id\":2}\n{oops}\n";
  }
  try {
    mr::run(io::read_jsonl({f.string()}) | mr::sink([](io::json_record) {}), mr::serial_executor{});
    FAIL("no error");
  } catch (const mr::operator_error& e) {
    CHECK(std::string(e.what()).rfind("operator 'read_jsonl.check': " + f.string() + ":3: ", 0) == 0);
    CHECK(e.file().empty());
    try {
      std::rethrow_exception(e.original());
    } catch (const io::input_error& ie) {
      CHECK(ie.file() == f.string());
      CHECK(ie.line() == 3);
      CHECK(ie.offset() == 18);
    }
  }
}
