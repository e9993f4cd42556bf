// Conformance of non-linear graphs: broadcast, route, merge; lowered to tbb::flow::graph.
#include <doctest/doctest.h>

#include <algorithm>
#include <numeric>
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
/// The documented merge: per input batch, branch outputs concatenated in branch order.
std::vector<int> expected_broadcast(const std::vector<int>& in, std::size_t bs) {
  std::vector<int> out;
  for (std::size_t b = 0; b < in.size(); b += bs) {
    const std::size_t e = std::min(in.size(), b + bs);
    for (std::size_t i = b; i < e; ++i) out.push_back(in[i] * 10);
    for (std::size_t i = b; i < e; ++i)
      if (in[i] % 2 == 0) out.push_back(in[i]);
  }
  return out;
}
struct running_count {  // serial stage inside a branch: order-dependent
  int n = 0;
  std::vector<int> process(std::vector<int>&& b) {
    for (auto& x : b) x = x * 1000 + (n++ % 1000);
    return std::move(b);
  }
};
}  // namespace

TEST_CASE("broadcast.2branches.merge_per_batch") {
  const auto in = iota_vec(1000);
  auto p = mr::from_range(in) | mr::broadcast(mr::map([](int x) { return x * 10; }), mr::filter([](int x) { return x % 2 == 0; }));
  for (std::size_t bs : {1, 16, 1000}) {
    const auto expect = expected_broadcast(in, bs);
    CHECK(mr::to_vector(p, mr::serial_executor{.batch_size = bs}) == expect);
    CHECK(mr::to_vector(p, mr::cpu{.threads = 1, .batch_size = bs}) == expect);
    CHECK(mr::to_vector(p, mr::cpu{.threads = 2, .batch_size = bs}) == expect);
  }
}

TEST_CASE("broadcast.sink_branch.gets_every_record_in_order") {
  std::vector<int> side, main_out;
  auto p = mr::from_range(iota_vec(3000)) |
           mr::broadcast(mr::map([](int x) { return -x; }) | mr::collect(side, "side"), mr::map([](int x) { return x + 1; })) |
           mr::collect(main_out, "main");
  auto rep = mr::run(p, mr::cpu{.threads = 2, .batch_size = 8});
  REQUIRE(side.size() == 3000);
  REQUIRE(main_out.size() == 3000);
  for (int i = 0; i < 3000; ++i) {
    CHECK(side[std::size_t(i)] == -i);
    CHECK(main_out[std::size_t(i)] == i + 1);
  }
  CHECK(rep.find("side")->records_in == 3000);
  CHECK(rep.find("main")->records_in == 3000);
  CHECK(rep.find("broadcast")->records_in == 3000);
}

TEST_CASE("broadcast.named.reports_under_its_name") {
  // The trailing name, as every operator's: two broadcasts in one pipeline are told apart.
  std::vector<int> out;
  const std::string second = "fan-out 2";
  auto p = mr::from_range(iota_vec(500)) |
           mr::broadcast(mr::map([](int x) { return x; }), mr::filter([](int x) { return x < 10; }), "fan-out 1") |
           mr::broadcast(mr::filter([](int x) { return x % 2 == 0; }), mr::filter([](int) { return false; }), second) |
           mr::collect(out);
  auto rep = mr::run(p, mr::cpu{.threads = 2, .batch_size = 16});
  REQUIRE(rep.find("fan-out 1"));
  REQUIRE(rep.find("fan-out 2"));
  CHECK(rep.find("broadcast") == nullptr);
  CHECK(rep.find("fan-out 1")->records_in == 500);
  CHECK(rep.find("fan-out 2")->records_in == 510);
  CHECK(out.size() == 255);  // the evens of 0..499 and of the ten copies of 0..9
}

TEST_CASE("broadcast.all_sinks.ends_pipeline") {
  std::vector<int> a, b;
  auto p = mr::from_range(iota_vec(100)) | mr::broadcast(mr::collect(a), mr::filter([](int x) { return x > 50; }) | mr::collect(b));
  mr::run(p, mr::cpu{.threads = 2, .batch_size = 3});
  CHECK(a == iota_vec(100));
  CHECK(b.size() == 49);
  CHECK(b.front() == 51);
}

TEST_CASE("route.partitions_by_predicate") {
  std::vector<int> evens, odds;
  auto p = mr::from_range(iota_vec(2001)) |
           mr::route([](int x) { return x % 2 == 0; }, mr::collect(evens, "evens"), mr::collect(odds, "odds"));
  for (std::size_t threads : {1, 2}) {
    evens.clear();
    odds.clear();
    auto rep = mr::run(p, mr::cpu{.threads = threads, .batch_size = 10});
    REQUIRE(evens.size() == 1001);
    REQUIRE(odds.size() == 1000);
    for (std::size_t i = 0; i < evens.size(); ++i) CHECK(evens[i] == int(2 * i));
    for (std::size_t i = 0; i < odds.size(); ++i) CHECK(odds[i] == int(2 * i + 1));
    CHECK(rep.find("evens")->records_in + rep.find("odds")->records_in == rep.records_in());
  }
}

TEST_CASE("route.merge_then_serial_stage.in_order") {
  const auto in = iota_vec(4000);
  auto p = mr::from_range(in) |
           mr::route([](int x) { return x % 3 == 0; }, mr::map([](int x) { return x; }), mr::map([](int x) { return -x; })) |
           mr::stage(running_count{});
  const auto ref = mr::to_vector(p, mr::serial_executor{.batch_size = 32});
  REQUIRE(ref.size() == 4000);
  CHECK(mr::to_vector(p, mr::cpu{.threads = 2, .batch_size = 32}) == ref);
  CHECK(mr::to_vector(p, mr::cpu{.threads = 1, .batch_size = 32}) == ref);
}

TEST_CASE("graph.nested.serial_stage_inside_branch") {
  std::vector<int> counted;
  auto inner = mr::route([](int x) { return x < 500; }, mr::stage(running_count{}, "count_small") | mr::collect(counted),
                         mr::map([](int x) { return x; }));
  auto p = mr::from_range(iota_vec(1000)) | mr::broadcast(inner, mr::filter([](int) { return false; }));
  std::vector<int> out_serial, out_tbb;
  mr::run(p | mr::collect(out_serial), mr::serial_executor{.batch_size = 7});
  const auto counted_serial = counted;
  counted.clear();
  mr::run(p | mr::collect(out_tbb), mr::cpu{.threads = 2, .batch_size = 7});
  CHECK(out_tbb == out_serial);
  CHECK(counted == counted_serial);
  REQUIRE(counted.size() == 500);
  CHECK(counted[499] == 499 * 1000 + 499);
}

TEST_CASE("graph.to_dot.shows_branches") {
  std::vector<int> a;
  auto p = mr::from_range(iota_vec(1)) | mr::broadcast(mr::collect(a, "left"), mr::map([](int x) { return x; }, "right")) |
           mr::sink([](int) {}, "end");
  const std::string dot = mr::to_dot(p);
  CHECK(dot.find("shape=diamond") != std::string::npos);
  CHECK(dot.find("merge") != std::string::npos);
  CHECK(dot.find("left") != std::string::npos);
  CHECK(dot.find("right") != std::string::npos);
}
