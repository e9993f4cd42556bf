// Record positions and partitioned sources: every record carries {input, byte offset of its line
// in the decompressed file}, the same for any thread count, batch size, chunk size, prefetch and
// parallel_files; partition_inputs' parts, read in any order, give exactly the whole read's
// records with the same positions (long lines, lines across every boundary, CRLF, empty lines,
// a final line without newline, .zst files).
#include <millrace/io.hpp>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>
#include <mrtest/zstd.hpp>

#include <algorithm>
#include <random>
#include <set>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;
using mrtest::temp_dir;

namespace {

// A JSONL text with short and long lines, CRLF lines, empty lines (bad records: "empty line"),
// an invalid line, and optionally no newline at the end.
std::string jsonl_text(std::mt19937_64& rng, std::size_t lines, bool final_newline) {
  std::string s;
  for (std::size_t i = 0; i < lines; ++i) {
    const auto kind = rng() % 20;
    if (kind == 0) {
      s += "\n";   // empty line
      continue;
    }
    if (kind == 1) {
      s += "{not json}\n";
      continue;
    }
    const std::size_t len = kind == 2 ? 3000 + rng() % 9000 : rng() % 120;   // some lines longer than a chunk
    s += "{\"id\":" + std::to_string(rng() % 100000) + ",\"text\":\"" + std::string(len, char('a' + rng() % 26)) + "\"}";
    s += kind == 3 ? "\r\n" : "\n";
  }
  if (!final_newline && !s.empty()) s.pop_back();
  return s;
}

// Offsets of the lines of text (what the reader must report), as the reader splits them: after
// each '\n'; a final line without a newline counts too.
std::vector<std::uint64_t> line_offsets(const std::string& text) {
  std::vector<std::uint64_t> out;
  std::uint64_t start = 0;
  for (std::uint64_t i = 0; i < text.size(); ++i)
    if (text[i] == '\n') {
      out.push_back(start);
      start = i + 1;
    }
  if (start < text.size()) out.push_back(start);
  return out;
}

struct corpus {
  std::vector<std::string> texts;   // decompressed text of each input, in expand_inputs order
  std::vector<std::string> entries;
};

// Files a.jsonl .. : plain and .zst, different sizes, some without a final newline.
corpus make_corpus(const temp_dir& d, std::uint64_t seed, std::size_t files) {
  std::mt19937_64 rng(seed);
  corpus c;
  fs::create_directories(d / "in");
  for (std::size_t f = 0; f < files; ++f) {
    const auto text = jsonl_text(rng, 20 + rng() % 300, f % 3 != 1);
    const bool zst = f % 4 == 2;
    const std::string name = std::string(1, char('a' + f)) + ".jsonl" + (zst ? ".zst" : "");
    mrtest::write_file(d / "in" / name, zst ? mrtest::zstd_compress(text) : text);
    c.texts.push_back(text);
  }
  c.entries = {(d / "in").string()};
  return c;
}

struct seen {
  std::string raw;
  mr::record_position pos;
  std::size_t line;
  friend bool operator==(const seen&, const seen&) = default;
};

template <class P>
std::vector<seen> collect_json(P&& p, const mr::cpu& exec, std::uint64_t* rejected = nullptr) {
  std::vector<io::json_record> recs;
  auto rep = mr::run(std::forward<P>(p) | mr::collect(recs), exec);
  if (rejected) *rejected = rep.rejected();
  std::vector<seen> out;
  for (auto& r : recs) {
    REQUIRE(r.position.input == r.input);
    out.push_back({r.raw, r.position, r.line});
  }
  return out;
}

const io::read_options reject_all{.policy = io::on_bad_record::reject, .max_rejects = {.max = 0}};

}  // namespace

TEST_CASE("io.positions.jsonl.offsets_are_the_lines_first_bytes.all_inputs") {
  temp_dir d;
  const auto c = make_corpus(d, 7, 6);
  std::uint64_t rejected = 0;
  const auto got = collect_json(io::read_jsonl(c.entries, reject_all), mr::cpu{.threads = 2}, &rejected);
  // Every good line, at its offset; the text at that offset is the record's bytes.
  std::size_t k = 0, bad = 0;
  for (std::size_t f = 0; f < c.texts.size(); ++f) {
    const auto& t = c.texts[f];
    const auto offs = line_offsets(t);
    for (std::size_t i = 0; i < offs.size(); ++i) {
      const auto end = t.find('\n', offs[i]);
      const std::string line = t.substr(offs[i], end == std::string::npos ? std::string::npos : end - offs[i]);
      if (line.empty() || line == "{not json}") {
        ++bad;
        continue;
      }
      REQUIRE(k < got.size());
      CHECK(got[k].raw == line);
      CHECK(got[k].pos == mr::record_position{f, offs[i]});
      CHECK(got[k].line == i + 1);
      ++k;
    }
  }
  CHECK(k == got.size());
  CHECK(rejected == bad);
  CHECK(bad > 0);
  CHECK(std::is_sorted(got.begin(), got.end(), [](const seen& a, const seen& b) { return a.pos < b.pos; }));
}

TEST_CASE("io.positions.jsonl.same_for_threads_batch_chunk_prefetch_parallel_files") {
  temp_dir d;
  const auto c = make_corpus(d, 11, 7);
  const auto want = collect_json(io::read_jsonl(c.entries, reject_all), mr::cpu{.threads = 1});
  REQUIRE(!want.empty());
  for (std::size_t threads : {1, 2, 4})
    for (std::size_t batch : {1, 7, 1024})
      for (std::size_t chunk : {4096, 1 << 20})
        for (int reader = 0; reader < 3; ++reader) {
          auto ro = reject_all;
          ro.chunk_bytes = chunk;
          ro.prefetch = reader != 0;
          ro.parallel_files = reader == 2 ? 3 : 1;
          CAPTURE(threads);
          CAPTURE(batch);
          CAPTURE(chunk);
          CAPTURE(reader);
          CHECK(collect_json(io::read_jsonl(c.entries, ro), mr::cpu{.threads = threads, .batch_size = batch}) == want);
        }
}

TEST_CASE("io.partition.parts_1_to_13.concatenated_equal_the_whole_read.records_positions_rejects") {
  temp_dir d;
  const auto c = make_corpus(d, 23, 8);
  std::uint64_t whole_rejected = 0;
  const auto want = collect_json(io::read_jsonl(c.entries, reject_all), mr::cpu{.threads = 2}, &whole_rejected);
  std::mt19937_64 rng(5);
  for (std::size_t parts = 1; parts <= 13; ++parts) {
    CAPTURE(parts);
    // Tiny minimum range: boundaries fall anywhere, inside long lines, on CR and on newlines.
    const auto ps = io::partition_inputs(c.entries, parts, {.min_range_bytes = 1 + rng() % 64});
    REQUIRE(ps.size() == parts);
    std::vector<seen> got;
    std::uint64_t rejected = 0;
    auto ro = reject_all;
    ro.chunk_bytes = 4096;
    for (const auto& p : ps) {
      CHECK(p.index == std::size_t(&p - ps.data()));
      for (const auto& r : p.ranges) {
        if (r.file.extension() == ".zst") CHECK(r.whole());
        if (r.begin == 0 && r.end == io::input_range::whole_file) CHECK(r.whole());
      }
      std::uint64_t rj = 0;
      auto part = collect_json(io::read_jsonl(p, ro), mr::cpu{.threads = 1 + rng() % 3, .batch_size = 1 + rng() % 50}, &rj);
      // A part that starts mid-file does not know its line numbers.
      for (auto& s : part) {
        bool from_start = false;
        for (const auto& r : p.ranges)
          if (r.input == s.pos.input) from_start = r.begin == 0;
        if (!from_start) CHECK(s.line == 0);
      }
      rejected += rj;
      got.insert(got.end(), part.begin(), part.end());
    }
    if (parts > 1) {
      // The case is the one we mean: files cut mid-line, records without line numbers.
      std::size_t mid = 0;
      for (const auto& p : ps)
        for (const auto& r : p.ranges) mid += r.begin > 0;
      CHECK(mid > 0);
      CHECK(std::count_if(got.begin(), got.end(), [](const seen& s) { return s.line == 0; }) > 0);
    }
    REQUIRE(got.size() == want.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CHECK(got[i].raw == want[i].raw);
      CHECK(got[i].pos == want[i].pos);
      if (got[i].line) CHECK(got[i].line == want[i].line);
    }
    CHECK(rejected == whole_rejected);
  }
}

TEST_CASE("io.partition.ranges_cover_each_file_once.in_order.about_equal_bytes") {
  temp_dir d;
  const auto c = make_corpus(d, 31, 9);
  const auto files = io::expand_inputs(c.entries);
  for (std::size_t parts : {1, 2, 3, 5, 13, 40}) {
    CAPTURE(parts);
    const auto ps = io::partition_inputs(c.entries, parts, {.min_range_bytes = 1});
    // Walking the parts in order walks the files in order: each file's ranges consecutive,
    // contiguous from byte 0, the last one open-ended.
    std::vector<io::input_range> flat;
    std::uint64_t total = 0, biggest = 0;
    for (const auto& p : ps) {
      std::uint64_t bytes = 0;
      for (const auto& r : p.ranges) {
        CHECK(r.file == files[r.input]);
        const std::uint64_t size = fs::file_size(files[r.input]);
        const std::uint64_t end = r.end == io::input_range::whole_file ? size : r.end;
        CHECK(end > r.begin);
        if (r.end != io::input_range::whole_file) CHECK(end < size);
        bytes += end - r.begin;
        flat.push_back(r);
      }
      CHECK(p.bytes == bytes);
      total += bytes;
      biggest = std::max(biggest, bytes);
    }
    std::uint64_t next_input = 0;
    for (std::size_t i = 0; i < flat.size(); ++i) {
      if (flat[i].begin == 0) {
        CHECK(flat[i].input == next_input);
        ++next_input;
      } else {
        REQUIRE(i > 0);
        CHECK(flat[i].input == flat[i - 1].input);
        CHECK(flat[i].begin == flat[i - 1].end);
      }
      if (i + 1 == flat.size() || flat[i + 1].begin == 0) CHECK(flat[i].end == io::input_range::whole_file);
    }
    CHECK(next_input == files.size());
    std::uint64_t all = 0, largest_zst = 0;
    for (std::size_t i = 0; i < files.size(); ++i) {
      all += fs::file_size(files[i]);
      if (files[i].extension() == ".zst") largest_zst = std::max<std::uint64_t>(largest_zst, fs::file_size(files[i]));
    }
    CHECK(total == all);
    // About equal: no part is over its share by more than one unsplittable file.
    CHECK(biggest <= all / parts + largest_zst + 1);
  }
  CHECK_THROWS_AS(io::partition_inputs(c.entries, 0), std::invalid_argument);
  // min_range_bytes larger than any file: whole files only.
  for (const auto& p : io::partition_inputs(c.entries, 5, {.min_range_bytes = 1 << 30}))
    for (const auto& r : p.ranges) CHECK(r.whole());
  for (const auto& p : io::partition_inputs(c.entries, 5, {.split_files = false, .min_range_bytes = 1}))
    for (const auto& r : p.ranges) CHECK(r.whole());
}

TEST_CASE("io.partition.lines_and_typed.parts_equal_whole.crlf_and_empty_lines") {
  temp_dir d;
  const auto c = make_corpus(d, 41, 5);
  struct Rec {
    std::int64_t id = 0;
    std::string text;
    mr::record_position position;
  };
  constexpr auto rec_fields = io::fields(io::field("id", &Rec::id), io::field("text", &Rec::text));
  auto ro = reject_all;
  ro.chunk_bytes = 4096;
  std::vector<std::string> want_lines;
  mr::run(io::read_lines(c.entries, ro) | mr::collect(want_lines), mr::serial_executor{});
  std::vector<Rec> want_recs;
  mr::run(io::read_jsonl<Rec>(c.entries, rec_fields, ro) | mr::collect(want_recs), mr::serial_executor{});
  REQUIRE(!want_recs.empty());
  CHECK(std::count(want_lines.begin(), want_lines.end(), std::string()) > 0);   // empty lines are lines
  const auto whole = collect_json(io::read_jsonl(c.entries, ro), mr::cpu{.threads = 1});
  REQUIRE(whole.size() == want_recs.size());
  for (std::size_t i = 0; i < whole.size(); ++i) CHECK(want_recs[i].position == whole[i].pos);
  for (std::size_t parts : {2, 3, 7, 13}) {
    const auto ps = io::partition_inputs(c.entries, parts, {.min_range_bytes = 100});
    std::vector<std::string> lines;
    std::vector<Rec> recs;
    // Any order of reading: the parts backwards, then put in part order.
    std::vector<std::vector<std::string>> part_lines(parts);
    std::vector<std::vector<Rec>> part_recs(parts);
    for (std::size_t k = parts; k-- > 0;) {
      mr::run(io::read_lines(ps[k], ro) | mr::collect(part_lines[k]), mr::cpu{.threads = 2});
      mr::run(io::read_jsonl<Rec>(ps[k], rec_fields, ro) | mr::collect(part_recs[k]), mr::cpu{.threads = 2});
    }
    for (std::size_t k = 0; k < parts; ++k) {
      lines.insert(lines.end(), part_lines[k].begin(), part_lines[k].end());
      recs.insert(recs.end(), part_recs[k].begin(), part_recs[k].end());
    }
    CHECK(lines == want_lines);
    REQUIRE(recs.size() == want_recs.size());
    for (std::size_t i = 0; i < recs.size(); ++i) {
      CHECK(recs[i].position == want_recs[i].position);
      CHECK(recs[i].text == want_recs[i].text);
    }
  }
}

TEST_CASE("io.partition.mid_file_error_names_the_byte_offset.fail_and_reject") {
  temp_dir d;
  std::string text;
  for (int i = 0; i < 200; ++i) text += "{\"id\":" + std::to_string(i) + "}\n";
  const std::uint64_t bad_at = text.size();
  text += "{broken\n";
  for (int i = 0; i < 10; ++i) text += "{\"id\":" + std::to_string(i) + "}\n";
  mrtest::write_file(d / "a.jsonl", text);
  const auto ps = io::partition_inputs({(d / "a.jsonl").string()}, 2, {.min_range_bytes = 1});
  REQUIRE(ps[1].ranges.size() == 1);
  REQUIRE(ps[1].ranges[0].begin > 0);
  REQUIRE(ps[1].ranges[0].begin <= bad_at);
  try {
    mr::run(io::read_jsonl(ps[1]) | mr::sink([](io::json_record&&) {}), mr::serial_executor{});
    FAIL("expected an error");
  } catch (const mr::operator_error& e) {
    const std::string msg = e.what();
    CHECK(msg.find((d / "a.jsonl").string() + ": byte " + std::to_string(bad_at) + ": invalid JSON") != std::string::npos);
  }
  // The whole read names the line.
  try {
    mr::run(io::read_jsonl({(d / "a.jsonl").string()}) | mr::sink([](io::json_record&&) {}), mr::serial_executor{});
    FAIL("expected an error");
  } catch (const mr::operator_error& e) {
    CHECK(std::string(e.what()).find((d / "a.jsonl").string() + ":201: invalid JSON") != std::string::npos);
  }
  auto ro = reject_all;
  ro.rejects_file = d / "rejects.jsonl";
  mr::run(io::read_jsonl(ps[1], ro) | mr::sink([](io::json_record&&) {}), mr::serial_executor{});
  const auto rej = mrtest::read_file(d / "rejects.jsonl");
  CHECK(rej.find("\"offset\":" + std::to_string(bad_at) + ",\"reason\":\"invalid JSON") != std::string::npos);
  CHECK(rej.find("\"line\"") == std::string::npos);
}

TEST_CASE("io.partition.csv.whole_files_only.positions") {
  temp_dir d;
  const std::string a = "k,v\r\n1,\"x\ny\"\r\n\r\n2,z\r\n";
  mrtest::write_file(d / "a.csv", a);
  mrtest::write_file(d / "b.csv", "k,v\n3,w\n4,q");
  std::vector<io::csv_row> rows;
  mr::run(io::read_csv({(d / "a.csv").string(), (d / "b.csv").string()}) | mr::collect(rows), mr::serial_executor{});
  REQUIRE(rows.size() == 4);
  CHECK(rows[0].position == mr::record_position{0, 5});
  CHECK(rows[1].position == mr::record_position{0, a.find("2,z")});
  CHECK(rows[2].position == mr::record_position{1, 4});
  CHECK(rows[3].position == mr::record_position{1, 8});
  const std::vector<std::string> entries{(d / "a.csv").string(), (d / "b.csv").string()};
  CHECK_THROWS_AS(io::read_csv(io::partition_inputs(entries, 3, {.min_range_bytes = 1})[0]), std::invalid_argument);
  std::vector<io::csv_row> again;
  for (const auto& p : io::partition_inputs(entries, 3, {.split_files = false}))
    mr::run(io::read_csv(p) | mr::collect(again), mr::serial_executor{});
  REQUIRE(again.size() == rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    CHECK(again[i].fields == rows[i].fields);
    CHECK(again[i].position == rows[i].position);
    CHECK(again[i].line == rows[i].line);
  }
}
