// Conformance of the keyed exchange and what it stands on: serializer round trips and garbled
// input, run files (truncated / byte-flipped files detected), the external sorter (equal to
// std::stable_sort from "everything fits" to "a run per ~100 records", multi-pass merges), temporary
// files removed after success, after an error downstream and after a spill error, and the exchange
// stage giving one output for every executor, batch size, budget and partition count.
#include <doctest/doctest.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <vector>

#include <millrace/core.hpp>
#include <millrace/core/exchange.hpp>

#include <mrtest/files.hpp>
#include <mrtest/temp_dir.hpp>

namespace mr = millrace;
namespace fs = std::filesystem;

// ---- a user type with its own serializer ---------------------------------------------------
namespace {
struct item {
  std::uint64_t key = 0;
  std::uint32_t seq = 0;  // input order, to check stability
  std::string payload;
  friend bool operator==(const item&, const item&) = default;
};
}  // namespace

template <>
struct millrace::serializer<item> {
  static void write(std::string& out, const item& v) { mr::write_fields(out, v.key, v.seq, v.payload); }
  static void read(std::string_view& in, item& v) { mr::read_fields(in, v.key, v.seq, v.payload); }
  static std::size_t size(const item& v) { return mr::fields_size(v.key, v.seq, v.payload); }
};

namespace {

struct not_serializable {
  std::string s;
};
struct pod {
  std::int32_t a;
  double b;
  char c[3];
  friend bool operator==(const pod& x, const pod& y) { return x.a == y.a && x.b == y.b && std::equal(x.c, x.c + 3, y.c); }
};
enum class color : std::uint8_t { red = 1, green = 2 };

static_assert(mr::serializable<int>);
static_assert(mr::serializable<pod>);
static_assert(mr::serializable<std::vector<std::pair<std::string, std::optional<int>>>>);
static_assert(mr::serializable<item>);
static_assert(!mr::serializable<not_serializable>);
static_assert(!mr::serializable<int*>);
static_assert(!mr::serializable<std::vector<not_serializable>>);

template <class T>
void check_round_trip(const T& v) {
  std::string bytes;
  mr::serializer<T>::write(bytes, v);
  CHECK(bytes.size() == mr::serializer<T>::size(v));
  std::string_view in(bytes);
  T back{};
  mr::serializer<T>::read(in, back);
  CHECK(in.empty());
  CHECK(back == v);
  // every proper prefix is short input: an exception, never a value (nor UB)
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    std::string_view part(bytes.data(), cut);
    T x{};
    CHECK_THROWS_AS(mr::serializer<T>::read(part, x), mr::format_error);
  }
}

std::vector<item> make_items(std::size_t n, std::uint64_t keys, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::vector<item> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    v[i].key = rng() % keys;
    v[i].seq = static_cast<std::uint32_t>(i);
    v[i].payload = std::string(rng() % 24, char('a' + rng() % 26));
  }
  return v;
}

// What the exchange must produce, computed without it: partition by exchange_hash % P, each
// partition stable-sorted by key, partitions in order.
std::vector<item> expected_exchange(const std::vector<item>& in, std::size_t P) {
  std::vector<std::vector<item>> parts(P);
  for (const auto& r : in) parts[mr::exchange_hash<std::uint64_t>{}(r.key) % P].push_back(r);
  std::vector<item> out;
  for (auto& p : parts) {
    std::stable_sort(p.begin(), p.end(), [](const item& a, const item& b) { return a.key < b.key; });
    out.insert(out.end(), p.begin(), p.end());
  }
  return out;
}

using key_seq = std::pair<std::uint32_t, std::uint32_t>;
struct by_first {
  bool operator()(const key_seq& a, const key_seq& b) const { return a.first < b.first; }
};

std::vector<key_seq> make_pairs(std::size_t n, std::uint32_t keys, unsigned seed) {
  std::mt19937 rng(seed);
  std::vector<key_seq> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = {rng() % keys, static_cast<std::uint32_t>(i)};
  return v;
}

template <class T, class L>
std::vector<T> drain(mr::sorted_reader<T, L>& r, std::size_t batch = 0) {
  std::vector<T> out;
  if (batch == 0) {
    for (T x; r.next(x);) out.push_back(x);
  } else {
    while (r.read(out, batch) == batch) {
    }
  }
  return out;
}

bool running_as_root() { return ::geteuid() == 0; }

}  // namespace

// ---- serializer ------------------------------------------------------------------------------
TEST_CASE("serialize.round_trip.builtins") {
  check_round_trip(std::int32_t(-7));
  check_round_trip(std::uint64_t(0xdeadbeefcafef00dull));
  check_round_trip(3.25);
  check_round_trip(true);
  check_round_trip(color::green);
  check_round_trip(pod{-3, 2.5, {'x', '\0', 'z'}});
  check_round_trip(std::string());
  check_round_trip(std::string("with\0nul", 8));
  check_round_trip(std::string(300, 'q'));  // a two-byte length
  check_round_trip(std::u32string(U"\u00e9t\u00e9"));
  check_round_trip(std::vector<std::int64_t>{1, -2, 3});
  check_round_trip(std::vector<std::string>{"", "a", std::string(200, 'b')});
  check_round_trip(std::vector<bool>{true, false, true});
  check_round_trip(std::pair<int, std::string>{4, "four"});
  check_round_trip(std::tuple<std::uint8_t, std::string, std::vector<double>>{9, "t", {1.5, -0.0}});
  check_round_trip(std::optional<std::string>{});
  check_round_trip(std::optional<std::string>{"here"});
  check_round_trip(std::optional<int>{12});
  check_round_trip(std::vector<std::optional<std::pair<int, std::string>>>{std::nullopt, std::pair{1, std::string("x")}});
}

TEST_CASE("serialize.round_trip.user_specialization") {
  check_round_trip(item{42, 7, "payload"});
  const auto b = mr::to_bytes(item{1, 2, "xyz"});
  CHECK(mr::from_bytes<item>(b) == item{1, 2, "xyz"});
  CHECK_THROWS_AS(mr::from_bytes<item>(b + "!"), mr::format_error);  // bytes left over
}

TEST_CASE("serialize.garbled_input_is_an_error") {
  std::string bad_bool(1, '\x02');
  std::string_view in(bad_bool);
  bool b = false;
  CHECK_THROWS_AS(mr::serializer<bool>::read(in, b), mr::format_error);

  std::string bad_flag(1, '\x07');
  std::string_view in2(bad_flag);
  std::optional<int> o;
  CHECK_THROWS_AS(mr::serializer<std::optional<int>>::read(in2, o), mr::format_error);

  // a length claiming 2^62 elements: an error, not an allocation of that size
  std::string huge;
  mr::write_varint(huge, std::uint64_t(1) << 62);
  huge += "abc";
  std::string_view in3(huge);
  std::vector<std::uint64_t> v;
  CHECK_THROWS_AS(mr::serializer<std::vector<std::uint64_t>>::read(in3, v), mr::format_error);
  std::string_view in4(huge);
  std::string s;
  CHECK_THROWS_AS(mr::serializer<std::string>::read(in4, s), mr::format_error);

  std::string overlong(11, '\xff');  // a varint longer than 64 bits
  std::string_view in5(overlong);
  CHECK_THROWS_AS(mr::read_varint(in5), mr::format_error);
}

// ---- run files -------------------------------------------------------------------------------
TEST_CASE("spill.run_file.round_trip_and_commit") {
  mrtest::temp_dir d;
  const auto items = make_items(5000, 100, 1);
  const auto path = d.path / "items.mrrun";
  {
    mr::run_writer<item> w(path, {.fsync = true, .block_bytes = 700});
    w.write_all(items);
    CHECK_FALSE(fs::exists(path));  // only a hidden temporary until commit
    w.commit();
  }
  CHECK(d.entries() == std::vector<std::string>{"items.mrrun"});
  mr::run_reader<item> r(path);
  CHECK(r.size() == items.size());
  std::vector<item> back;
  while (r.read(back, 333) == 333) {
  }
  CHECK(back == items);
  item extra;
  CHECK_FALSE(r.next(extra));

  mr::run_writer<item> empty(d.path / "empty.mrrun");
  empty.commit();
  mr::run_reader<item> er(d.path / "empty.mrrun");
  CHECK(er.size() == 0);
  CHECK_FALSE(er.next(extra));
}

TEST_CASE("spill.run_file.uncommitted_is_removed") {
  mrtest::temp_dir d;
  {
    mr::run_writer<item> w(d.path / "x.mrrun");
    w.write_all(make_items(100, 10, 2));
  }
  CHECK(d.entries().empty());
}

TEST_CASE("spill.run_file.truncated_is_detected") {
  mrtest::temp_dir d;
  const auto items = make_items(2000, 50, 3);
  const auto path = d.path / "t.mrrun";
  mr::run_writer<item> w(path, {.block_bytes = 512});
  w.write_all(items);
  w.commit();
  const std::string whole = mrtest::read_file(path);
  for (std::size_t cut : {std::size_t(0), std::size_t(10), std::size_t(40), whole.size() / 2, whole.size() - 33,
                          whole.size() - 32, whole.size() - 1}) {
    CAPTURE(cut);
    mrtest::write_file(path, whole.substr(0, cut));
    try {
      mr::run_reader<item> r(path);
      std::vector<item> got;
      r.read(got, items.size() + 1);
      FAIL("a truncated file was read without an error");
    } catch (const mr::spill_error& e) {
      const std::string what = e.what();
      CHECK(what.find(path.string()) != std::string::npos);
      CHECK((what.find("truncated") != std::string::npos || what.find("footer") != std::string::npos));
    }
  }
}

TEST_CASE("spill.run_file.every_flipped_byte_is_detected") {
  mrtest::temp_dir d;
  const auto items = make_items(120, 20, 4);
  const auto path = d.path / "f.mrrun";
  mr::run_writer<item> w(path, {.block_bytes = 300});
  w.write_all(items);
  w.commit();
  const std::string whole = mrtest::read_file(path);
  REQUIRE(whole.size() > 1000);
  std::size_t detected = 0;
  auto poke = [&](std::size_t i, char c) {  // one byte in place: cheaper than rewriting the file
    const int fd = ::open(path.c_str(), O_WRONLY);
    REQUIRE(fd >= 0);
    REQUIRE(::pwrite(fd, &c, 1, off_t(i)) == 1);
    ::close(fd);
  };
  for (std::size_t i = 0; i < whole.size(); ++i) {
    poke(i, static_cast<char>(whole[i] ^ 0x20));
    bool caught = false;
    try {
      mr::run_reader<item> r(path);
      std::vector<item> got;
      r.read(got, items.size() + 1);
    } catch (const mr::spill_error& e) {
      CHECK(std::string(e.what()).find(path.string()) != std::string::npos);
      caught = true;
    }
    poke(i, whole[i]);
    if (!caught) FAIL("flipping byte " << i << " went unnoticed");
    ++detected;
  }
  CHECK(detected == whole.size());
}

// ---- the external sorter -----------------------------------------------------------------------
TEST_CASE("spill.sorter.equals_stable_sort") {
  const auto input = make_pairs(100000, 1000, 5);
  auto expected = input;
  std::stable_sort(expected.begin(), expected.end(), by_first{});
  const std::size_t per_record = mr::serializer<key_seq>::size({}) + sizeof(key_seq);  // the accounting

  struct budget_case {
    const char* name;
    std::size_t budget;
  };
  for (auto c : {budget_case{"everything_fits", std::size_t(1) << 30}, budget_case{"64KiB", std::size_t(64) << 10},
                 budget_case{"run_per_100_records", 100 * per_record}}) {
    CAPTURE(c.name);
    mrtest::temp_dir d;
    mr::external_sorter<key_seq, by_first> s({.memory_budget = c.budget, .tmp_dir = d.path});
    auto copy = input;
    for (std::size_t i = 0; i < copy.size(); i += 777) {  // both push forms
      if (i % 2) {
        std::vector<key_seq> chunk(copy.begin() + std::ptrdiff_t(i),
                                   copy.begin() + std::ptrdiff_t(std::min(copy.size(), i + 777)));
        s.push(std::move(chunk));
      } else {
        for (std::size_t k = i; k < std::min(copy.size(), i + 777); ++k) s.push(std::move(copy[k]));
      }
    }
    CHECK(s.stats().peak_buffered_bytes <= c.budget + per_record);
    auto r = s.finish();
    const auto& st = r.stats();
    CHECK(st.records == input.size());
    if (c.budget >= (std::size_t(1) << 30)) {
      CHECK(st.runs == 0);
      CHECK(st.bytes_spilled == 0);
      CHECK(d.entries().empty());  // nothing touched the disk
    } else {
      CHECK(st.runs > 1);
      CHECK(st.bytes_spilled > 0);
      const auto top = d.top_entries();  // the private directory, while the reader reads
      REQUIRE(top.size() == 1);
      CHECK(top[0].rfind("millrace-spill-", 0) == 0);
    }
    if (c.budget == 100 * per_record) {
      CHECK(st.runs > mr::detail::spill::fan_in_for(c.budget));
      CHECK(st.merge_passes > 1);  // multi-pass
    }
    CHECK(drain(r, c.budget == (std::size_t(64) << 10) ? 1000 : 0) == expected);
    CHECK(d.entries().empty());  // exhausted: files and directory gone
  }
}

TEST_CASE("spill.sorter.million_records_tiny_budget") {
  const auto input = make_pairs(1000000, 5000, 6);
  auto expected = input;
  std::stable_sort(expected.begin(), expected.end(), by_first{});
  mrtest::temp_dir d;
  mr::external_sorter<key_seq, by_first> s({.memory_budget = 8 << 10, .tmp_dir = d.path});
  for (auto x : input) s.push(std::move(x));
  CHECK(s.stats().peak_buffered_bytes <= (8 << 10) + 16);
  auto r = s.finish();
  CHECK(r.stats().runs > 100);
  CHECK(r.stats().merge_passes > 1);
  CHECK(drain(r, 4096) == expected);
  CHECK(d.entries().empty());
}

TEST_CASE("spill.sorter.strings_and_destroyed_reader") {
  std::mt19937 rng(7);
  std::vector<std::string> input(20000);
  for (auto& x : input) x = std::string(rng() % 40, char('a' + rng() % 3));
  auto expected = input;
  std::stable_sort(expected.begin(), expected.end());
  mrtest::temp_dir d;
  {
    mr::external_sorter<std::string> s({.memory_budget = 4096, .tmp_dir = d.path});
    for (auto x : input) s.push(std::move(x));
    auto r = s.finish();
    std::string first;
    REQUIRE(r.next(first));
    CHECK(first == expected.front());
    CHECK_FALSE(d.entries().empty());
  }  // destroyed half-read
  CHECK(d.entries().empty());
  {
    mr::external_sorter<std::string> s({.memory_budget = 4096, .tmp_dir = d.path});
    for (auto x : input) s.push(std::move(x));
    CHECK(s.runs_on_disk() > 0);
  }  // destroyed without finish()
  CHECK(d.entries().empty());
  mr::external_sorter<std::string> s({.memory_budget = 4096, .tmp_dir = d.path});
  for (auto x : input) s.push(std::move(x));
  auto r = s.finish();
  CHECK(drain(r) == expected);
}

TEST_CASE("spill.sorter.finish_to_runs_then_merge") {
  const auto input = make_pairs(30000, 300, 8);
  auto expected = input;
  std::stable_sort(expected.begin(), expected.end(), by_first{});
  for (std::size_t budget : {std::size_t(1) << 30, std::size_t(4000)}) {
    CAPTURE(budget);
    mrtest::temp_dir tmp, keep;
    mr::external_sorter<key_seq, by_first> s({.memory_budget = budget, .tmp_dir = tmp.path});
    for (auto x : input) s.push(std::move(x));
    const auto runs = s.finish_to_runs(keep.path);
    CHECK(tmp.entries().empty());
    CHECK(keep.entries().size() == runs.size());
    CHECK((budget > 4000 ? runs.size() == 1 : runs.size() > 16));
    auto r = mr::external_sorter<key_seq, by_first>::merge(runs, {.memory_budget = 4000, .tmp_dir = tmp.path});
    auto got = drain(r);
    CHECK(got == expected);
    if (runs.size() > mr::detail::spill::fan_in_for(4000)) CHECK(r.stats().merge_passes > 1);
    CHECK(tmp.entries().empty());                      // intermediates removed
    CHECK(keep.entries().size() == runs.size());       // the caller's files kept
    for (const auto& f : runs) CHECK(fs::exists(f));
  }
}

TEST_CASE("spill.sorter.missing_or_unwritable_tmp_dir_names_it") {
  mrtest::temp_dir d;
  const auto missing = d.path / "does-not-exist";
  auto spill_into = [](const fs::path& dir) {
    mr::external_sorter<std::uint64_t> s({.memory_budget = 256, .tmp_dir = dir});
    for (std::uint64_t i = 0; i < 1000; ++i) s.push(std::uint64_t(i));
  };
  try {
    spill_into(missing);
    FAIL("spilling into a missing directory succeeded");
  } catch (const mr::spill_error& e) {
    CHECK(std::string(e.what()).find(missing.string()) != std::string::npos);
  }
  const auto file = d.path / "a-file";
  mrtest::write_file(file, "x");
  try {
    spill_into(file);
    FAIL("spilling into a regular file succeeded");
  } catch (const mr::spill_error& e) {
    CHECK(std::string(e.what()).find(file.string()) != std::string::npos);
  }
  if (!running_as_root()) {  // root ignores the mode
    const auto locked = d.path / "locked";
    fs::create_directory(locked);
    fs::permissions(locked, fs::perms::owner_read | fs::perms::owner_exec);
    try {
      spill_into(locked);
      FAIL("spilling into a read-only directory succeeded");
    } catch (const mr::spill_error& e) {
      CHECK(std::string(e.what()).find(locked.string()) != std::string::npos);
      CHECK(std::string(e.what()).find("Permission denied") != std::string::npos);
    }
    fs::permissions(locked, fs::perms::owner_all);
    CHECK(fs::is_empty(locked));
  }
  // the in-memory case never looks at the directory
  mr::external_sorter<std::uint64_t> fits({.tmp_dir = missing});
  for (std::uint64_t i = 0; i < 1000; ++i) fits.push(1000 - i);
  auto r = fits.finish();
  CHECK(drain(r).front() == 1);
}

namespace {
// Files may not grow past `bytes` while it lives (RLIMIT_FSIZE; the write fails with EFBIG
// instead of a SIGXFSZ): a disk that fills up, inside this process.
struct file_size_limit {
  rlimit old{};
  void (*old_handler)(int);
  explicit file_size_limit(rlim_t bytes) {
    old_handler = std::signal(SIGXFSZ, SIG_IGN);
    ::getrlimit(RLIMIT_FSIZE, &old);
    rlimit lim = old;
    lim.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &lim);
  }
  ~file_size_limit() {
    ::setrlimit(RLIMIT_FSIZE, &old);
    std::signal(SIGXFSZ, old_handler);
  }
};
}  // namespace

TEST_CASE("spill.sorter.write_failure_mid_spill_leaves_nothing") {
  mrtest::temp_dir d;
  mr::external_sorter<key_seq, by_first> s({.memory_budget = 64 << 10, .tmp_dir = d.path});
  const auto input = make_pairs(50000, 100, 9);
  try {
    file_size_limit limit(20000);  // the first run (64 KiB) cannot be written whole
    for (auto x : input) s.push(std::move(x));
    FAIL("no error although no run could be written");
  } catch (const mr::spill_error& e) {
    const std::string what = e.what();
    CHECK(what.find(d.path.string()) != std::string::npos);
    CHECK(what.find("File too large") != std::string::npos);
  }
  CHECK(d.entries().empty());  // the partial run and the private directory are gone at once
  CHECK_THROWS_AS(s.push(key_seq{1, 1}), std::logic_error);
}

// Run by faults.exchange.spill_enospc (tests/faults) under the fault shim: a real ENOSPC from
// write(2) at the Nth write; skipped in the plain run.
TEST_CASE("spill.fault_injected.enospc" * doctest::skip()) {  // also eio, and a failed rename
  const char* fault = std::getenv("MILLRACE_FAULT");
  REQUIRE_MESSAGE(fault != nullptr, "run under tests/faults' shim with MILLRACE_FAULT=write:N:enospc");
  mrtest::temp_dir d;
  const auto input = make_items(40000, 500, 10);
  try {
    mr::run(mr::from_range(input) |
                mr::exchange([](const item& r) { return r.key; },
                             {.partitions = 3, .spill = {.memory_budget = 16 << 10, .tmp_dir = d.path}}) |
                mr::sink([](item&&) {}),
            mr::cpu{.threads = 2, .batch_size = 64});
    FAIL("the run succeeded under " << fault);
  } catch (const mr::operator_error& e) {
    const std::string what = e.what();
    CHECK(e.op_name() == "exchange");
    const bool eio = std::string(fault).ends_with(":eio");
    CHECK(what.find(eio ? "Input/output error" : "No space left on device") != std::string::npos);
    CHECK(what.find(d.path.string()) != std::string::npos);
  }
  CHECK(d.entries().empty());
}

// ---- the exchange stage ------------------------------------------------------------------------
TEST_CASE("exchange.same_output.executors_batches_budgets_partitions") {
  const auto input = make_items(6000, 200, 11);
  for (std::size_t P : {std::size_t(1), std::size_t(3)}) {
    const auto expected = expected_exchange(input, P);
    for (std::size_t budget : {std::size_t(2) << 10, std::size_t(1) << 30}) {
      for (std::size_t bs : {std::size_t(1), std::size_t(7), std::size_t(1024)}) {
        for (int threads : {0, 2}) {  // 0: serial_executor
          CAPTURE(P);
          CAPTURE(budget);
          CAPTURE(bs);
          CAPTURE(threads);
          mrtest::temp_dir d;
          auto stats = std::make_shared<mr::spill_stats>();
          std::vector<item> out;
          auto p = mr::from_range(input) |
                   mr::exchange([](const item& r) { return r.key; },
                                {.partitions = P, .spill = {.memory_budget = budget, .tmp_dir = d.path}, .stats = stats}) |
                   mr::collect(out);
          const auto rep = threads ? mr::run(p, mr::cpu{.threads = std::size_t(threads), .batch_size = bs})
                                   : mr::run(p, mr::serial_executor{.batch_size = bs});
          CHECK(out == expected);
          CHECK(d.entries().empty());
          CHECK(stats->records == input.size());
          if (budget < 4096) {
            CHECK(stats->runs > 1);
            CHECK(stats->peak_buffered_bytes <= budget + 200);
          } else {
            CHECK(stats->runs == 0);
          }
          bool found = false;
          for (const auto& o : rep.ops)
            if (o.name == "exchange") {
              found = true;
              CHECK(o.kind == "exchange");
              CHECK(o.records_in == input.size());
              CHECK(o.records_out == input.size());
            }
          CHECK(found);
          CHECK(rep.records_out() == input.size());
        }
      }
    }
  }
}

TEST_CASE("exchange.in_memory.never_touches_disk") {
  mrtest::temp_dir d;
  const auto missing = d.path / "no-such-dir";
  auto stats = std::make_shared<mr::spill_stats>();
  const auto input = make_items(3000, 50, 12);
  std::vector<item> out;
  mr::run(mr::from_range(input) |
              mr::exchange([](const item& r) { return r.key; }, {.partitions = 2, .spill = {.tmp_dir = missing}, .stats = stats}) |
              mr::collect(out),
          mr::cpu{.threads = 2});
  CHECK(out == expected_exchange(input, 2));
  CHECK(stats->runs == 0);
  CHECK(stats->bytes_spilled == 0);
  CHECK_FALSE(fs::exists(missing));
}

TEST_CASE("exchange.identity_key.and_chained_exchanges") {
  std::vector<int> in(5000);
  std::mt19937 rng(13);
  for (auto& x : in) x = int(rng() % 1000) - 500;
  auto sorted = in;
  std::stable_sort(sorted.begin(), sorted.end());
  mrtest::temp_dir d;
  std::vector<int> out;
  mr::run(mr::from_range(in) | mr::exchange({.spill = {.memory_budget = 1024, .tmp_dir = d.path}}) |
              mr::map([](int x) { return -x; }) |
              mr::exchange([](int x) { return x; }, {.spill = {.memory_budget = 1 << 20, .tmp_dir = d.path}}, "second") |
              mr::collect(out),
          mr::cpu{.threads = 2, .batch_size = 100});
  std::vector<int> neg;
  for (auto x : sorted) neg.push_back(-x);
  std::stable_sort(neg.begin(), neg.end());
  CHECK(out == neg);
  CHECK(d.entries().empty());
}

namespace {
struct pitem {
  mr::record_position position;
  std::uint32_t key = 0;
  friend bool operator==(const pitem&, const pitem&) = default;
};
}  // namespace

TEST_CASE("exchange.positioned.ties_by_position_even_unordered") {
  // An unordered executor hands the exchange batches out of input order; records that carry a
  // position still tie-break by it, so the exchange's output is the same. The collect after it is
  // unordered too: it gets the exchange's batches (batch_size records each, the last one shorter)
  // in any order, so the check puts whole batches back in order and compares record by record.
  std::vector<pitem> in(20000);  // a multiple of the batch size: every output batch is full
  std::mt19937 rng(14);
  for (std::size_t i = 0; i < in.size(); ++i) in[i] = {{i % 3, i}, std::uint32_t(rng() % 50)};
  auto expected = in;
  std::sort(expected.begin(), expected.end(),
            [](const pitem& a, const pitem& b) { return std::tie(a.key, a.position) < std::tie(b.key, b.position); });
  mrtest::temp_dir d;
  std::vector<pitem> out;
  mr::run(mr::from_range(in) | mr::inspect([](const pitem& p) {
            if (p.position.offset % 401 == 0) std::this_thread::sleep_for(std::chrono::microseconds(300));
          }) | mr::exchange([](const pitem& p) { return p.key; }, {.spill = {.memory_budget = 4096, .tmp_dir = d.path}}) |
              mr::collect(out),
          mr::cpu{.threads = 2, .batch_size = 16, .ordered = false});
  REQUIRE(out.size() == expected.size());
  const auto by_key_then_position = [](const pitem& a, const pitem& b) {
    return std::tie(a.key, a.position) < std::tie(b.key, b.position);
  };
  std::vector<std::vector<pitem>> batches;
  for (std::size_t i = 0; i < out.size(); i += 16)
    batches.emplace_back(out.begin() + std::ptrdiff_t(i), out.begin() + std::ptrdiff_t(std::min(out.size(), i + 16)));
  std::sort(batches.begin(), batches.end(),
            [&](const auto& a, const auto& b) { return by_key_then_position(a.front(), b.front()); });
  std::vector<pitem> reassembled;
  for (const auto& b : batches) reassembled.insert(reassembled.end(), b.begin(), b.end());
  CHECK(reassembled == expected);
}

TEST_CASE("exchange.downstream_throws.temp_files_removed") {
  mrtest::temp_dir d;
  const auto input = make_items(20000, 1000, 15);
  for (int threads : {0, 2}) {
    CAPTURE(threads);
    auto stats = std::make_shared<mr::spill_stats>();
    std::size_t seen = 0;
    auto p = mr::from_range(input) |
             mr::exchange([](const item& r) { return r.key; },
                          {.partitions = 3, .spill = {.memory_budget = 4096, .tmp_dir = d.path}, .stats = stats}) |
             mr::sink([&](item&&) {
               if (++seen == 5000) throw std::runtime_error("downstream failure");
             });
    try {
      if (threads)
        mr::run(p, mr::cpu{.threads = 2, .batch_size = 64});
      else
        mr::run(p, mr::serial_executor{.batch_size = 64});
      FAIL("the run did not fail");
    } catch (const std::exception& e) {
      CHECK(std::string(e.what()).find("downstream failure") != std::string::npos);
    }
    CHECK(seen >= 5000);
    CHECK(d.entries().empty());
  }
}

TEST_CASE("exchange.upstream_throws_mid_spill.temp_files_removed") {
  mrtest::temp_dir d;
  const auto input = make_items(20000, 1000, 16);
  auto p = mr::from_range(input) | mr::map([](item r) {
             if (r.seq == 15000) throw std::runtime_error("upstream failure");
             return r;
           }) |
           mr::exchange([](const item& r) { return r.key; }, {.partitions = 2, .spill = {.memory_budget = 2048, .tmp_dir = d.path}}) |
           mr::sink([](item&&) {});
  CHECK_THROWS_WITH_AS(mr::run(p, mr::cpu{.threads = 2, .batch_size = 32}), doctest::Contains("upstream failure"),
                       mr::operator_error);
  CHECK(d.entries().empty());
}

TEST_CASE("exchange.spill_error.names_directory_and_leaves_nothing") {
  mrtest::temp_dir d;
  const auto missing = d.path / "gone";
  const auto input = make_items(5000, 100, 17);
  auto p = mr::from_range(input) |
           mr::exchange([](const item& r) { return r.key; }, {.spill = {.memory_budget = 1024, .tmp_dir = missing}}) |
           mr::sink([](item&&) {});
  try {
    mr::run(p, mr::serial_executor{});
    FAIL("spilling into a missing directory succeeded");
  } catch (const mr::operator_error& e) {
    CHECK(e.op_name() == "exchange");
    CHECK(std::string(e.what()).find(missing.string()) != std::string::npos);
  }
  CHECK(d.entries().empty());

  try {
    file_size_limit limit(8000);
    mr::run(mr::from_range(input) |
                mr::exchange([](const item& r) { return r.key; }, {.spill = {.memory_budget = 32 << 10, .tmp_dir = d.path}}) |
                mr::sink([](item&&) {}),
            mr::cpu{.threads = 2});
    FAIL("no error although no run could be written");
  } catch (const mr::operator_error& e) {
    CHECK(std::string(e.what()).find(d.path.string()) != std::string::npos);
  }
  CHECK(d.entries().empty());
}

TEST_CASE("exchange.same_pipeline_twice.same_output") {
  mrtest::temp_dir d;
  const auto input = make_items(4000, 30, 18);
  std::vector<item> out;
  auto p = mr::from_range(input) |
           mr::exchange([](const item& r) { return r.key; }, {.partitions = 3, .spill = {.memory_budget = 2048, .tmp_dir = d.path}}) |
           mr::collect(out);
  mr::run(p, mr::cpu{.threads = 2});
  const auto first = out;
  out.clear();
  mr::run(p, mr::cpu{.threads = 2});
  CHECK(out == first);
  CHECK(first == expected_exchange(input, 3));
}
