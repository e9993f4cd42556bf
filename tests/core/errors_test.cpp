// An exception anywhere cancels the run and comes out of run() as operator_error naming the
// operator: with 1 and 2 threads, in chains and DAGs, from sources, stages and sinks. No hang.
#include <doctest/doctest.h>

#include <cstdint>
#include <numeric>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <millrace/core.hpp>

namespace mr = millrace;

namespace {
std::vector<int> iota_vec(int n) {
  std::vector<int> v(static_cast<std::size_t>(n));
  std::iota(v.begin(), v.end(), 0);
  return v;
}
struct custom_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `ordinal`: the failing record's index in the source's stream, when the error can know it (a
// per-record operator that every operator before it kept one record for each).
template <class P>
void expect_failure(const P& p, const std::string& op, const std::string& message,
                    std::optional<std::uint64_t> ordinal = std::nullopt) {
  const std::string where = ordinal ? "record " + std::to_string(*ordinal) + ": " : "";
  auto check = [&](const mr::operator_error& e) {
    CHECK(e.op_name() == op);
    CHECK(std::string(e.what()) == "operator '" + op + "': " + where + message);
    CHECK(e.reason() == message);
    CHECK(e.ordinal() == ordinal);
    CHECK(e.file().empty());
    CHECK(e.line() == 0);
    CHECK_FALSE(e.position().has_value());
    CHECK_THROWS_AS(std::rethrow_exception(e.original()), custom_error);
  };
  for (std::size_t threads : {1, 2, 4}) {
    CAPTURE(threads);
    bool thrown = false;
    try {
      mr::run(p, mr::cpu{.threads = threads, .batch_size = 16});
    } catch (const mr::operator_error& e) {
      thrown = true;
      check(e);
    }
    CHECK(thrown);
  }
  for (std::size_t batch : {1, 7, 16}) {
    CAPTURE(batch);
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

auto thrower_at(int n, const char* what) {
  return [n, what](int x) {
    if (x == n) throw custom_error(what);
    return x;
  };
}
struct throwing_stage {
  int at;
  std::vector<int> process(std::vector<int>&& b) {
    for (int x : b)
      if (x == at) throw custom_error("stage broke");
    return std::move(b);
  }
};
struct throwing_barrier {
  std::vector<int> all;
  std::vector<int> process(std::vector<int>&& b) {
    all.insert(all.end(), b.begin(), b.end());
    return {};
  }
  std::vector<int> finish() { throw custom_error("finish broke"); }
};
}  // namespace

TEST_CASE("errors.chain.map.1T_2T") {
  expect_failure(mr::from_range(iota_vec(10000)) | mr::map(thrower_at(5000, "bad record"), "parse") | mr::sink([](int) {}),
                 "parse", "bad record", 5000);
}

TEST_CASE("errors.chain.fused_middle_operator_is_named") {
  auto p = mr::from_range(iota_vec(1000)) | mr::map([](int x) { return x + 1; }, "first") |
           mr::filter([](int x) { if (x == 700) throw custom_error("filter broke"); return true; }, "middle") |
           mr::map([](int x) { return x; }, "last") | mr::sink([](int) {});
  expect_failure(p, "middle", "filter broke", 699);   // the record entering the stage, before "first" changed it
}

TEST_CASE("errors.chain.source") {
  auto p = mr::generate([i = 0]() mutable -> std::optional<int> {
             if (i == 300) throw custom_error("disk on fire");
             return i++;
           }, "reader") |
           mr::map([](int x) { return x; }) | mr::sink([](int) {});
  expect_failure(p, "reader", "disk on fire");
}

TEST_CASE("errors.chain.sink") {
  expect_failure(mr::from_range(iota_vec(1000)) | mr::sink([](int x) { if (x == 999) throw custom_error("full"); }, "writer"),
                 "writer", "full", 999);
}

TEST_CASE("errors.chain.stage_and_batch_map") {
  expect_failure(mr::from_range(iota_vec(1000)) | mr::stage(throwing_stage{321}, "dedup") | mr::sink([](int) {}), "dedup",
                 "stage broke");
  expect_failure(mr::from_range(iota_vec(1000)) | mr::batch_map([](std::vector<int>&& b) -> std::vector<int> {
                   if (!b.empty() && b.front() >= 512) throw custom_error("batch broke");
                   return std::move(b);
                 }, "bm") | mr::sink([](int) {}),
                 "bm", "batch broke");
}

TEST_CASE("errors.chain.barrier_finish") {
  expect_failure(mr::from_range(iota_vec(100)) | mr::stage(throwing_barrier{}, "sorter") | mr::sink([](int) {}), "sorter",
                 "finish broke");
}

TEST_CASE("errors.dag.inside_branch") {
  std::vector<int> side;
  auto p = mr::from_range(iota_vec(5000)) |
           mr::broadcast(mr::map(thrower_at(4000, "branch broke"), "deep") | mr::collect(side), mr::map([](int x) { return x; })) |
           mr::sink([](int) {});
  expect_failure(p, "deep", "branch broke", 4000);   // every branch sees whole batches
}

TEST_CASE("errors.dag.route_predicate") {
  auto p = mr::from_range(iota_vec(500)) |
           mr::route([](int x) { if (x == 250) throw custom_error("pred broke"); return x % 2 == 0; },
                     mr::map([](int x) { return x; }), mr::map([](int x) { return x; }), "router") |
           mr::sink([](int) {});
  expect_failure(p, "router", "pred broke", 250);
}

TEST_CASE("errors.dag.sink_after_merge") {
  auto p = mr::from_range(iota_vec(500)) |
           mr::broadcast(mr::map([](int x) { return x; }), mr::map([](int x) { return x; })) |
           mr::sink([](int x) { if (x == 400) throw custom_error("sink broke"); }, "final");
  expect_failure(p, "final", "sink broke");   // after a merge the ordinal is not known
}

TEST_CASE("errors.first_error_wins_and_pipeline_reusable") {
  auto p = mr::from_range(iota_vec(100)) | mr::map([](int x) { if (x >= 10) throw custom_error("many"); return x; }, "m") |
           mr::sink([](int) {});
  CHECK_THROWS_AS(mr::run(p, mr::cpu{.threads = 2, .batch_size = 1}), mr::operator_error);
  // a fresh, healthy run of another pipeline right after works
  CHECK(mr::to_vector(mr::from_range(iota_vec(10)) | mr::map([](int x) { return x; })) == iota_vec(10));
}

// ---- the failing record's origin --------------------------------------------------------------

TEST_CASE("errors.origin.flat_map_names_the_source_record") {
  // the record that entered the fused stage is the one named, not the flat_map's output
  auto p = mr::from_range(iota_vec(300)) | mr::flat_map([](int x) { return std::vector<int>{x, x}; }) |
           mr::map(thrower_at(123, "dup broke"), "after") | mr::sink([](int) {});
  expect_failure(p, "after", "dup broke", 123);
}

TEST_CASE("errors.origin.unknown_after_a_stage_that_changes_counts") {
  // a filter in an earlier stage, a batch operator or a barrier: record i of the batch is no
  // longer record first + i of the source, so no ordinal is claimed
  expect_failure(mr::from_range(iota_vec(1000)) | mr::filter([](int x) { return x % 2 == 0; }) |
                     mr::sink([](int x) { if (x == 400) throw custom_error("sink broke"); }, "out"),
                 "out", "sink broke");
  expect_failure(mr::from_range(iota_vec(1000)) |
                     mr::batch_map([](std::vector<int>&& b) { return std::move(b); }) | mr::map(thrower_at(600, "late")) |
                     mr::sink([](int) {}),
                 "map", "late");
  struct sorter {
    std::vector<int> all;
    std::vector<int> process(std::vector<int>&& b) {
      all.insert(all.end(), b.begin(), b.end());
      return {};
    }
    std::vector<int> finish() { return std::move(all); }
  };
  expect_failure(mr::from_range(iota_vec(100)) | mr::stage(sorter{}, "all") | mr::map(thrower_at(50, "after barrier"), "m") |
                     mr::sink([](int) {}),
                 "m", "after barrier");
}

TEST_CASE("errors.origin.kept_through_one_to_one_stages") {
  // map and inspect keep one record for each: a sink in the next stage still knows the ordinal
  expect_failure(mr::from_range(iota_vec(1000)) | mr::map([](int x) { return x * 2; }) | mr::inspect([](int) {}) |
                     mr::sink([](int x) { if (x == 1334) throw custom_error("sink broke"); }, "out"),
                 "out", "sink broke", 667);
}

namespace {
struct placed {
  int v = 0;
  mr::record_position position{};
};
}  // namespace

TEST_CASE("errors.origin.positioned_in_memory_records") {
  std::vector<placed> in;
  for (int i = 0; i < 200; ++i) in.push_back({i, {3, std::uint64_t(1000 + i)}});
  auto p = mr::from_range(in) | mr::map([](placed r) { if (r.v == 77) throw custom_error("bad v"); return r; }, "check") |
           mr::sink([](placed) {});
  for (std::size_t threads : {1, 3}) {
    try {
      mr::run(p, mr::cpu{.threads = threads, .batch_size = 8});
      FAIL("no error");
    } catch (const mr::operator_error& e) {
      CHECK(std::string(e.what()) == "operator 'check': record 77: bad v");
      REQUIRE(e.position().has_value());
      CHECK(*e.position() == mr::record_position{3, 1077});
      CHECK(e.ordinal() == std::optional<std::uint64_t>(77));
    }
  }
}

TEST_CASE("errors.origin.message_shapes") {
  const auto orig = std::make_exception_ptr(custom_error("boom"));
  auto origin = [](std::optional<std::uint64_t> ordinal, std::optional<mr::record_position> pos, std::string file,
                   std::size_t line) {
    mr::record_origin o;
    o.ordinal = ordinal;
    o.position = pos;
    o.file = std::move(file);
    o.line = line;
    return o;
  };
  auto what = [&](mr::record_origin o) { return std::string(mr::operator_error("op", orig, std::move(o)).what()); };
  CHECK(what({}) == "operator 'op': boom");
  CHECK(what(origin(6, {}, "", 0)) == "operator 'op': record 6: boom");
  CHECK(what(origin({}, {}, "a.jsonl", 7)) == "operator 'op': a.jsonl:7: boom");
  CHECK(what(origin(6, {}, "a.jsonl", 7)) == "operator 'op': a.jsonl:7 (record 6): boom");
  CHECK(what(origin({}, mr::record_position{0, 120}, "a.jsonl", 0)) == "operator 'op': a.jsonl: byte 120: boom");
  CHECK(what(origin({}, mr::record_position{2, 120}, "", 0)) == "operator 'op': record at (input 2, offset 120): boom");
  const mr::operator_error e("op", orig, origin(6, {}, "a.jsonl", 7));
  CHECK(e.reason() == "boom");
  CHECK(e.file() == "a.jsonl");
  CHECK(e.line() == 7);
  CHECK(e.ordinal() == std::optional<std::uint64_t>(6));
}
