// Parallel reading of input shards (parallel_chunk_reader, read_options::parallel_files): the same
// chunks in the same order as the serial chunk_reader; byte-identical outputs, rejects and report
// counts for every executor and parallel_files; bounded read-ahead; errors in a later file keep
// the earlier output and its order; resume after such an error.
#include <millrace/io.hpp>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>
#include <mrtest/zstd.hpp>

#include <chrono>
#include <map>
#include <thread>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;
using mrtest::temp_dir;

namespace {

// n JSON lines of varied length for shard f; every 37th line is bad (invalid JSON or not an object).
std::string shard_text(std::size_t f, std::size_t n, bool with_bad) {
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t k = f * 100000 + i;
    if (with_bad && i % 37 == 5) {
      s += (i % 2) ? "{\"id\": broken\n" : "[1,2]\n";
      continue;
    }
    s += "{\"id\":\"f" + std::to_string(f) + "-" + std::to_string(i) + "\",\"text\":\"" +
         std::string(k % 211, char('a' + k % 26)) + "\"}\n";
  }
  return s;
}

// A directory of many small shards: plain, .zst, multi-frame .zst, empty files (plain and .zst),
// a .zst holding an empty frame, CRLF, no final newline, and one truncated .zst. Returns the
// shard file names in sorted order.
std::vector<std::string> make_shards(const fs::path& dir, std::size_t count = 24, bool with_bad = true) {
  fs::create_directories(dir);
  std::vector<std::string> names;
  for (std::size_t f = 0; f < count; ++f) {
    char name[32];
    std::snprintf(name, sizeof name, "s-%03zu.jsonl", f);
    std::string base = name, text = shard_text(f, 40 + (f * 53) % 300, with_bad);
    std::string file = base, bytes = text;
    switch (f % 8) {
      case 1: file += ".zst"; bytes = mrtest::zstd_compress(text); break;
      case 3: {   // two frames
        file += ".zst";
        bytes = mrtest::zstd_compress(text.substr(0, text.size() / 2)) + mrtest::zstd_compress(text.substr(text.size() / 2));
        break;
      }
      case 5: bytes.pop_back(); break;   // no final newline
      case 6:
        if (with_bad && f == 6) bytes.clear();   // empty plain file
        break;
      case 7: {
        file += ".zst";
        if (with_bad && f == 15) bytes.clear();   // empty .zst file
        else if (with_bad && f == 7) {           // truncated stream: lines before the cut survive
          bytes = mrtest::zstd_compress(text);
          bytes.resize(bytes.size() - 7);
        } else if (f == 23) bytes = mrtest::zstd_compress("");   // a valid frame of nothing
        else bytes = mrtest::zstd_compress(text);
        break;
      }
      default: break;
    }
    if (f % 8 == 2) {   // CRLF
      std::string crlf;
      for (char ch : text) {
        if (ch == '\n') crlf += '\r';
        crlf += ch;
      }
      bytes = crlf;
    }
    mrtest::write_file(dir / file, bytes);
    names.push_back(file);
  }
  std::sort(names.begin(), names.end());
  return names;
}

std::vector<fs::path> paths(const fs::path& dir, const std::vector<std::string>& names) {
  std::vector<fs::path> v;
  for (auto& n : names) v.push_back(dir / n);
  return v;
}

std::vector<io::text_chunk> drain(auto& reader) {
  std::vector<io::text_chunk> v;
  io::text_chunk c;
  while (reader.next(c)) v.push_back(c);
  return v;
}

void check_same_chunks(const std::vector<io::text_chunk>& a, const std::vector<io::text_chunk>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    CAPTURE(i);
    CHECK(a[i].data == b[i].data);
    CHECK(a[i].input == b[i].input);
    CHECK(a[i].first_line == b[i].first_line);
    CHECK(a[i].lines == b[i].lines);
    CHECK(a[i].error == b[i].error);
    CHECK(a[i].file_bytes == b[i].file_bytes);
  }
}

std::map<std::string, std::string> snapshot(const fs::path& dir) {
  std::map<std::string, std::string> m;
  for (auto& e : fs::directory_iterator(dir)) m[e.path().filename().string()] = mrtest::read_file(e.path());
  return m;
}

struct outcome {
  std::map<std::string, std::string> out;
  std::string rejects;
  std::uint64_t in = 0, written = 0, rejected = 0;
};

}  // namespace

TEST_CASE("io.parallel.reader.same_chunks_as_serial.files_1_2_4_8.small_limits") {
  temp_dir d;
  const auto names = make_shards(d / "in");
  const auto files = paths(d / "in", names);
  const io::chunk_options co{.chunk_bytes = 4096, .max_line_bytes = 1000};
  io::chunk_reader serial(files, co);
  const auto want = drain(serial);
  REQUIRE(want.size() > files.size());
  std::size_t errors = 0;
  for (auto& c : want) errors += !c.error.empty();
  CHECK(errors >= 3);   // empty plain, empty .zst, truncated .zst
  for (std::size_t k : {1, 2, 4, 8}) {
    CAPTURE(k);
    io::parallel_chunk_reader par(files, co, {}, {.files = k});
    CHECK(par.worker_count() == k);
    check_same_chunks(drain(par), want);
    CHECK(par.buffered_bytes() == 0);
    CHECK(par.file_bytes() == serial.file_bytes());
  }
  // split_lines: the workers split, the lines are those of split_chunk on the serial chunks.
  std::vector<io::raw_line> want_lines;
  for (auto& c : want) io::split_chunk(c, want_lines);
  for (std::size_t k : {1, 3, 8}) {
    CAPTURE(k);
    io::parallel_chunk_reader par(files, co, {}, {.files = k, .split_lines = true});
    std::vector<io::raw_line> got, part;
    while (par.next_lines(part)) got.insert(got.end(), part.begin(), part.end());
    REQUIRE(got.size() == want_lines.size());
    for (std::size_t i = 0; i < got.size(); ++i) {
      CAPTURE(i);
      CHECK(got[i].text == want_lines[i].text);
      CHECK(got[i].input == want_lines[i].input);
      CHECK(got[i].line == want_lines[i].line);
      CHECK(got[i].error == want_lines[i].error);
    }
    io::text_chunk c;
    CHECK_THROWS_AS(par.next(c), std::logic_error);
  }
  // Limits smaller than one chunk: only the head file reads (no read-ahead), same chunks.
  io::parallel_chunk_reader tight(files, co, {}, {.files = 4, .max_buffered_bytes = 1, .max_buffered_bytes_per_file = 1});
  check_same_chunks(drain(tight), want);
  // Skipped inputs (resume) are skipped the same way.
  std::vector<bool> skip(files.size(), false);
  for (std::size_t i = 0; i < files.size(); i += 3) skip[i] = true;
  io::chunk_reader serial_skip(files, co, skip);
  io::parallel_chunk_reader par_skip(files, co, skip, {.files = 3});
  check_same_chunks(drain(par_skip), drain(serial_skip));
}

TEST_CASE("io.parallel.reader.bounded_memory.total_48K_per_file_16K.4files.chunks_and_lines") {
  temp_dir d;
  fs::create_directories(d / "in");
  std::vector<fs::path> files;
  for (std::size_t f = 0; f < 16; ++f) {
    files.push_back(d / "in" / ("b-" + std::to_string(100 + f) + ".jsonl.zst"));
    mrtest::write_file(files.back(), mrtest::zstd_compress(shard_text(f, 700, false)));   // ~75 KB each
  }
  const std::size_t chunk = 4096, total = 48 << 10, per_file = 16 << 10;
  const io::chunk_options co{.chunk_bytes = chunk};
  io::parallel_chunk_reader par(files, co, {},
                                {.files = 4, .max_buffered_bytes = total, .max_buffered_bytes_per_file = per_file});
  io::chunk_reader serial(files, co);
  io::text_chunk c, s;
  REQUIRE(par.next(c));
  // Let the workers fill up while nobody consumes: read-ahead must spread over several files
  // and stop at the limits.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (par.buffered_bytes() <= per_file && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  CHECK(par.buffered_bytes() > per_file);   // more than one file read ahead at once
  std::size_t n = 0;
  do {
    REQUIRE(serial.next(s));
    CHECK(c.data == s.data);
    CHECK(c.input == s.input);
    CHECK(c.data.size() < 2 * chunk);   // lines are short: every chunk fits the head room
    CHECK(par.buffered_bytes() <= total);
    if (++n % 16 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));   // a slow consumer
  } while (par.next(c));
  CHECK_FALSE(serial.next(s));
  CHECK(par.peak_buffered_bytes() <= total);
  CHECK(par.peak_buffered_bytes() > per_file);
  CHECK(par.buffered_bytes() == 0);

  // The same limits with split_lines (what read_jsonl uses): the lines count as their chunk.
  io::parallel_chunk_reader lines_reader(
      files, co, {}, {.files = 4, .max_buffered_bytes = total, .max_buffered_bytes_per_file = per_file, .split_lines = true});
  std::vector<io::raw_line> part;
  std::size_t lines = 0;
  while (lines_reader.next_lines(part)) {
    lines += part.size();
    CHECK(lines_reader.buffered_bytes() <= total);
    if (lines % 64 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
  }
  CHECK(lines == 16 * 700);
  CHECK(lines_reader.peak_buffered_bytes() <= total);
  CHECK(lines_reader.peak_buffered_bytes() > 0);
}

TEST_CASE("io.parallel.reader.error_in_later_file.earlier_chunks_first.then_goes_on") {
  temp_dir d;
  const auto names = make_shards(d / "in", 12, false);
  const auto files = paths(d / "in", names);
  fs::remove(files[7]);   // cannot be opened when its turn comes
  const io::chunk_options co{.chunk_bytes = 4096};
  auto run_reader = [&](auto& r) {
    std::vector<io::text_chunk> before, after;
    io::text_chunk c;
    std::string error;
    try {
      while (r.next(c)) before.push_back(c);
    } catch (const io::input_error& e) {
      error = e.what();
    }
    while (r.next(c)) after.push_back(c);
    return std::tuple{before, error, after};
  };
  io::chunk_reader serial(files, co);
  auto [sb, se, sa] = run_reader(serial);
  REQUIRE(se.find(files[7].string() + ": cannot open") == 0);
  REQUIRE(!sb.empty());
  CHECK(sb.back().input == 6);
  CHECK(sa.front().input == 8);
  for (std::size_t k : {2, 4, 12}) {
    CAPTURE(k);
    io::parallel_chunk_reader par(files, co, {}, {.files = k});
    auto [pb, pe, pa] = run_reader(par);
    CHECK(pe == se);
    check_same_chunks(pb, sb);
    check_same_chunks(pa, sa);
  }
}

TEST_CASE("io.parallel.jsonl.reject.serial_1T_2T_4T_files_1_4_auto.byte_identical_rejects_counts") {
  temp_dir d;
  make_shards(d / "in");
  const io::write_options wo{.max_records_per_shard = 500, .zstd = true};
  auto run_one = [&](const std::string& tag, auto exec, std::size_t files, bool prefetch) {
    io::read_options ro{.policy = io::on_bad_record::reject, .rejects_file = d / (tag + ".rejects.jsonl"),
                        .max_line_bytes = 1000, .chunk_bytes = 4096, .prefetch = prefetch};
    ro.parallel_files = files;
    ro.max_buffered_bytes = 64 << 10;
    ro.max_buffered_bytes_per_file = 16 << 10;
    auto r = mr::run(io::read_jsonl({(d / "in").string()}, ro) |
                         mr::filter([](const io::json_record& x) { return x.line % 4 != 1; }) |
                         io::write_jsonl(d / tag, wo),
                     exec);
    return outcome{snapshot(d / tag), mrtest::read_file(d / (tag + ".rejects.jsonl")), r.records_in(),
                   r.records_out(), r.rejected()};
  };
  const auto ref = run_one("serial_noprefetch", mr::serial_executor{.batch_size = 97}, 1, false);
  CHECK(ref.out.size() > 3);
  CHECK(ref.rejected > 30);
  CHECK(ref.rejects.find("s-006.jsonl\",\"line\":0,\"reason\":\"empty file") != std::string::npos);
  CHECK(ref.rejects.find("s-015.jsonl.zst\",\"line\":0,\"reason\":\"empty file") != std::string::npos);
  CHECK(ref.rejects.find("s-007.jsonl.zst\",\"line\":") != std::string::npos);
  CHECK(ref.rejects.find("truncated zstd stream") != std::string::npos);
  CHECK(ref.rejects.find("line longer than 1000 bytes") == std::string::npos);   // lines are < 300 B
  CHECK(ref.in > ref.written + ref.rejected);   // the filter drops some
  struct config {
    const char* tag;
    std::size_t files;
  };
  for (const config& cf : {config{"t1_files1", 1}, config{"t1_files4", 4}, config{"t1_auto", 0}}) {
    CAPTURE(cf.tag);
    auto o = run_one(cf.tag, mr::cpu{.threads = 1, .batch_size = 64}, cf.files, true);
    CHECK(o.out == ref.out);
    CHECK(o.rejects == ref.rejects);
    CHECK(o.in == ref.in);
    CHECK(o.written == ref.written);
    CHECK(o.rejected == ref.rejected);
  }
  for (const config& cf : {config{"t2_files1", 1}, config{"t2_files4", 4}, config{"t2_auto", 0}}) {
    CAPTURE(cf.tag);
    auto o = run_one(cf.tag, mr::cpu{.threads = 2, .batch_size = 33}, cf.files, true);
    CHECK(o.out == ref.out);
    CHECK(o.rejects == ref.rejects);
    CHECK(o.in == ref.in);
    CHECK(o.written == ref.written);
    CHECK(o.rejected == ref.rejected);
  }
  auto o = run_one("serial_files4", mr::serial_executor{.batch_size = 1000}, 4, true);
  CHECK(o.out == ref.out);
  CHECK(o.rejects == ref.rejects);
  // 4 threads: auto reads 2 files at once.
  auto o4 = run_one("t4_auto", mr::cpu{.threads = 4, .batch_size = 50}, 0, true);
  CHECK(o4.out == ref.out);
  CHECK(o4.rejects == ref.rejects);
  CHECK(o4.rejected == ref.rejected);
}

TEST_CASE("io.parallel.lines.fail.truncated_zst.same_error.serial_2T_files_4") {
  temp_dir d;
  const auto names = make_shards(d / "in");
  auto error_of = [&](auto exec, std::size_t files) {
    io::read_options ro{.chunk_bytes = 4096, .prefetch = files > 0};
    ro.parallel_files = files;
    ro.empty_file_is_error = false;   // get past the empty files to the truncated one
    std::vector<std::string> lines;
    try {
      mr::run(io::read_lines({(d / "in/s-00[0-7]*").string()}, ro) | mr::collect(lines), exec);
    } catch (const mr::operator_error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  const std::string want = error_of(mr::serial_executor{}, 0);
  CHECK(want.find("s-007.jsonl.zst:") != std::string::npos);
  CHECK(want.find(": truncated zstd stream") != std::string::npos);
  CHECK(error_of(mr::cpu{.threads = 2, .batch_size = 16}, 4) == want);
  CHECK(error_of(mr::cpu{.threads = 1}, 4) == want);
  CHECK(error_of(mr::serial_executor{.batch_size = 7}, 2) == want);
}

TEST_CASE("io.parallel.jsonl.error_in_later_file.prefix_kept.serial_2T.then_resume_byte_identical") {
  temp_dir d;
  make_shards(d / "in", 16, false);
  const auto victim = d / "in" / "s-010.jsonl";   // plain (f % 8 == 2: CRLF)
  const std::string victim_bytes = mrtest::read_file(victim);
  std::vector<io::json_record> all;
  mr::run(io::read_jsonl({(d / "in").string()}, {.chunk_bytes = 4096}) | mr::collect(all), mr::serial_executor{});
  std::size_t before = 0;
  while (before < all.size() && all[before].input < 10) ++before;
  REQUIRE(before > 100);

  auto job = [&](const fs::path& out) {
    io::read_options ro{.chunk_bytes = 4096, .resume_from = out};
    ro.parallel_files = 4;
    return io::read_jsonl({(d / "in").string()}, ro);
  };
  // Collect: serial executor keeps everything before the bad file; on TBB in-flight batches may be
  // cancelled, but whatever arrived is a prefix, in order.
  for (int threads : {0, 2}) {
    CAPTURE(threads);
    auto p = job({});   // built while the file exists; opened at run time
    fs::remove(victim);
    std::vector<io::json_record> got;
    std::string what;
    try {
      if (threads == 0) mr::run(p | mr::collect(got), mr::serial_executor{.batch_size = 50});
      else mr::run(p | mr::collect(got), mr::cpu{.threads = 2, .batch_size = 50});
    } catch (const mr::operator_error& e) {
      what = e.what();
    }
    mrtest::write_file(victim, victim_bytes);
    CHECK(what.find(victim.string() + ": cannot open") != std::string::npos);
    if (threads == 0) CHECK(got.size() == before);
    CHECK(got.size() <= before);
    for (std::size_t i = 0; i < got.size(); ++i) {
      CAPTURE(i);
      REQUIRE(got[i].raw == all[i].raw);
      REQUIRE(got[i].line == all[i].line);
    }
  }
  // Resumable output: fail at the missing file, put it back, rerun: identical to one clean run.
  const io::write_options wo{.max_records_per_shard = 300, .resume = true};
  mr::run(job(d / "ref") | io::write_jsonl(d / "ref", wo), mr::cpu{.threads = 2, .batch_size = 64});
  const auto want = snapshot(d / "ref");
  {
    auto p = job(d / "out") | io::write_jsonl(d / "out", wo);
    fs::remove(victim);
    CHECK_THROWS_AS(mr::run(p, mr::cpu{.threads = 2, .batch_size = 64}), mr::operator_error);
    mrtest::write_file(victim, victim_bytes);
  }
  auto m = io::manifest::load(d / "out" / "manifest.json");
  REQUIRE(m);
  CHECK_FALSE(m->complete);
  CHECK(m->inputs.size() <= 10);
  std::uint64_t skipped = 0;
  for (auto& in : m->inputs) skipped += in.records;
  auto r = mr::run(job(d / "out") | io::write_jsonl(d / "out", wo), mr::cpu{.threads = 2, .batch_size = 64});
  CHECK(r.records_in() == all.size() - skipped);   // finished inputs are not read again
  CHECK(snapshot(d / "out") == want);
}
