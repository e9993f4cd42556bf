// The ops inside pipelines: dc_map (one problem per record) and tree_reduce (whole-stream
// reduction with the mapreduce grouping), on the serial and oneTBB executors; errors.
#include <doctest/doctest.h>

#include <millrace/core.hpp>
#include <millrace/ops/operators.hpp>

#include <array>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

namespace mr = millrace;
namespace ops = millrace::ops;

namespace {

struct range_problem {
  std::uint64_t lo, hi;
};

// Sum of squares over [lo, hi) with an order-revealing mix, by halving.
auto make_solver() {
  return ops::make_divide_and_conquer(
      [](const range_problem& p) { return p.hi - p.lo <= 4; },
      [](range_problem&& p) {
        if (p.lo <= 999'999 && 999'999 < p.hi) throw std::runtime_error("bad problem");
        std::uint64_t s = 0;
        for (auto i = p.lo; i < p.hi; ++i) s = s * 31 + i * i;
        return s;
      },
      [](range_problem& p) {
        const auto m = p.lo + (p.hi - p.lo) / 2;
        return std::array<range_problem, 2>{range_problem{p.lo, m}, range_problem{m, p.hi}};
      },
      [](std::span<std::uint64_t> r) { return r[0] * 1'000'003 + r[1]; });
}

std::string paren(const std::string& a, const std::string& b) {
  std::string s;
  s.append("(").append(a).append(" ").append(b).append(")");
  return s;
}

}  // namespace

TEST_CASE("ops.pipeline.dc_map.serial_equals_tbb_2T") {
  std::vector<range_problem> problems;
  for (std::uint64_t i = 0; i < 300; ++i) problems.push_back({i * 7, i * 7 + 1 + i * 13});
  const auto solver = make_solver();
  std::vector<std::uint64_t> expect;
  for (const auto& p : problems) expect.push_back(solver.solve(p));

  std::vector<std::uint64_t> serial_out, tbb_out;
  mr::run(mr::from_range(problems) | ops::dc_map<range_problem>(solver) | mr::collect(serial_out),
          mr::serial_executor{.batch_size = 7});
  mr::run(mr::from_range(problems) | ops::dc_map<range_problem>(solver) | mr::collect(tbb_out),
          mr::cpu{.threads = 2, .batch_size = 16});
  CHECK(serial_out == expect);
  CHECK(tbb_out == expect);
}

TEST_CASE("ops.pipeline.dc_map.error_names_operator") {
  std::vector<range_problem> problems{{0, 10}, {999'990, 1'000'010}, {5, 9}};
  try {
    mr::run(mr::from_range(problems) | ops::dc_map<range_problem>(make_solver(), "sum_squares") |
                mr::sink([](std::uint64_t) {}),
            mr::cpu{.threads = 2});
    FAIL("no exception");
  } catch (const mr::operator_error& e) {
    CHECK(e.op_name() == "sum_squares");
    CHECK(std::string(e.what()).find("bad problem") != std::string::npos);
  }
}

TEST_CASE("ops.pipeline.tree_reduce.same_grouping_as_mapreduce.batch_sizes_x_executors") {
  std::vector<std::string> names;
  for (int i = 0; i < 1000; ++i) names.push_back(std::to_string(i));
  std::vector<int> idx(names.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = static_cast<int>(i);
  for (std::size_t k : {2u, 3u, 8u}) {
    const std::string expect =
        *ops::mapreduce(idx, [&](int i) { return names[static_cast<std::size_t>(i)]; }, paren, {.fan_in = k});
    for (std::size_t batch : {1u, 10u, 4096u}) {
      CAPTURE(k);
      CAPTURE(batch);
      std::vector<std::string> out1, out2;
      mr::run(mr::from_range(names) | ops::tree_reduce<std::string>(paren, k) | mr::collect(out1),
              mr::serial_executor{.batch_size = batch});
      // (the options-struct form, as mapreduce takes it: the same grouping)
      mr::run(mr::from_range(names) | ops::tree_reduce<std::string>(paren, ops::tree_reduce_options{.fan_in = k}) |
                  mr::collect(out2),
              mr::cpu{.threads = 2, .batch_size = batch});
      REQUIRE(out1.size() == 1);
      CHECK(out1.front() == expect);
      CHECK(out2 == out1);
    }
  }
  std::vector<std::string> none;
  mr::run(mr::from_range(std::vector<std::string>{}) | ops::tree_reduce<std::string>(paren) | mr::collect(none));
  CHECK(none.empty());
}
