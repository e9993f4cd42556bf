// Formats pre-training pipelines start from: gzip inputs (one member or many, truncated, named by
// magic or extension) and gzip shards, standard input and output ("-"), and WARC/WET records
// (plain and gzip per record; truncated and malformed records fail naming the file, the record
// and its byte offset, or go to the rejects file).
#include <millrace/io.hpp>

#include <doctest/doctest.h>

#include <mrtest/temp_dir.hpp>
#include <mrtest/files.hpp>

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <fcntl.h>
#include <unistd.h>

namespace mr = millrace;
namespace io = millrace::io;
namespace fs = std::filesystem;
using mrtest::read_file;
using mrtest::temp_dir;
using mrtest::write_file;

namespace {

// One gzip member (the gzip(1) format: header, deflate, CRC-32 and length), written by zlib.
std::string gzip_member(const std::string& data) {
  z_stream zs{};
  REQUIRE(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(data.size())) + 64, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  REQUIRE(deflate(&zs, Z_FINISH) == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

// Decompresses every member with zlib directly (independent of byte_source).
std::string gunzip_all(const std::string& gz) {
  std::string out;
  std::size_t pos = 0;
  while (pos < gz.size()) {
    z_stream zs{};
    REQUIRE(inflateInit2(&zs, 15 + 16) == Z_OK);
    zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(gz.data() + pos));
    zs.avail_in = static_cast<uInt>(gz.size() - pos);
    char buf[4096];
    int r = Z_OK;
    while (r != Z_STREAM_END) {
      zs.next_out = reinterpret_cast<Bytef*>(buf);
      zs.avail_out = sizeof buf;
      r = inflate(&zs, Z_NO_FLUSH);
      REQUIRE((r == Z_OK || r == Z_STREAM_END));
      out.append(buf, sizeof buf - zs.avail_out);
    }
    pos += gz.size() - pos - zs.avail_in;
    inflateEnd(&zs);
  }
  return out;
}

std::vector<std::string> numbered_lines(int n, const std::string& tag) {
  std::vector<std::string> v;
  for (int i = 0; i < n; ++i) v.push_back(tag + " line " + std::to_string(i) + " with some words in it");
  return v;
}
std::string join_lines(const std::vector<std::string>& v) {
  std::string s;
  for (auto& l : v) s += l + "\n";
  return s;
}

std::vector<std::string> read_all_lines(const std::vector<std::string>& inputs) {
  std::vector<std::string> got;
  mr::run(io::read_lines(inputs) | mr::collect(got), mr::serial_executor{});
  return got;
}

// Runs f with file descriptor fd (0 or 1) pointing at `path`, then puts it back.
template <class F>
void with_fd_redirected(int fd, const fs::path& path, int flags, F f) {
  std::fflush(stdout);
  const int saved = ::dup(fd);
  REQUIRE(saved >= 0);
  const int file = ::open(path.c_str(), flags, 0644);
  REQUIRE(file >= 0);
  REQUIRE(::dup2(file, fd) == fd);
  ::close(file);
  if (fd == 0) std::clearerr(stdin);
  try {
    f();
  } catch (...) {
    std::fflush(stdout);
    ::dup2(saved, fd);
    ::close(saved);
    throw;
  }
  std::fflush(stdout);
  ::dup2(saved, fd);
  ::close(saved);
  if (fd == 0) std::clearerr(stdin);
}

// A WARC record as Common Crawl writes it: version line, headers, CRLF, block, CRLF CRLF.
std::string warc_record_bytes(const std::string& type, const std::string& url, const std::string& id,
                              const std::string& content_type, const std::string& block) {
  std::string s = "WARC/1.0\r\nWARC-Type: " + type + "\r\n";
  if (!url.empty()) s += "WARC-Target-URI: " + url + "\r\n";
  s += "WARC-Date: 2024-02-2" + std::to_string(id.size() % 10) + "T10:11:12Z\r\n";
  s += "WARC-Record-ID: <urn:uuid:" + id + ">\r\n";
  s += "Content-Type: " + content_type + "\r\n";
  s += "Content-Length: " + std::to_string(block.size()) + "\r\n\r\n";
  return s + block + "\r\n\r\n";
}

struct wet_file {
  std::vector<std::string> records;   // each record's bytes
  std::vector<std::string> texts;     // the conversion records' blocks
};
wet_file make_wet(int docs) {
  wet_file w;
  w.records.push_back(warc_record_bytes("warcinfo", "", "info-0", "application/warc-fields",
                                        "software: millrace-test\r\nformat: WARC File Format 1.0\r\n"));
  for (int i = 0; i < docs; ++i) {
    std::string text = "Document " + std::to_string(i) + " says hello.\nIts second line has\r\nno trailing newline";
    if (i % 3 == 2) text += std::string(5000 + i, 'x');   // blocks larger than a small read
    w.texts.push_back(text);
    w.records.push_back(warc_record_bytes("conversion", "https://example.org/page/" + std::to_string(i),
                                          "0000-" + std::to_string(i), "text/plain", text));
  }
  return w;
}
std::string concat(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += x;
  return s;
}
std::string gzip_each(const std::vector<std::string>& v) {
  std::string s;
  for (auto& x : v) s += gzip_member(x);
  return s;
}

std::vector<io::warc_record> read_warc_all(const std::vector<std::string>& inputs, io::warc_options wo = {},
                                           io::read_options ro = {}) {
  std::vector<io::warc_record> got;
  mr::run(io::read_warc(inputs, std::move(wo), ro) | mr::collect(got), mr::serial_executor{});
  return got;
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "";
}

}  // namespace

TEST_CASE("formats.gzip.read.one_member_and_concatenated") {
  temp_dir d;
  const auto a = numbered_lines(3000, "a"), b = numbered_lines(2000, "b");
  write_file(d / "one.txt.gz", gzip_member(join_lines(a)));
  write_file(d / "two.txt.gz", gzip_member(join_lines(a)) + gzip_member(join_lines(b)));
  // Found by the magic number too, under a name that says nothing.
  write_file(d / "renamed.bin", gzip_member(join_lines(b)));
  CHECK(read_all_lines({(d / "one.txt.gz").string()}) == a);
  auto ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  CHECK(read_all_lines({(d / "two.txt.gz").string()}) == ab);
  CHECK(read_all_lines({(d / "renamed.bin").string()}) == b);
  io::byte_source src(d / "renamed.bin");
  CHECK(src.gzip());
  CHECK(src.compressed());
}

TEST_CASE("formats.gzip.read.truncated_and_corrupt") {
  temp_dir d;
  const std::string gz = gzip_member(join_lines(numbered_lines(5000, "t")));
  write_file(d / "cut.txt.gz", gz.substr(0, gz.size() / 2));
  const std::string e = error_of([&] { read_all_lines({(d / "cut.txt.gz").string()}); });
  CHECK(e.find("cut.txt.gz") != std::string::npos);
  CHECK(e.find("truncated gzip stream") != std::string::npos);
  // A second member cut inside its header is truncated too, not a clean end.
  write_file(d / "cut2.txt.gz", gz + gz.substr(0, 5));
  CHECK(error_of([&] { read_all_lines({(d / "cut2.txt.gz").string()}); }).find("truncated gzip stream") != std::string::npos);
  std::string bad = gz;
  bad[bad.size() / 2] ^= 0x55;
  bad[bad.size() / 2 + 1] ^= 0x55;
  write_file(d / "bad.txt.gz", bad);
  CHECK(error_of([&] { read_all_lines({(d / "bad.txt.gz").string()}); }).find("gzip") != std::string::npos);
  // An empty .gz holds nothing: an empty file, as for plain and .zst inputs.
  write_file(d / "empty.txt.gz", "");
  CHECK(error_of([&] { read_all_lines({(d / "empty.txt.gz").string()}); }).find("empty") != std::string::npos);
}

TEST_CASE("formats.gzip.write.shards") {
  temp_dir d;
  const auto lines = numbered_lines(2500, "w");
  mr::run(mr::from_range(lines) | io::write_lines(d / "out", {.max_records_per_shard = 1000, .gzip = true, .fsync = false}),
          mr::serial_executor{});
  std::vector<std::string> shards;
  for (auto& e : fs::directory_iterator(d / "out"))
    if (e.path().filename() != "manifest.json") shards.push_back(e.path().filename().string());
  std::sort(shards.begin(), shards.end());
  REQUIRE(shards == std::vector<std::string>{"part-00000.txt.gz", "part-00001.txt.gz", "part-00002.txt.gz"});
  // Each shard is a valid gzip file (checked by zlib, not by our reader) ...
  std::string all;
  for (auto& s : shards) {
    const std::string bytes = read_file(d / "out" / s);
    REQUIRE(bytes.size() > 2);
    CHECK(static_cast<unsigned char>(bytes[0]) == 0x1F);
    CHECK(static_cast<unsigned char>(bytes[1]) == 0x8B);
    all += gunzip_all(bytes);
  }
  CHECK(all == join_lines(lines));
  // ... and the directory reads back through its manifest.
  CHECK(read_all_lines({(d / "out").string()}) == lines);
  CHECK_THROWS_AS(io::shard_writer(d / "x", {.zstd = true, .gzip = true}, ".txt"), std::invalid_argument);
}

TEST_CASE("formats.stdin.read_dash") {
  temp_dir d;
  const auto lines = numbered_lines(1200, "in");
  write_file(d / "in.txt.gz", gzip_member(join_lines(lines)));
  std::vector<std::string> got;
  with_fd_redirected(0, d / "in.txt.gz", O_RDONLY, [&] { got = read_all_lines({"-"}); });
  CHECK(got == lines);   // gzip on standard input, found by its magic number
}

TEST_CASE("formats.stdout.write_dash") {
  temp_dir d;
  const auto lines = numbered_lines(800, "out");
  with_fd_redirected(1, d / "plain.txt", O_WRONLY | O_CREAT | O_TRUNC, [&] {
    mr::run(mr::from_range(lines) | io::write_lines("-", {.max_records_per_shard = 10}), mr::serial_executor{});
  });
  CHECK(read_file(d / "plain.txt") == join_lines(lines));   // one stream: shard limits do not apply
  with_fd_redirected(1, d / "z.gz", O_WRONLY | O_CREAT | O_TRUNC, [&] {
    mr::run(mr::from_range(lines) | io::write_lines("-", {.gzip = true}), mr::serial_executor{});
  });
  CHECK(gunzip_all(read_file(d / "z.gz")) == join_lines(lines));
  CHECK(!fs::exists("-"));
  CHECK(!fs::exists(fs::path("-") / "manifest.json"));
  CHECK_THROWS_AS(io::shard_writer("-", {.resume = true}, ".txt"), std::invalid_argument);
}

TEST_CASE("formats.warc.wet.plain_and_gzip_per_record") {
  temp_dir d;
  const wet_file w = make_wet(12);
  write_file(d / "a.warc.wet", concat(w.records));
  write_file(d / "a.warc.wet.gz", gzip_each(w.records));
  for (const char* name : {"a.warc.wet", "a.warc.wet.gz"}) {
    CAPTURE(name);
    const auto all = read_warc_all({(d / name).string()});
    REQUIRE(all.size() == 13);
    CHECK(all[0].type == "warcinfo");
    CHECK(all[0].url.empty());
    CHECK(all[0].index == 1);
    CHECK(all[0].position.offset == 0);
    const auto docs = read_warc_all({(d / name).string()}, {.types = {"conversion"}});
    REQUIRE(docs.size() == 12);
    std::uint64_t offset = w.records[0].size();
    for (std::size_t i = 0; i < docs.size(); ++i) {
      CAPTURE(i);
      CHECK(docs[i].type == "conversion");
      CHECK(docs[i].url == "https://example.org/page/" + std::to_string(i));
      CHECK(docs[i].record_id == "<urn:uuid:0000-" + std::to_string(i) + ">");
      CHECK(docs[i].date.starts_with("2024-02-2"));
      CHECK(docs[i].content_type == "text/plain");
      CHECK(docs[i].content == w.texts[i]);
      CHECK(docs[i].index == i + 2);   // the warcinfo record is number 1
      CHECK(docs[i].position.offset == offset);   // in the decompressed stream
      CHECK(docs[i].file == (d / name).string());
      REQUIRE(docs[i].header("content-length") != nullptr);
      CHECK(*docs[i].header("Content-Length") == std::to_string(w.texts[i].size()));
      offset += w.records[i + 1].size();
    }
  }
}

TEST_CASE("formats.warc.response.http_payload") {
  temp_dir d;
  const std::string http = "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<html>hi</html>";
  write_file(d / "r.warc", warc_record_bytes("request", "https://a.example/", "req", "application/http", "GET / HTTP/1.1\r\n\r\n") +
                               warc_record_bytes("response", "https://a.example/", "resp", "application/http", http));
  auto raw = read_warc_all({(d / "r.warc").string()}, {.types = {"response"}});
  REQUIRE(raw.size() == 1);
  CHECK(raw[0].content == http);
  auto body = read_warc_all({(d / "r.warc").string()}, {.types = {"response"}, .http_payload = true});
  REQUIRE(body.size() == 1);
  CHECK(body[0].content == "<html>hi</html>");
}

TEST_CASE("formats.warc.truncated_record.fail_and_reject") {
  temp_dir d;
  const wet_file w = make_wet(4);
  std::string whole = concat(w.records);
  // Cut inside the block of record 4 (the third document): its Content-Length promises more.
  const std::uint64_t rec4 = w.records[0].size() + w.records[1].size() + w.records[2].size();
  const std::string cut = whole.substr(0, rec4 + w.records[3].size() - 50);
  write_file(d / "cut.warc", cut);
  const std::string e = error_of([&] { read_warc_all({(d / "cut.warc").string()}); });
  CHECK(e.find("cut.warc") != std::string::npos);
  CHECK(e.find("byte " + std::to_string(rec4)) != std::string::npos);
  CHECK(e.find("record 4") != std::string::npos);
  CHECK(e.find("truncated") != std::string::npos);

  // gzip per record, the last member cut: the gzip stream's truncation is named as well.
  std::vector<std::string> members;
  for (auto& r : w.records) members.push_back(gzip_member(r));
  std::string gz = concat(members);
  gz.resize(gz.size() - members.back().size() / 2);
  write_file(d / "cut.warc.gz", gz);
  const std::string eg = error_of([&] { read_warc_all({(d / "cut.warc.gz").string()}); });
  CHECK(eg.find("cut.warc.gz") != std::string::npos);
  CHECK(eg.find("record 5") != std::string::npos);
  CHECK(eg.find("truncated gzip stream") != std::string::npos);

  // Reject: the records before the bad one are kept, the bad one goes to the rejects file, and
  // the next input is read.
  write_file(d / "good.warc", whole);
  io::read_options ro{.policy = io::on_bad_record::reject};
  ro.rejects_file = d / "rejects.jsonl";
  const auto got = read_warc_all({(d / "cut.warc").string(), (d / "good.warc").string()}, {.types = {"conversion"}}, ro);
  REQUIRE(got.size() == 2 + 4);
  CHECK(got[0].content == w.texts[0]);
  CHECK(got[1].content == w.texts[1]);
  CHECK(got[2].file == (d / "good.warc").string());
  CHECK(got[2].input == 1);
  const std::string rejects = read_file(d / "rejects.jsonl");
  CHECK(rejects.find("record 4") != std::string::npos);
  CHECK(rejects.find("cut.warc") != std::string::npos);
}

TEST_CASE("formats.warc.malformed") {
  temp_dir d;
  write_file(d / "notwarc.warc", "hello world\r\n");
  CHECK(error_of([&] { read_warc_all({(d / "notwarc.warc").string()}); }).find("expected a WARC/1.0") != std::string::npos);
  write_file(d / "nolen.warc", "WARC/1.0\r\nWARC-Type: conversion\r\n\r\nabc\r\n\r\n");
  CHECK(error_of([&] { read_warc_all({(d / "nolen.warc").string()}); }).find("no Content-Length") != std::string::npos);
  write_file(d / "badlen.warc", "WARC/1.0\r\nContent-Length: 12x\r\n\r\n");
  CHECK(error_of([&] { read_warc_all({(d / "badlen.warc").string()}); }).find("not a number") != std::string::npos);
  const wet_file w = make_wet(1);
  write_file(d / "headers.warc", w.records[0].substr(0, 30));
  CHECK(error_of([&] { read_warc_all({(d / "headers.warc").string()}); }).find("inside its headers") != std::string::npos);
  // A block over the limit is a bad record and is not held.
  write_file(d / "big.warc", concat(w.records));
  const std::string e = error_of([&] { read_warc_all({(d / "big.warc").string()}, {.max_record_bytes = 16}); });
  CHECK(e.find("max_record_bytes") != std::string::npos);
}

TEST_CASE("io.warc.name.reaches_the_run_report.serial") {
  temp_dir d;
  const wet_file w = make_wet(3);
  write_file(d / "a.warc.wet", concat(w.records));
  std::vector<io::warc_record> got;
  auto r = mr::run(io::read_warc({(d / "a.warc.wet").string()}, {}, {}, "read_crawl") | mr::collect(got),
                   mr::serial_executor{});
  REQUIRE(got.size() == 4);
  REQUIRE(r.ops.size() >= 2);
  CHECK(r.ops[0].name == "read_crawl");
  CHECK(r.ops[0].records_out == 4);
  CHECK(r.ops[1].name == "read_crawl.check");
  // Without a name the ops keep the reader's own.
  auto r2 = mr::run(io::read_warc({(d / "a.warc.wet").string()}) | mr::collect(got), mr::serial_executor{});
  CHECK(r2.ops[0].name == "read_warc");
}
