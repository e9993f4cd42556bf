// Conformance of the row, batch and stateful operators, sources and sinks: every configuration
// must give the serial executor's result.
#include <doctest/doctest.h>

#include <atomic>
#include <memory>
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

template <class P>
auto run_all_configs(const P& p) {  // p without sink -> outputs per config
  using T = typename P::value_type;
  std::vector<std::vector<T>> results;
  results.push_back(mr::to_vector(p, mr::serial_executor{.batch_size = 1}));
  results.push_back(mr::to_vector(p, mr::serial_executor{.batch_size = 1000}));
  for (std::size_t threads : {1, 2})
    for (std::size_t bs : {1, 7, 256}) results.push_back(mr::to_vector(p, mr::cpu{.threads = threads, .batch_size = bs}));
  return results;
}
}  // namespace

TEST_CASE("row_ops.map_filter_map.fused.all_configs") {
  const auto in = iota_vec(5000);
  auto p = mr::from_range(in) | mr::map([](int x) { return x * 3; }) | mr::filter([](int x) { return x % 2 == 0; }) |
           mr::map([](int x) { return std::to_string(x); });
  std::vector<std::string> expect;
  for (int x : in)
    if ((x * 3) % 2 == 0) expect.push_back(std::to_string(x * 3));
  for (const auto& r : run_all_configs(p)) CHECK(r == expect);
}

TEST_CASE("row_ops.fusion.one_stage") {
  auto p = mr::from_range(iota_vec(10)) | mr::map([](int x) { return x + 1; }, "inc") |
           mr::filter([](int x) { return x > 3; }, "gt3") | mr::inspect([](int) {}, "look") |
           mr::map([](int x) { return double(x); }, "to_double");
  const std::string dot = mr::to_dot(p | mr::sink([](double) {}));
  CHECK(dot.find("inc+gt3+look+to_double") != std::string::npos);
  // exactly one parallel stage between source and sink
  std::size_t n = 0;
  for (std::size_t pos = 0; (pos = dot.find("(parallel)", pos)) != std::string::npos; ++pos) ++n;
  CHECK(n == 1);
}

TEST_CASE("row_ops.fragment_then_source") {
  auto clean = mr::map([](int x) { return x * 2; }) | mr::filter([](int x) { return x % 3 != 0; });
  auto out = mr::to_vector(mr::from_range(iota_vec(30)) | clean, mr::cpu{.threads = 2, .batch_size = 4});
  std::vector<int> expect;
  for (int x = 0; x < 30; ++x)
    if ((2 * x) % 3 != 0) expect.push_back(2 * x);
  CHECK(out == expect);
}

TEST_CASE("row_ops.flat_map.expands_in_order") {
  auto p = mr::from_range(iota_vec(50)) | mr::flat_map([](int x) { return std::vector<int>(std::size_t(x % 4), x); });
  std::vector<int> expect;
  for (int x = 0; x < 50; ++x)
    for (int k = 0; k < x % 4; ++k) expect.push_back(x);
  for (const auto& r : run_all_configs(p)) CHECK(r == expect);
}

TEST_CASE("row_ops.inspect.sees_every_record") {
  std::atomic<long> sum{0};
  auto out = mr::to_vector(mr::from_range(iota_vec(1000)) | mr::inspect([&](const int& x) { sum += x; }),
                           mr::cpu{.threads = 2, .batch_size = 16});
  CHECK(sum.load() == 999L * 1000 / 2);
  CHECK(out == iota_vec(1000));
}

TEST_CASE("row_ops.move_only_records") {
  auto p = mr::from_range(iota_vec(100)) | mr::map([](int x) { return std::make_unique<int>(x); }) |
           mr::filter([](const std::unique_ptr<int>& p) { return *p % 2 == 1; }) |
           mr::map([](std::unique_ptr<int> p) { return *p; });
  auto out = mr::to_vector(p, mr::cpu{.threads = 2, .batch_size = 8});
  REQUIRE(out.size() == 50);
  for (std::size_t i = 0; i < out.size(); ++i) CHECK(out[i] == int(2 * i + 1));
}

TEST_CASE("batch_map.sees_whole_batches") {
  std::atomic<std::size_t> max_seen{0};
  auto p = mr::from_range(iota_vec(1000)) | mr::batch_map([&](std::vector<int>&& b) {
             std::size_t m = max_seen.load();
             while (b.size() > m && !max_seen.compare_exchange_weak(m, b.size())) {
             }
             std::vector<long> out;
             for (int x : b) out.push_back(long(x) * x);
             return out;
           });
  auto out = mr::to_vector(p, mr::cpu{.threads = 2, .batch_size = 64});
  CHECK(max_seen.load() == 64);
  REQUIRE(out.size() == 1000);
  for (int i = 0; i < 1000; ++i) CHECK(out[std::size_t(i)] == long(i) * i);
}

namespace {
struct prefix_sum {  // order-dependent: wrong if batches arrive out of order
  long total = 0;
  std::vector<long> process(std::vector<int>&& batch) {
    std::vector<long> out;
    for (int x : batch) out.push_back(total += x);
    return out;
  }
};
struct sort_all {  // a barrier: emits everything sorted once the input is complete
  std::vector<int> all;
  std::vector<int> process(std::vector<int>&& b) {
    all.insert(all.end(), b.begin(), b.end());
    return {};
  }
  std::vector<int> finish() {
    std::sort(all.begin(), all.end());
    return std::move(all);
  }
};
}  // namespace

TEST_CASE("stage.serial.in_input_order") {
  auto p = mr::from_range(iota_vec(3000)) | mr::map([](int x) { return x % 7; }) | mr::stage(prefix_sum{}, "prefix");
  std::vector<long> expect;
  long t = 0;
  for (int x = 0; x < 3000; ++x) expect.push_back(t += x % 7);
  for (const auto& r : run_all_configs(p)) CHECK(r == expect);
}

TEST_CASE("stage.barrier.finish_feeds_downstream") {
  std::vector<int> in = iota_vec(2000);
  std::reverse(in.begin(), in.end());
  auto p = mr::from_range(in) | mr::stage(sort_all{}, "sort") | mr::map([](int x) { return x * 2; });
  std::vector<int> expect;
  for (int x = 0; x < 2000; ++x) expect.push_back(2 * x);
  for (const auto& r : run_all_configs(p)) CHECK(r == expect);
  std::vector<int> out;
  auto rep = mr::run(p | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 100});
  REQUIRE(rep.find("sort") != nullptr);
  CHECK(rep.find("sort")->kind == "barrier");
  CHECK(rep.find("sort")->records_in == 2000);
  CHECK(rep.find("sort")->records_out == 2000);
}

TEST_CASE("stage.std_ref.keeps_state") {
  prefix_sum ps;
  std::vector<long> out;
  mr::run(mr::from_range(iota_vec(10)) | mr::stage(std::ref(ps)) | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 3});
  CHECK(ps.total == 45);
  CHECK(out.back() == 45);
}

namespace {
struct odd_rejecting_source {  // a custom source that counts what it rejects
  using value_type = int;
  int next = 0, end = 100;
  std::uint64_t rejected = 0;
  bool fill(std::vector<int>& out, std::size_t max) {
    while (out.size() < max && next < end) {
      if (next % 10 == 9)
        ++rejected;
      else
        out.push_back(next);
      ++next;
    }
    return next < end;
  }
  std::uint64_t rejected_count() const { return rejected; }
};
}  // namespace

TEST_CASE("source.custom.rejected_count_in_report") {
  std::vector<int> out;
  auto rep = mr::run(mr::source(odd_rejecting_source{}, "reader") | mr::collect(out), mr::cpu{.threads = 2, .batch_size = 8});
  CHECK(out.size() == 90);
  CHECK(rep.records_in() == 90);
  CHECK(rep.rejected() == 10);
  CHECK(rep.records_in() == rep.records_out());
}

TEST_CASE("source.generate.until_nullopt") {
  auto p = mr::generate([i = 0]() mutable -> std::optional<int> {
    if (i == 77) return std::nullopt;
    return i++;
  });
  for (std::size_t bs : {1, 10, 77, 100}) CHECK(mr::to_vector(p, mr::cpu{.threads = 2, .batch_size = bs}) == iota_vec(77));
  CHECK(mr::to_vector(p, mr::serial_executor{}) == iota_vec(77));
}

TEST_CASE("source.empty") {
  std::vector<int> none;
  CHECK(mr::to_vector(mr::from_range(none) | mr::map([](int x) { return x; }), mr::cpu{.threads = 2}).empty());
  CHECK(mr::to_vector(mr::from_range(none) | mr::stage(sort_all{}), mr::cpu{.threads = 2}).empty());
}

TEST_CASE("sink.callback.serial_in_order") {
  std::vector<int> seen;  // not synchronized on purpose: the sink is serial
  auto rep = mr::run(mr::from_range(iota_vec(5000)) | mr::map([](int x) { return x + 1; }) |
                         mr::sink([&](int x) { seen.push_back(x); }, "writer"),
                     mr::cpu{.threads = 2, .batch_size = 10});
  REQUIRE(seen.size() == 5000);
  for (int i = 0; i < 5000; ++i) CHECK(seen[std::size_t(i)] == i + 1);
  CHECK(rep.find("writer")->records_in == 5000);
}

TEST_CASE("report.counts_add_up") {
  std::vector<int> out;
  auto rep = mr::run(mr::from_range(iota_vec(1000)) | mr::filter([](int x) { return x % 4 == 0; }, "quarter") |
                         mr::flat_map([](int x) { return std::vector<int>{x, x}; }, "twice") | mr::collect(out, "out"),
                     mr::cpu{.threads = 2, .batch_size = 32});
  CHECK(rep.records_in() == 1000);
  CHECK(rep.find("quarter")->records_in == 1000);
  CHECK(rep.find("quarter")->records_out == 250);
  CHECK(rep.find("twice")->records_in == 250);
  CHECK(rep.find("twice")->records_out == 500);
  CHECK(rep.find("out")->records_in == 500);
  CHECK(rep.records_out() == 500);
  const std::string text = fmt::format("{}", rep);
  CHECK(text.find("quarter") != std::string::npos);
  const std::string json = rep.to_json();
  CHECK(json.find("\"name\":\"twice\",\"kind\":\"flat_map\",\"stage\":\"quarter+twice\",\"in\":250,\"out\":500") != std::string::npos);
}

namespace {
struct counting_stage {  // a stage object with its own counters, reported with its operator
  std::uint64_t evens = 0, odds = 0;
  std::vector<int> process(std::vector<int>&& in) {
    for (int x : in) ++(x % 2 ? odds : evens);
    return std::move(in);
  }
  std::vector<std::pair<std::string, std::uint64_t>> counters() const { return {{"evens", evens}, {"odds", odds}}; }
};
}  // namespace

TEST_CASE("report.stage_counters.serial_and_2T") {
  for (int config = 0; config < 2; ++config) {
    std::vector<int> out;
    auto p = mr::from_range(iota_vec(101)) | mr::stage(counting_stage{}, "parity") | mr::collect(out);
    auto rep = config ? mr::run(p, mr::cpu{.threads = 2, .batch_size = 8}) : mr::run(p, mr::serial_executor{});
    const auto* op = rep.find("parity");
    REQUIRE(op != nullptr);
    REQUIRE(op->counters.size() == 2);
    CHECK(op->counter("evens") == 51);
    CHECK(op->counter("odds") == 50);
    CHECK(op->counter("absent") == 0);
    CHECK(rep.find("collect")->counters.empty());
    CHECK(rep.to_json().find("\"counters\":{\"evens\":51,\"odds\":50}") != std::string::npos);
    CHECK(fmt::format("{}", rep).find("parity: evens=51 odds=50") != std::string::npos);
  }
}

TEST_CASE("pipeline.runs_twice_identically") {
  auto p = mr::from_range(iota_vec(500)) | mr::stage(prefix_sum{});
  CHECK(mr::to_vector(p) == mr::to_vector(p));
}
