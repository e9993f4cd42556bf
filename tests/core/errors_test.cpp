// An exception anywhere cancels the run and comes out of run() as operator_error naming the
// operator: with 1 and 2 threads, in chains and DAGs, from sources, stages and sinks. No hang.
#include <doctest/doctest.h>

#include <numeric>
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

template <class P>
void expect_failure(const P& p, const std::string& op, const std::string& message) {
  for (std::size_t threads : {1, 2}) {
    CAPTURE(threads);
    bool thrown = false;
    try {
      mr::run(p, mr::cpu{.threads = threads, .batch_size = 16});
    } catch (const mr::operator_error& e) {
      thrown = true;
      CHECK(e.op_name() == op);
      CHECK(std::string(e.what()) == "operator '" + op + "': " + message);
      CHECK_THROWS_AS(std::rethrow_exception(e.original()), custom_error);
    }
    CHECK(thrown);
  }
  bool thrown = false;
  try {
    mr::run(p, mr::serial_executor{.batch_size = 16});
  } catch (const mr::operator_error& e) {
    thrown = e.op_name() == op;
  }
  CHECK(thrown);
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
                 "parse", "bad record");
}

TEST_CASE("errors.chain.fused_middle_operator_is_named") {
  auto p = mr::from_range(iota_vec(1000)) | mr::map([](int x) { return x + 1; }, "first") |
           mr::filter([](int x) { if (x == 700) throw custom_error("filter broke"); return true; }, "middle") |
           mr::map([](int x) { return x; }, "last") | mr::sink([](int) {});
  expect_failure(p, "middle", "filter broke");
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
                 "writer", "full");
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
  expect_failure(p, "deep", "branch broke");
}

TEST_CASE("errors.dag.route_predicate") {
  auto p = mr::from_range(iota_vec(500)) |
           mr::route([](int x) { if (x == 250) throw custom_error("pred broke"); return x % 2 == 0; },
                     mr::map([](int x) { return x; }), mr::map([](int x) { return x; }), "router") |
           mr::sink([](int) {});
  expect_failure(p, "router", "pred broke");
}

TEST_CASE("errors.dag.sink_after_merge") {
  auto p = mr::from_range(iota_vec(500)) |
           mr::broadcast(mr::map([](int x) { return x; }), mr::map([](int x) { return x; })) |
           mr::sink([](int x) { if (x == 400) throw custom_error("sink broke"); }, "final");
  expect_failure(p, "final", "sink broke");
}

TEST_CASE("errors.first_error_wins_and_pipeline_reusable") {
  auto p = mr::from_range(iota_vec(100)) | mr::map([](int x) { if (x >= 10) throw custom_error("many"); return x; }, "m") |
           mr::sink([](int) {});
  CHECK_THROWS_AS(mr::run(p, mr::cpu{.threads = 2, .batch_size = 1}), mr::operator_error);
  // a fresh, healthy run of another pipeline right after works
  CHECK(mr::to_vector(mr::from_range(iota_vec(10)) | mr::map([](int x) { return x; })) == iota_vec(10));
}
